/**
 * Static hosts cap the size of one file (Cloudflare Pages: 25 MiB), and DuckDB-WASM's module
 * is 34 MB. The build (scripts/split-large-files.mjs) cuts every file over the cap into parts
 * and writes `<file>.parts.json` beside them; this joins them back in the browser into a
 * blob URL that DuckDB's worker fetches like the original. The parts are ordinary immutable
 * files, so HTTP caches and the offline service worker keep them like any other asset.
 */
export interface PartsManifest {
  /** Part file names, relative to the manifest, in order. */
  parts: string[];
  size: number;
  type: string;
}

const joined = new Map<string, Promise<string>>();

/** The URL to load `url` from: itself in development, its joined parts in a production build. */
export function splitAwareUrl(url: string): Promise<string> {
  if (!import.meta.env.PROD) return Promise.resolve(url);
  let p = joined.get(url);
  if (!p) {
    p = join(url);
    joined.set(url, p);
    p.catch(() => joined.delete(url));
  }
  return p;
}

async function join(url: string): Promise<string> {
  const manifestUrl = new URL(`${url}.parts.json`, location.href);
  const res = await fetch(manifestUrl);
  if (res.status === 404) return url; // small enough to have been left whole
  if (!res.ok) throw new Error(`could not load ${manifestUrl.pathname} (HTTP ${res.status}); reload the page to try again.`);
  const manifest = (await res.json()) as PartsManifest;
  const blobs = await Promise.all(
    manifest.parts.map(async (name) => {
      const part = await fetch(new URL(name, manifestUrl));
      if (!part.ok) throw new Error(`could not load ${name} (HTTP ${part.status}); reload the page to try again.`);
      return part.blob();
    }),
  );
  const blob = new Blob(blobs, { type: manifest.type });
  if (blob.size !== manifest.size) throw new Error(`${url} arrived incomplete (${blob.size} of ${manifest.size} bytes); reload the page to try again.`);
  return URL.createObjectURL(blob);
}

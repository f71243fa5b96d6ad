/**
 * Static hosts cap the size of one file (Cloudflare Pages: 25 MiB), and DuckDB-WASM's module
 * is 34 MB. The default build (scripts/static-hosts.mjs) cuts every file over the cap into
 * parts and writes `<file>.parts.json` beside them.
 *
 * Where the host serves the whole file (`npm start` and the workshop server join the parts
 * on the server, and builds for Netlify and GitHub Pages keep the file whole), the engine
 * loads it straight from its URL: the browser compiles it while it downloads (instead of
 * after the last part arrived and was joined), and the HTTP cache keeps it under that URL.
 * Only where the whole file is not served are the parts fetched and joined here into a
 * blob URL. The parts are ordinary immutable files, so HTTP caches and the
 * offline service worker keep them like any other asset (offline, the whole file is not
 * there and the parts are used).
 */
import { measurePhase } from './boot-timing.ts';

export interface PartsManifest {
  /** Part file names, relative to the manifest, in order. */
  parts: string[];
  size: number;
  type: string;
}

/** Where a module comes from: its own URL (served whole), or the parts a manifest lists. */
export type ModuleSource = { kind: 'whole'; url: string } | { kind: 'parts'; manifestUrl: string; manifest: PartsManifest };

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * Does the host serve `url` whole? A HEAD request answers without moving the body; a host
 * that only has the parts answers 404 (or its 404 page, which is not WebAssembly). Then the
 * parts manifest decides; a file with neither is asked for whole, and its own error shows.
 */
export async function moduleSource(url: string, base: string, fetcher: Fetch = fetch): Promise<ModuleSource> {
  const whole = new URL(url, base).toString();
  try {
    const head = await fetcher(whole, { method: 'HEAD' });
    if (head.ok && /^application\/wasm\b/i.test(head.headers.get('content-type') ?? '')) return { kind: 'whole', url };
  } catch {
    /* offline with only the parts cached, or a host refusing HEAD: the parts may still be there */
  }
  const manifestUrl = `${whole}.parts.json`;
  const res = await fetcher(manifestUrl);
  if (res.status === 404) return { kind: 'whole', url };
  if (!res.ok) throw new Error(`could not load ${new URL(manifestUrl).pathname} (HTTP ${res.status}); reload the page to try again.`);
  return { kind: 'parts', manifestUrl, manifest: (await res.json()) as PartsManifest };
}

/** The parts joined back into one Blob, checked against the manifest's size. */
export async function joinParts(source: Extract<ModuleSource, { kind: 'parts' }>, url: string, fetcher: Fetch = fetch): Promise<Blob> {
  const { manifest, manifestUrl } = source;
  const blobs = await Promise.all(
    manifest.parts.map(async (name) => {
      const part = await fetcher(new URL(name, manifestUrl).toString());
      if (!part.ok) throw new Error(`could not load ${name} (HTTP ${part.status}); reload the page to try again.`);
      return part.blob();
    }),
  );
  const blob = new Blob(blobs, { type: manifest.type });
  if (blob.size !== manifest.size) throw new Error(`${url} arrived incomplete (${blob.size} of ${manifest.size} bytes); reload the page to try again.`);
  return blob;
}

/**
 * Compile the module at `url` in the page, streaming from the response while it downloads
 * (DuckDB's worker then only instantiates it: ../../../sandboxes/lakehouse/sql/duckdb-browser.ts).
 */
export async function compileModule(url: string): Promise<WebAssembly.Module> {
  const start = performance.now();
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load ${url} (HTTP ${response.status}); reload the page to try again.`);
  const module = await WebAssembly.compileStreaming(response);
  const end = performance.now();
  const entry = response.url.startsWith('blob:') ? undefined : (performance.getEntriesByName(response.url, 'resource').at(-1) as PerformanceResourceTiming | undefined);
  if (entry) {
    const { transferSize, encodedBodySize, decodedBodySize } = entry;
    measurePhase('wasm-network', entry.startTime, entry.responseEnd, { transferSize, encodedBodySize, decodedBodySize });
  }
  measurePhase('wasm-compile', start, end, { from: entry ? 'whole file' : 'joined parts', afterLastByteMs: entry ? Math.max(0, end - entry.responseEnd) : undefined });
  return module;
}

const chosen = new Map<string, Promise<string>>();

/** The URL to load `url` from: itself in development or where served whole, else its joined parts. */
export function splitAwareUrl(url: string): Promise<string> {
  if (!import.meta.env.PROD) return Promise.resolve(url);
  let p = chosen.get(url);
  if (!p) {
    p = (async () => {
      const start = performance.now();
      const source = await moduleSource(url, location.href);
      measurePhase('wasm-probe', start, performance.now(), { source: source.kind });
      if (source.kind === 'whole') return url;
      const fetched = performance.now();
      const blob = await joinParts(source, url);
      measurePhase('wasm-network', fetched, performance.now(), { parts: source.manifest.parts.length, decodedBodySize: blob.size });
      return URL.createObjectURL(blob);
    })();
    chosen.set(url, p);
    p.catch(() => chosen.delete(url));
  }
  return p;
}

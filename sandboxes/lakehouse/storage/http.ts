/**
 * Read-only Storage over HTTP: the prebuilt warehouse the site ships under its own origin.
 *
 * HTTP cannot list a directory, so the site build writes `_index.json` at the warehouse
 * root (see `writeHttpIndex`): `{ "files": ["glucose/raw_entries/metadata/v1.metadata.json", ...] }`.
 * `list` answers from that index; `read` fetches relative to the base URL.
 */
import { StorageError, type Storage } from './storage.ts';
import { normalize } from './memory.ts';

export const HTTP_INDEX_FILE = '_index.json';

export interface HttpIndex {
  files: string[];
}

export class HttpStorage implements Storage {
  readonly kind = 'http';
  readonly writable = false;
  readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;
  private index: Promise<Set<string> | null> | null = null;

  constructor(baseUrl: string, options: { fetch?: typeof fetch } = {}) {
    const withSlash = baseUrl.endsWith('/') ? baseUrl : baseUrl + '/';
    // "/warehouse/" in a page or worker means "on this origin".
    const here = (globalThis as { location?: { href: string } }).location?.href;
    this.baseUrl = /^[a-z][a-z0-9+.-]*:/i.test(withSlash) || !here ? withSlash : new URL(withSlash, here).toString();
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  }

  private url(path: string): string {
    const rel = normalize(path).split('/').map((seg) => encodeURIComponent(seg).replace(/%3D/g, '=')).join('/');
    return new URL(rel, this.baseUrl).toString();
  }

  private loadIndex(): Promise<Set<string> | null> {
    this.index ??= (async () => {
      const res = await this.fetchFn(this.url(HTTP_INDEX_FILE));
      if (!res.ok) return null;
      const body = (await res.json()) as HttpIndex;
      return new Set(body.files);
    })().catch(() => null);
    return this.index;
  }

  async read(path: string): Promise<Uint8Array> {
    // The index knows every file the site ships: answer "absent" without a request, so
    // probing for an optional file (a reference that may be a branch or a tag) does not
    // show up as a failed request in the reader's console.
    const index = await this.loadIndex();
    if (index && !index.has(normalize(path))) {
      throw new StorageError('not-found', path, `No file at "${path}" under ${this.baseUrl} (not in ${HTTP_INDEX_FILE}).`);
    }
    let res: Response;
    try {
      res = await this.fetchFn(this.url(path));
    } catch (err) {
      throw new StorageError('io', path, `Could not fetch "${path}" from ${this.baseUrl}: ${(err as Error).message}`);
    }
    if (res.status === 404) throw new StorageError('not-found', path, `No file at "${path}" under ${this.baseUrl} (HTTP 404).`);
    if (!res.ok) throw new StorageError('io', path, `Fetching "${path}" from ${this.baseUrl} failed: HTTP ${res.status}.`);
    return new Uint8Array(await res.arrayBuffer());
  }

  async exists(path: string): Promise<boolean> {
    const index = await this.loadIndex();
    if (index) return index.has(normalize(path));
    const res = await this.fetchFn(this.url(path), { method: 'HEAD' });
    return res.ok;
  }

  async list(prefix: string): Promise<string[]> {
    const index = await this.loadIndex();
    if (!index) {
      throw new StorageError('not-found', HTTP_INDEX_FILE, `Cannot list "${prefix}": ${this.baseUrl}${HTTP_INDEX_FILE} is missing; run writeHttpIndex when building the warehouse.`);
    }
    const p = normalize(prefix);
    const dir = p === '' || p.endsWith('/') ? p : p + '/';
    return [...index].filter((k) => p === '' || k === p || k.startsWith(dir)).sort();
  }

  async write(path: string, _bytes?: Uint8Array): Promise<void> {
    throw new StorageError('read-only', path, `The HTTP warehouse at ${this.baseUrl} is read-only; write "${path}" to memory or OPFS storage instead.`);
  }

  async delete(path: string): Promise<void> {
    throw new StorageError('read-only', path, `The HTTP warehouse at ${this.baseUrl} is read-only; cannot delete "${path}".`);
  }

  async compareAndSwap(path: string, _expected?: string | null, _next?: string): Promise<boolean> {
    throw new StorageError('read-only', path, `The HTTP warehouse at ${this.baseUrl} is read-only; cannot move the pointer "${path}".`);
  }
}

/**
 * Write `<root>/_index.json` listing every file under `root` (paths relative to `root`),
 * replacing an older index. Run it after the warehouse is complete, at build time.
 */
export async function writeHttpIndex(storage: Storage, root = ''): Promise<string[]> {
  const r = normalize(root).replace(/\/$/, '');
  const indexPath = r ? `${r}/${HTTP_INDEX_FILE}` : HTTP_INDEX_FILE;
  const files = (await storage.list(r))
    .filter((f) => f !== indexPath)
    .map((f) => (r ? f.slice(r.length + 1) : f))
    .sort();
  const body: HttpIndex = { files };
  await storage.delete(indexPath);
  await storage.write(indexPath, new TextEncoder().encode(JSON.stringify(body, null, 1) + '\n'));
  return files;
}

import { StorageError, type Storage } from './storage.ts';

/**
 * Storage held in a Map: the learner's scratch warehouse in a page, and the fastest backend
 * for tests. Bytes are copied on the way in and out so a caller mutating its buffer cannot
 * change a file that Iceberg treats as immutable.
 */
export class MemoryStorage implements Storage {
  readonly kind = 'memory';
  readonly writable = true;
  readonly files = new Map<string, Uint8Array>();

  async read(path: string): Promise<Uint8Array> {
    const bytes = this.files.get(normalize(path));
    if (!bytes) throw new StorageError('not-found', path, `No file at "${path}" in memory storage.`);
    return bytes.slice();
  }

  async exists(path: string): Promise<boolean> {
    return this.files.has(normalize(path));
  }

  async write(path: string, bytes: Uint8Array): Promise<void> {
    const key = normalize(path);
    if (this.files.has(key)) {
      throw new StorageError('already-exists', path, `"${path}" already exists; data and metadata files are write-once, pick a new name.`);
    }
    this.files.set(key, bytes.slice());
  }

  async list(prefix: string): Promise<string[]> {
    const p = normalize(prefix);
    const dir = p === '' || p.endsWith('/') ? p : p + '/';
    return [...this.files.keys()].filter((k) => p === '' || k === p || k.startsWith(dir)).sort();
  }

  async delete(path: string): Promise<void> {
    this.files.delete(normalize(path));
  }

  async compareAndSwap(path: string, expected: string | null, next: string): Promise<boolean> {
    // JavaScript runs this body without interleaving (no await before the swap), so it is atomic.
    const key = normalize(path);
    const current = this.files.get(key);
    const currentText = current ? new TextDecoder().decode(current) : null;
    if (currentText !== expected) return false;
    this.files.set(key, new TextEncoder().encode(next));
    return true;
  }
}

/** Storage paths are relative and slash-separated; tolerate a leading "./" or "/". */
export function normalize(path: string): string {
  return path.replace(/^\.?\/+/, '').replace(/\/{2,}/g, '/');
}

/**
 * Storage in the browser's Origin Private File System: a learner's own warehouse that
 * survives a reload. Browser-only (page or worker).
 *
 * OPFS has no atomic rename or exclusive create, so write-once and compare-and-swap are
 * serialized with the Web Locks API (shared by every tab of the origin) when present, else
 * with an in-page queue.
 */
import { StorageError, type Storage } from './storage.ts';
import { normalize } from './memory.ts';

type Dir = FileSystemDirectoryHandle;

export class OpfsStorage implements Storage {
  readonly kind = 'opfs';
  readonly writable = true;
  private readonly rootPromise: Promise<Dir>;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly lockName: string;
  private readonly locks: LockManager | undefined;

  /**
   * `subdir` keeps the lakehouse apart from anything else the site stores in OPFS. `locks` is
   * taken when the storage is made: the pipeline worker removes `navigator.locks` from its
   * scope before learner code loads (see src/sandbox/pipeline/lockdown.ts).
   */
  constructor(subdir = 'lakehouse', root?: Dir, locks: LockManager | undefined = (globalThis.navigator as Navigator | undefined)?.locks) {
    this.lockName = `phlo-opfs:${subdir}`;
    this.locks = locks;
    this.rootPromise = (async () => {
      const base = root ?? (await navigator.storage.getDirectory());
      return subdir ? base.getDirectoryHandle(subdir, { create: true }) : base;
    })();
  }

  private async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const locks = this.locks;
    if (locks) return locks.request(this.lockName, fn) as Promise<T>;
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async dirOf(path: string, create: boolean): Promise<{ dir: Dir; name: string }> {
    const parts = normalize(path).split('/');
    const name = parts.pop()!;
    let dir = await this.rootPromise;
    for (const p of parts) dir = await dir.getDirectoryHandle(p, { create });
    return { dir, name };
  }

  async read(path: string): Promise<Uint8Array> {
    try {
      const { dir, name } = await this.dirOf(path, false);
      const file = await (await dir.getFileHandle(name)).getFile();
      return new Uint8Array(await file.arrayBuffer());
    } catch (err) {
      if ((err as DOMException)?.name === 'NotFoundError' || (err as DOMException)?.name === 'TypeMismatchError') {
        throw new StorageError('not-found', path, `No file at "${path}" in the browser's private storage (OPFS).`);
      }
      throw new StorageError('io', path, `Could not read "${path}" from OPFS: ${(err as Error).message}`);
    }
  }

  async exists(path: string): Promise<boolean> {
    try {
      const { dir, name } = await this.dirOf(path, false);
      await dir.getFileHandle(name);
      return true;
    } catch {
      return false;
    }
  }

  private async put(path: string, bytes: Uint8Array): Promise<void> {
    const { dir, name } = await this.dirOf(path, true);
    const handle = await dir.getFileHandle(name, { create: true });
    if (typeof (handle as { createWritable?: unknown }).createWritable === 'function') {
      const writable = await handle.createWritable();
      await writable.write(bytes as unknown as ArrayBuffer);
      await writable.close();
      return;
    }
    // Safari offers only synchronous access handles, and only inside a worker.
    const sync = await (handle as unknown as { createSyncAccessHandle(): Promise<{ truncate(n: number): void; write(b: Uint8Array, o: { at: number }): number; flush(): void; close(): void }> }).createSyncAccessHandle();
    try {
      sync.truncate(0);
      sync.write(bytes, { at: 0 });
      sync.flush();
    } finally {
      sync.close();
    }
  }

  async write(path: string, bytes: Uint8Array): Promise<void> {
    await this.exclusive(async () => {
      if (await this.exists(path)) {
        throw new StorageError('already-exists', path, `"${path}" already exists; data and metadata files are write-once.`);
      }
      await this.put(path, bytes);
    });
  }

  async list(prefix: string): Promise<string[]> {
    const p = normalize(prefix).replace(/\/$/, '');
    const out: string[] = [];
    const walk = async (dir: Dir, at: string): Promise<void> => {
      for await (const [name, handle] of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
        const path = at ? `${at}/${name}` : name;
        if (handle.kind === 'directory') await walk(handle as Dir, path);
        else out.push(path);
      }
    };
    if (p === '') {
      await walk(await this.rootPromise, '');
    } else {
      if (await this.exists(p)) return [p];
      let dir = await this.rootPromise;
      try {
        for (const part of p.split('/')) dir = await dir.getDirectoryHandle(part);
      } catch {
        return [];
      }
      await walk(dir, p);
    }
    return out.sort();
  }

  async delete(path: string): Promise<void> {
    try {
      const { dir, name } = await this.dirOf(path, false);
      await dir.removeEntry(name);
    } catch {
      /* absent: nothing to do */
    }
  }

  async compareAndSwap(path: string, expected: string | null, next: string): Promise<boolean> {
    return this.exclusive(async () => {
      let current: string | null = null;
      if (await this.exists(path)) current = new TextDecoder().decode(await this.read(path));
      if (current !== expected) return false;
      await this.put(path, new TextEncoder().encode(next));
      return true;
    });
  }
}

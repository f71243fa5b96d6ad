/**
 * Storage in the browser's Origin Private File System: a learner's own warehouse that
 * survives a reload. Browser-only (page or worker).
 *
 * OPFS has no exclusive create, so write-once and compare-and-swap are serialized with the
 * Web Locks API (shared by every tab of the origin) when present, else with an in-page queue.
 *
 * No reader may ever see a file half written (issue 13, item 5): writing in place showed an
 * empty file from the moment it was created (Chromium) or truncated (Safari) until the bytes
 * were in, and a tab closed in between left it empty for good, which the catalog reads as a
 * deleted branch and Iceberg as a corrupt metadata file. So every file is written whole under
 * a temporary name and then renamed over its real name with `FileSystemHandle.move()`, which
 * replaces the target in one step. Temporary files a closed tab left behind are hidden from
 * `list` and removed by the next writer.
 */
import { StorageError, type Storage } from './storage.ts';
import { normalize } from './memory.ts';

type Dir = FileSystemDirectoryHandle;
type Movable = FileSystemFileHandle & { move?(name: string): Promise<void> };

/** `name.tmp-opfs-<random>`: a file being written; never listed, never read as data. */
const TEMP_MARK = '.tmp-opfs-';
const isTemp = (name: string) => name.includes(TEMP_MARK);
/** Without Web Locks another tab may be writing: only temporary files this old are dropped. */
const STALE_TEMP_MS = 10 * 60_000;

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
      // A file replaced (moved over) between getFile() and reading its bytes cannot be read
      // (NotReadableError); read it again to get the new, whole file.
      for (let attempt = 0; ; attempt++) {
        try {
          const file = await (await dir.getFileHandle(name)).getFile();
          return new Uint8Array(await file.arrayBuffer());
        } catch (err) {
          const n = (err as DOMException)?.name;
          if (attempt >= 4 || n === 'NotFoundError' || n === 'TypeMismatchError') throw err;
        }
      }
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

  /** Folders already cleared of temporary files left by closed tabs. */
  private readonly swept = new WeakSet<Dir>();

  /** Remove temporary files a writer that was closed mid-write left in `dir` (called under the lock). */
  private async sweep(dir: Dir): Promise<void> {
    if (this.swept.has(dir)) return;
    this.swept.add(dir);
    for await (const [name, handle] of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
      if (handle.kind !== 'file' || !isTemp(name)) continue;
      try {
        // Under the origin-wide Web Lock no other writer is mid-write: any temporary file is orphaned.
        if (!this.locks && Date.now() - (await (handle as FileSystemFileHandle).getFile()).lastModified < STALE_TEMP_MS) continue;
        await dir.removeEntry(name);
      } catch {
        /* gone meanwhile */
      }
    }
  }

  /** Write the whole file under a temporary name, then move it over `path` in one step. */
  private async put(path: string, bytes: Uint8Array): Promise<void> {
    const { dir, name } = await this.dirOf(path, true);
    await this.sweep(dir);
    const tempName = `${name}${TEMP_MARK}${Math.random().toString(36).slice(2, 10)}`;
    const temp = (await dir.getFileHandle(tempName, { create: true })) as Movable;
    try {
      await writeWhole(temp, bytes);
      if (typeof temp.move === 'function') {
        await temp.move(name);
        return;
      }
    } catch (err) {
      await dir.removeEntry(tempName).catch(() => undefined);
      throw err;
    }
    // A browser without move() (none this course supports): write in place, the old way.
    await dir.removeEntry(tempName).catch(() => undefined);
    await writeWhole(await dir.getFileHandle(name, { create: true }), bytes);
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
        else if (!isTemp(name)) out.push(path);
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

/** Replace a file's bytes: a writable stream (page or worker), or Safari's sync handle (worker only). */
async function writeWhole(handle: FileSystemFileHandle, bytes: Uint8Array): Promise<void> {
  if (typeof (handle as { createWritable?: unknown }).createWritable === 'function') {
    const writable = await handle.createWritable();
    await writable.write(bytes as unknown as ArrayBuffer);
    await writable.close();
    return;
  }
  const sync = await (handle as unknown as { createSyncAccessHandle(): Promise<{ truncate(n: number): void; write(b: Uint8Array, o: { at: number }): number; flush(): void; close(): void }> }).createSyncAccessHandle();
  try {
    sync.truncate(0);
    sync.write(bytes, { at: 0 });
    sync.flush();
  } finally {
    sync.close();
  }
}

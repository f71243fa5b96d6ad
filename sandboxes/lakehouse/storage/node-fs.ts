/**
 * Node-only Storage on a local directory (CLI, tests, WebContainer, the site build).
 * Browser code never imports this file.
 *
 * Write-once files are written to a temporary name and then hard-linked into place:
 * `link` fails with EEXIST when the name is taken, so two writers racing for the same
 * name cannot both win, and a reader never sees a half-written file.
 * Pointer files change under a lock file created with O_EXCL, then a rename.
 */
import { promises as fs, constants as fsConstants } from 'node:fs';
import * as nodePath from 'node:path';
import { StorageError, type Storage } from './storage.ts';
import { normalize } from './memory.ts';

let tempCounter = 0;
const STALE_LOCK_MS = 30_000;

export class NodeFsStorage implements Storage {
  readonly kind = 'node-fs';
  readonly writable: boolean;
  readonly root: string;

  constructor(root: string, options: { readOnly?: boolean } = {}) {
    this.root = nodePath.resolve(root);
    this.writable = !options.readOnly;
  }

  private abs(path: string): string {
    const rel = normalize(path);
    const full = nodePath.resolve(this.root, rel);
    // A root of "/" already ends in the separator ("/" + "/" would match nothing).
    const inside = this.root.endsWith(nodePath.sep) ? this.root : this.root + nodePath.sep;
    if (full !== this.root && !full.startsWith(inside)) {
      throw new StorageError('io', path, `Path "${path}" leaves the storage root ${this.root}.`);
    }
    return full;
  }

  private guardWritable(path: string): void {
    if (!this.writable) throw new StorageError('read-only', path, `Storage at ${this.root} is read-only; cannot change "${path}".`);
  }

  async read(path: string): Promise<Uint8Array> {
    try {
      const buf = await fs.readFile(this.abs(path));
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (err) {
      throw toStorageError(err, path, 'read');
    }
  }

  async exists(path: string): Promise<boolean> {
    try {
      const st = await fs.stat(this.abs(path));
      return st.isFile();
    } catch {
      return false;
    }
  }

  async write(path: string, bytes: Uint8Array): Promise<void> {
    this.guardWritable(path);
    const target = this.abs(path);
    await fs.mkdir(nodePath.dirname(target), { recursive: true });
    const temp = `${target}.tmp-${process.pid}-${++tempCounter}`;
    try {
      await fs.writeFile(temp, bytes, { flag: 'wx' });
      try {
        await fs.link(temp, target);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // Some file systems (FAT, a few container mounts) have no hard links: an exclusive
        // copy still refuses to replace an existing file.
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
        await fs.copyFile(temp, target, fsConstants.COPYFILE_EXCL);
      }
    } catch (err) {
      throw toStorageError(err, path, 'write');
    } finally {
      await fs.rm(temp, { force: true });
    }
  }

  async list(prefix: string): Promise<string[]> {
    const p = normalize(prefix);
    const start = this.abs(p);
    const out: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const full = nodePath.join(dir, e.name);
        if (e.isDirectory()) await walk(full);
        else if (e.isFile() && !/\.tmp-\d+-\d+$|\.lock$/.test(e.name)) {
          out.push(nodePath.relative(this.root, full).split(nodePath.sep).join('/'));
        }
      }
    };
    try {
      const st = await fs.stat(start);
      if (st.isFile()) return [p];
    } catch {
      return [];
    }
    await walk(start);
    return out.sort();
  }

  async delete(path: string): Promise<void> {
    this.guardWritable(path);
    await fs.rm(this.abs(path), { force: true });
  }

  async compareAndSwap(path: string, expected: string | null, next: string): Promise<boolean> {
    this.guardWritable(path);
    const target = this.abs(path);
    await fs.mkdir(nodePath.dirname(target), { recursive: true });
    const lock = `${target}.lock`;
    await acquireLock(lock, path);
    try {
      let current: string | null = null;
      try {
        current = await fs.readFile(target, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw toStorageError(err, path, 'read');
      }
      if (current !== expected) return false;
      const temp = `${target}.tmp-${process.pid}-${++tempCounter}`;
      await fs.writeFile(temp, next, { flag: 'wx' });
      await fs.rename(temp, target);
      return true;
    } finally {
      await fs.rm(lock, { force: true });
    }
  }
}

async function acquireLock(lock: string, path: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.writeFile(lock, String(process.pid), { flag: 'wx' });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw toStorageError(err, path, 'lock');
      // A writer that crashed leaves its lock behind; after a while it is safe to break it.
      try {
        const st = await fs.stat(lock);
        if (Date.now() - st.mtimeMs > STALE_LOCK_MS) await fs.rm(lock, { force: true });
      } catch {
        /* lock vanished: retry */
      }
      if (Date.now() > deadline) {
        throw new StorageError('io', path, `Timed out waiting for lock ${lock}; if no other writer is running, delete that file.`);
      }
      await new Promise((r) => setTimeout(r, Math.min(5 * 2 ** attempt, 100)));
    }
  }
}

function toStorageError(err: unknown, path: string, action: string): StorageError {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return new StorageError('not-found', path, `No file at "${path}".`);
  if (code === 'EEXIST') return new StorageError('already-exists', path, `"${path}" already exists; data and metadata files are write-once.`);
  if (code === 'EISDIR') return new StorageError('not-found', path, `"${path}" is a directory, not a file.`);
  return new StorageError('io', path, `Could not ${action} "${path}": ${(err as Error)?.message ?? err}`);
}

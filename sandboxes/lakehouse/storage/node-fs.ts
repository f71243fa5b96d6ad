/**
 * Node-only Storage on a local directory (CLI, tests, WebContainer, the site build).
 * Browser code never imports this file.
 *
 * Write-once files are written to a temporary name and then hard-linked into place:
 * `link` fails with EEXIST when the name is taken, so two writers racing for the same
 * name cannot both win, and a reader never sees a half-written file.
 * Pointer files change under a lock file created with O_EXCL, then a rename.
 *
 * A writer can be killed at any step (a closed terminal, a SIGKILL, a crashed container).
 * What it leaves behind must never cost the next writer its work (issue 13, item 4):
 *  - its temporary files are swept the first time this storage writes into their folder,
 *    once their owner is known to be gone (its process is not running on this host), or
 *    after an hour;
 *  - its lock names its owner (pid, host, process start time), so the next writer breaks
 *    a lock whose owner is gone at once instead of waiting, and tells who holds a live one.
 */
import { promises as fs, constants as fsConstants, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import * as nodePath from 'node:path';
import { StorageError, type Storage } from './storage.ts';
import { normalize } from './memory.ts';

let tempCounter = 0;
/** A lock held by another host (whose processes cannot be checked) is broken after this. */
const STALE_LOCK_MS = 30_000;
/** A lock file still empty after this was left by a writer killed while creating it. */
const EMPTY_LOCK_MS = 2_000;
/** Temporary files of a writer that cannot be checked are swept after this. */
const STALE_TEMP_MS = 3_600_000;
const LOCK_WAIT_MS = 10_000;

const HOST = hostname();
/** Start time of a process in clock ticks since boot (Linux /proc), to tell a reused pid apart. */
function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}
const SELF_START = processStart(process.pid);

/** True when process `pid` on this host is not running (or is another process that reused its pid). */
function processGone(pid: number, start: string | null | undefined): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  if (start) {
    const now = processStart(pid);
    if (now !== null && now !== start) return true;
  }
  return false;
}

/** Temporary names end in `.tmp-<pid>-<n>`; `list` hides them. */
const TEMP_RE = /\.tmp-(\d+)-\d+$/;
const HIDDEN_RE = /\.tmp-\d+-\d+$|\.lock$|\.lock\.break$/;

interface LockOwner {
  pid: number;
  host: string;
  /** Process start (Linux clock ticks since boot) when known. */
  start?: string | null;
  /** When the lock was taken (ms since the epoch). */
  since: number;
  token: string;
}

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

  /** Folders already swept of dead writers' temporary files by this storage. */
  private readonly swept = new Set<string>();

  /**
   * Remove temporary files left in `dir` by writers that were killed (once per folder per
   * storage: a live writer's files are never touched, only those whose process is gone).
   */
  private async sweep(dir: string): Promise<void> {
    if (this.swept.has(dir)) return;
    this.swept.add(dir);
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const full = nodePath.join(dir, name);
      const temp = TEMP_RE.exec(name);
      try {
        if (temp) {
          const pid = Number(temp[1]);
          if (pid === process.pid) continue;
          const old = Date.now() - (await fs.stat(full)).mtimeMs > STALE_TEMP_MS;
          if (old || processGone(pid, null)) await fs.rm(full, { force: true });
        } else if (name.endsWith('.lock.break')) {
          if (Date.now() - (await fs.stat(full)).mtimeMs > EMPTY_LOCK_MS) await fs.rm(full, { force: true });
        }
      } catch {
        /* gone meanwhile */
      }
    }
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
    await this.sweep(nodePath.dirname(target));
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
        else if (e.isFile() && !HIDDEN_RE.test(e.name)) {
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
    await this.sweep(nodePath.dirname(target));
    const lock = `${target}.lock`;
    const token = await acquireLock(lock, path);
    try {
      let current: string | null = null;
      try {
        current = await fs.readFile(target, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw toStorageError(err, path, 'read');
      }
      if (current !== expected) return false;
      const temp = `${target}.tmp-${process.pid}-${++tempCounter}`;
      try {
        await fs.writeFile(temp, next, { flag: 'wx' });
        await fs.rename(temp, target);
      } catch (err) {
        await fs.rm(temp, { force: true });
        throw toStorageError(err, path, 'write');
      }
      return true;
    } finally {
      await releaseLock(lock, token);
    }
  }
}

async function readOwner(lock: string): Promise<{ owner: LockOwner | null; text: string; ageMs: number } | null> {
  try {
    const [text, st] = await Promise.all([fs.readFile(lock, 'utf8'), fs.stat(lock)]);
    let owner: LockOwner | null = null;
    if (/^\d+$/.test(text.trim())) {
      // An older lock held just the pid.
      owner = { pid: Number(text.trim()), host: HOST, since: st.mtimeMs, token: text };
    } else {
      try {
        const o = JSON.parse(text) as LockOwner;
        if (o && typeof o === 'object' && typeof o.pid === 'number' && typeof o.host === 'string') owner = o;
      } catch { /* half-written or foreign: judged by age */ }
    }
    return { owner, text, ageMs: Date.now() - st.mtimeMs };
  } catch {
    return null; // released meanwhile
  }
}

/** Why a lock can be broken now, or null while its owner may still be writing. */
function staleReason(found: { owner: LockOwner | null; text: string; ageMs: number }): string | null {
  const { owner, ageMs } = found;
  if (!owner) return ageMs > EMPTY_LOCK_MS ? 'its owner was killed while taking it (the lock file is empty)' : null;
  if (owner.host === HOST) return processGone(owner.pid, owner.start) ? `its owner, process ${owner.pid}, is no longer running` : null;
  return ageMs > STALE_LOCK_MS ? `it was taken ${Math.round(ageMs / 1000)} s ago on host ${owner.host}, longer than any write takes` : null;
}

/**
 * Take the lock. A lock whose owner is gone is broken at once; only one breaker at a time
 * (the `.break` file), and it re-reads the lock first, so it never removes a lock that a live
 * writer took in the meantime. Returns the token written into the lock.
 */
async function acquireLock(lock: string, path: string): Promise<string> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  const owner: LockOwner = { pid: process.pid, host: HOST, start: SELF_START, since: 0, token: `${process.pid}-${Math.random().toString(36).slice(2)}` };
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.writeFile(lock, JSON.stringify({ ...owner, since: Date.now() }), { flag: 'wx' });
      return owner.token;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw toStorageError(err, path, 'lock');
    }
    const found = await readOwner(lock);
    if (found && staleReason(found)) {
      const breaker = `${lock}.break`;
      try {
        await fs.writeFile(breaker, String(process.pid), { flag: 'wx' });
        try {
          const again = await readOwner(lock);
          if (again && again.text === found.text && staleReason(again)) await fs.rm(lock, { force: true });
        } finally {
          await fs.rm(breaker, { force: true });
        }
        continue;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw toStorageError(err, path, 'lock');
        // Another writer is breaking it; a breaker killed mid-way leaves a file that ages out.
        try {
          if (Date.now() - (await fs.stat(breaker)).mtimeMs > EMPTY_LOCK_MS) await fs.rm(breaker, { force: true });
        } catch { /* gone */ }
      }
    }
    if (Date.now() > deadline) {
      const who = found?.owner
        ? `process ${found.owner.pid} on host ${found.owner.host}, since ${new Date(found.owner.since).toISOString()}, still holds it`
        : 'its owner is unknown';
      throw new StorageError('io', path, `Timed out after ${LOCK_WAIT_MS / 1000} s waiting for the lock ${lock}: ${who}. Another writer is busy; try again. If no other writer is running, delete that file.`);
    }
    await new Promise((r) => setTimeout(r, Math.min(5 * 2 ** attempt, 100)));
  }
}

/** Release the lock only if it is still ours (after a long stall it may have been broken). */
async function releaseLock(lock: string, token: string): Promise<void> {
  const found = await readOwner(lock);
  if (found?.owner?.token === token) await fs.rm(lock, { force: true });
}

function toStorageError(err: unknown, path: string, action: string): StorageError {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return new StorageError('not-found', path, `No file at "${path}".`);
  if (code === 'EEXIST') return new StorageError('already-exists', path, `"${path}" already exists; data and metadata files are write-once.`);
  if (code === 'EISDIR') return new StorageError('not-found', path, `"${path}" is a directory, not a file.`);
  return new StorageError('io', path, `Could not ${action} "${path}": ${(err as Error)?.message ?? err}`);
}

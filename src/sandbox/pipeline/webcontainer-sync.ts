/**
 * The warehouse between a WebContainer and the section's storage. The container's Node
 * writes the warehouse into its own in-memory file system (`warehouse/`); the SQL console,
 * the checks and the charts read the section's storage (the shipped warehouse with the
 * learner's OPFS layer on top). So:
 *
 *  - `mountInto` copies the section's warehouse into the container before the first command,
 *    so a command starts from the learner's state (checkpoint, earlier runs);
 *  - `syncBack` runs after each command and copies what the command wrote back through the
 *    section's storage, so the console sees the new tables at once.
 *
 * A WebContainer's fs has no stat(), so "what changed" is found by content: a fingerprint
 * per file as last seen on both sides. Iceberg data and metadata files and the catalog's
 * commits and trees are write-once (the Storage contract), so once known they are not read
 * again; only the few mutable files (branch heads, version hints, markers) are re-read.
 * A changed file goes through compareAndSwap, as the catalog itself moves a branch head.
 */
import type { Storage } from '../../../sandboxes/lakehouse/storage/storage.ts';

/** The part of WebContainer's `instance.fs` we use (an in-memory fake in the unit test). */
export interface ContainerDirent {
  name: string;
  isFile(): boolean;
  isDirectory(): boolean;
}
export interface ContainerFs {
  readdir(path: string, options: { withFileTypes: true }): Promise<ContainerDirent[]>;
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: string | Uint8Array): Promise<void>;
  mkdir(path: string, options: { recursive: true }): Promise<unknown>;
}

export type SyncTarget = Pick<Storage, 'read' | 'exists' | 'write' | 'delete' | 'compareAndSwap' | 'list'>;

/** Paths whose content never changes once written (data, manifests, metadata versions, catalog objects). */
export const WRITE_ONCE = /(^|\/)data\/|\.parquet$|\.avro$|\.metadata\.json$|^catalog\/(commits|trees)\//;

/** Size and FNV-1a hash: enough to tell two versions of a small pointer file apart. */
export function fingerprint(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `${bytes.length}:${h.toString(16)}`;
}

/** Every file under `dir` in the container, relative to it, sorted. A missing dir lists nothing. */
export async function listContainerFiles(fs: ContainerFs, dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    let entries: ContainerDirent[];
    try {
      entries = await fs.readdir(rel ? `${dir}/${rel}` : dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  await walk('');
  return out.sort();
}

export interface SyncReport {
  /** New files written into the section's storage. */
  written: string[];
  /** Files that existed and changed (branch heads, hints, markers). */
  changed: string[];
  /** Files the command removed (expired snapshots, compacted files). */
  deleted: string[];
  bytes: number;
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

export class WarehouseSync {
  private readonly fs: ContainerFs;
  private readonly target: SyncTarget;
  /** The container's warehouse folder (relative to the container's work dir). */
  readonly dir: string;
  /** path -> fingerprint, as it is on both sides after the last mount or sync. */
  private readonly known = new Map<string, string>();

  constructor(fs: ContainerFs, target: SyncTarget, dir = 'warehouse') {
    this.fs = fs;
    this.target = target;
    this.dir = dir;
  }

  /** Copy the section's whole warehouse into the container. Returns the files copied. */
  async mountInto(): Promise<{ files: number; bytes: number }> {
    let bytes = 0;
    const made = new Set<string>();
    const paths = await this.target.list('');
    for (const p of paths) {
      const data = await this.target.read(p);
      const parent = p.includes('/') ? `${this.dir}/${p.slice(0, p.lastIndexOf('/'))}` : this.dir;
      if (!made.has(parent)) {
        await this.fs.mkdir(parent, { recursive: true });
        made.add(parent);
      }
      await this.fs.writeFile(`${this.dir}/${p}`, data);
      this.known.set(p, fingerprint(data));
      bytes += data.length;
    }
    return { files: paths.length, bytes };
  }

  /** Copy what changed in the container's warehouse into the section's storage. */
  async syncBack(): Promise<SyncReport> {
    const report: SyncReport = { written: [], changed: [], deleted: [], bytes: 0 };
    const paths = await listContainerFiles(this.fs, this.dir);
    for (const p of paths) {
      if (this.known.has(p) && WRITE_ONCE.test(p)) continue;
      const data = await this.fs.readFile(`${this.dir}/${p}`);
      const fp = fingerprint(data);
      if (this.known.get(p) === fp) continue;
      if (await this.target.exists(p)) {
        const current = await this.target.read(p);
        if (fingerprint(current) !== fp) {
          // Nobody else writes this section's warehouse while a command runs, so the swap
          // from what is there to what the container wrote cannot lose a race.
          if (!(await this.target.compareAndSwap(p, text(current), text(data)))) throw new Error(`${p} changed in this browser while the command ran; run the command again.`);
          report.changed.push(p);
          report.bytes += data.length;
        }
      } else {
        await this.target.write(p, data);
        report.written.push(p);
        report.bytes += data.length;
      }
      this.known.set(p, fp);
    }
    const present = new Set(paths);
    for (const p of [...this.known.keys()]) {
      if (present.has(p)) continue;
      await this.target.delete(p);
      this.known.delete(p);
      report.deleted.push(p);
    }
    return report;
  }
}

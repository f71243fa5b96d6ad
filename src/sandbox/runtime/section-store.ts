/**
 * Where one section keeps the learner's things: its own warehouse layer and its own small
 * key/value state (edited pipeline files, query history, task results). Everything lives
 * under `phlo-sandbox/<section id>/` in the browser's private file system (OPFS), so two
 * sections never share state and a reload finds it again. Without OPFS (old browsers,
 * some private windows) the same shapes live in memory for the life of the page.
 */
import { MemoryStorage } from '../../../sandboxes/lakehouse/storage/memory.ts';
import { OpfsStorage } from '../../../sandboxes/lakehouse/storage/opfs.ts';
import type { Storage } from '../../../sandboxes/lakehouse/storage/storage.ts';

export const OPFS_ROOT = 'phlo-sandbox';

export async function opfsAvailable(): Promise<boolean> {
  try {
    if (!globalThis.navigator?.storage?.getDirectory) return false;
    const root = await navigator.storage.getDirectory();
    const probe = await root.getDirectoryHandle(OPFS_ROOT, { create: true });
    const f = await probe.getFileHandle('.probe', { create: true });
    // createWritable is what OpfsStorage writes with; Safari lacks it in the page.
    if (typeof (f as unknown as { createWritable?: unknown }).createWritable !== 'function') return false;
    return true;
  } catch {
    return false;
  }
}

/** A directory handle in OPFS by path segments, created when missing (OPFS names are one level each). */
export async function opfsDir(path: string[]): Promise<FileSystemDirectoryHandle> {
  let dir = await navigator.storage.getDirectory();
  for (const p of path) dir = await dir.getDirectoryHandle(p, { create: true });
  return dir;
}

/** OpfsStorage rooted at `phlo-sandbox/<section>/<part>`. */
export async function sectionOpfs(sectionId: string, part: 'warehouse' | 'state'): Promise<OpfsStorage> {
  return new OpfsStorage('', await opfsDir([OPFS_ROOT, sectionId, part]));
}

/** A tiny persistent key/value map over a Storage (values are JSON). */
export class KeyValueStore {
  readonly storage: Storage;
  constructor(storage: Storage) {
    this.storage = storage;
  }
  private path(key: string): string {
    return `kv/${encodeURIComponent(key)}.json`;
  }
  async get<T>(key: string): Promise<T | undefined> {
    const p = this.path(key);
    if (!(await this.storage.exists(p))) return undefined;
    const text = new TextDecoder().decode(await this.storage.read(p));
    if (text === '') return undefined;
    return JSON.parse(text) as T;
  }
  async set(key: string, value: unknown): Promise<void> {
    const p = this.path(key);
    const next = JSON.stringify(value);
    for (let i = 0; i < 10; i++) {
      const cur = (await this.storage.exists(p)) ? new TextDecoder().decode(await this.storage.read(p)) : null;
      if (await this.storage.compareAndSwap(p, cur, next)) return;
    }
    throw new Error(`Could not save "${key}": another tab kept changing it. Reload the page.`);
  }
  async delete(key: string): Promise<void> {
    await this.storage.delete(this.path(key));
  }
  async keys(prefix = ''): Promise<string[]> {
    return (await this.storage.list('kv'))
      .map((p) => decodeURIComponent(p.slice(3, -5)))
      .filter((k) => k.startsWith(prefix));
  }
}

export interface SectionStore {
  kind: 'opfs' | 'memory';
  /** The learner's layer of the warehouse. */
  warehouse: Storage;
  /** Edited files, history, task results. */
  state: KeyValueStore;
  /** Drop the warehouse layer (files and state stay unless `everything`). */
  clearWarehouse(): Promise<void>;
  clearEverything(): Promise<void>;
}

async function removeOpfsDir(path: string[]): Promise<void> {
  let dir = await navigator.storage.getDirectory();
  for (const p of path.slice(0, -1)) {
    try {
      dir = await dir.getDirectoryHandle(p);
    } catch {
      return;
    }
  }
  await dir.removeEntry(path[path.length - 1]!, { recursive: true }).catch(() => {});
}

const memoryStores = new Map<string, { warehouse: MemoryStorage; state: MemoryStorage }>();

export async function openSectionStore(sectionId: string, preferOpfs = true): Promise<SectionStore> {
  if (preferOpfs && (await opfsAvailable())) {
    const store: SectionStore = {
      kind: 'opfs',
      warehouse: await sectionOpfs(sectionId, 'warehouse'),
      state: new KeyValueStore(await sectionOpfs(sectionId, 'state')),
      async clearWarehouse() {
        await removeOpfsDir([OPFS_ROOT, sectionId, 'warehouse']);
        store.warehouse = await sectionOpfs(sectionId, 'warehouse');
      },
      async clearEverything() {
        await removeOpfsDir([OPFS_ROOT, sectionId]);
        store.warehouse = await sectionOpfs(sectionId, 'warehouse');
        store.state = new KeyValueStore(await sectionOpfs(sectionId, 'state'));
      },
    };
    return store;
  }
  let mem = memoryStores.get(sectionId);
  if (!mem) memoryStores.set(sectionId, (mem = { warehouse: new MemoryStorage(), state: new MemoryStorage() }));
  const store: SectionStore = {
    kind: 'memory',
    warehouse: mem.warehouse,
    state: new KeyValueStore(mem.state),
    async clearWarehouse() {
      mem!.warehouse = new MemoryStorage();
      store.warehouse = mem!.warehouse;
    },
    async clearEverything() {
      mem!.warehouse = new MemoryStorage();
      mem!.state = new MemoryStorage();
      store.warehouse = mem!.warehouse;
      store.state = new KeyValueStore(mem!.state);
    },
  };
  return store;
}

/**
 * The learner's warehouse: the prebuilt warehouse the site ships (read-only, over HTTP)
 * with the learner's own writes layered on top (OPFS, or memory when OPFS is missing).
 *
 * Iceberg and catalog files are write-once, so a file is either in the shipped warehouse or
 * in the learner's layer, never changed in place. The only mutable files are pointers (the
 * catalog's reference heads); the first time the learner moves one, the compare-and-swap
 * reads the shipped value as the expected base and writes the new head into the upper
 * layer, which from then on shadows the shipped pointer. Deleting the upper layer is
 * therefore an exact reset to the shipped state.
 */
import { StorageError, type Storage } from '../../../sandboxes/lakehouse/storage/storage.ts';

export class LayeredStorage implements Storage {
  readonly kind: string;
  readonly writable = true;
  readonly lower: Storage;
  readonly upper: Storage;

  constructor(lower: Storage, upper: Storage) {
    this.lower = lower;
    this.upper = upper;
    this.kind = `${upper.kind} over ${lower.kind}`;
  }

  async read(path: string): Promise<Uint8Array> {
    if (await this.upper.exists(path)) return this.upper.read(path);
    // Ask the shipped warehouse's index first: a lookup of an absent file (the catalog
    // probing branches/ before tags/) then costs no request and logs no 404.
    if (!(await this.lower.exists(path))) throw new StorageError('not-found', path, `No file at "${path}" in your warehouse or the shipped one.`);
    return this.lower.read(path);
  }

  async exists(path: string): Promise<boolean> {
    return (await this.upper.exists(path)) || (await this.lower.exists(path));
  }

  async write(path: string, bytes: Uint8Array): Promise<void> {
    if (await this.lower.exists(path)) {
      throw new StorageError('already-exists', path, `"${path}" already exists in the shipped warehouse; data and metadata files are write-once.`);
    }
    await this.upper.write(path, bytes);
  }

  async list(prefix: string): Promise<string[]> {
    const [a, b] = await Promise.all([this.lower.list(prefix).catch(() => [] as string[]), this.upper.list(prefix)]);
    return [...new Set([...a, ...b])].sort();
  }

  /** Only the learner's own files can go; shipped files stay (the catalog never deletes them). */
  async delete(path: string): Promise<void> {
    await this.upper.delete(path);
  }

  async compareAndSwap(path: string, expected: string | null, next: string): Promise<boolean> {
    if (await this.upper.exists(path)) return this.upper.compareAndSwap(path, expected, next);
    let shipped: string | null = null;
    if (await this.lower.exists(path)) shipped = new TextDecoder().decode(await this.lower.read(path));
    if (shipped !== expected) return false;
    // First move of this pointer by the learner: the upper layer starts shadowing it.
    return this.upper.compareAndSwap(path, null, next);
  }
}

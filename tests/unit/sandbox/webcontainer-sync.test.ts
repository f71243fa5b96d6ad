/**
 * The warehouse sync between a WebContainer and the section's storage, against an
 * in-memory fake of WebContainer's fs API (readdir withFileTypes, readFile, writeFile,
 * mkdir) and the section's real layering (shipped warehouse + learner layer).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage } from '../../../sandboxes/lakehouse/storage/memory.ts';
import { LayeredStorage } from '../../../src/sandbox/runtime/layered-storage.ts';
import { WarehouseSync, listContainerFiles, fingerprint, WRITE_ONCE, type ContainerFs, type ContainerDirent } from '../../../src/sandbox/pipeline/webcontainer-sync.ts';

/** WebContainer's fs, in memory: files by full path; folders implied, as mkdir -p makes them. */
class FakeContainerFs implements ContainerFs {
  readonly files = new Map<string, Uint8Array>();
  readonly dirs = new Set<string>();
  reads: string[] = [];
  async readdir(path: string, _o: { withFileTypes: true }): Promise<ContainerDirent[]> {
    if (!this.dirs.has(path)) throw Object.assign(new Error(`ENOENT: no such file or directory, scandir '${path}'`), { code: 'ENOENT' });
    const names = new Map<string, boolean>();
    for (const f of this.files.keys()) if (f.startsWith(path + '/')) names.set(f.slice(path.length + 1).split('/')[0]!, !f.slice(path.length + 1).includes('/'));
    for (const d of this.dirs) if (d.startsWith(path + '/')) names.set(d.slice(path.length + 1).split('/')[0]!, false);
    return [...names].map(([name, isFile]) => ({ name, isFile: () => isFile, isDirectory: () => !isFile }));
  }
  async readFile(path: string): Promise<Uint8Array> {
    this.reads.push(path);
    const b = this.files.get(path);
    if (!b) throw new Error(`ENOENT: ${path}`);
    return b.slice();
  }
  async writeFile(path: string, data: string | Uint8Array): Promise<void> {
    const parent = path.slice(0, path.lastIndexOf('/'));
    if (parent && !this.dirs.has(parent)) throw new Error(`ENOENT: no folder ${parent}`);
    this.files.set(path, typeof data === 'string' ? new TextEncoder().encode(data) : data.slice());
  }
  async mkdir(path: string, _o: { recursive: true }): Promise<unknown> {
    const parts = path.split('/');
    for (let i = 1; i <= parts.length; i++) this.dirs.add(parts.slice(0, i).join('/'));
    return undefined;
  }
  /** What a command in the container does: write a file, making its folders. */
  async put(path: string, text: string) {
    await this.mkdir(path.slice(0, path.lastIndexOf('/')), { recursive: true });
    await this.writeFile(path, text);
  }
  delete(path: string) {
    this.files.delete(path);
  }
}

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

async function section() {
  const shipped = new MemoryStorage();
  await shipped.write('catalog/refs/branches/main', enc('c1'));
  await shipped.write('catalog/commits/c1.json', enc('{"commit":"c1"}'));
  await shipped.write('raw/glucose_entries/data/a.parquet', enc('PAR1-a'));
  await shipped.write('raw/glucose_entries/metadata/v1.metadata.json', enc('{"v":1}'));
  const learner = new MemoryStorage();
  await learner.write('pipeline/runs/r0.json', enc('{"run":"r0"}'));
  return { shipped, learner, storage: new LayeredStorage(shipped, learner) };
}

test('mountInto copies the section warehouse (shipped + learner layer) into the container', async () => {
  const { storage } = await section();
  const fs = new FakeContainerFs();
  const sync = new WarehouseSync(fs, storage);
  const m = await sync.mountInto();
  assert.equal(m.files, 5);
  assert.deepEqual(await listContainerFiles(fs, 'warehouse'), ['catalog/commits/c1.json', 'catalog/refs/branches/main', 'pipeline/runs/r0.json', 'raw/glucose_entries/data/a.parquet', 'raw/glucose_entries/metadata/v1.metadata.json']);
  assert.equal(dec(await fs.readFile('warehouse/catalog/refs/branches/main')), 'c1');
  // Nothing changed: a sync writes nothing and re-reads only the mutable files.
  fs.reads = [];
  const r = await sync.syncBack();
  assert.deepEqual([r.written, r.changed, r.deleted], [[], [], []]);
  assert.deepEqual(fs.reads, ['warehouse/catalog/refs/branches/main', 'warehouse/pipeline/runs/r0.json']);
});

test('syncBack writes what a command wrote into the learner layer: new files, a moved branch head, removed files', async () => {
  const { shipped, learner, storage } = await section();
  const fs = new FakeContainerFs();
  const sync = new WarehouseSync(fs, storage);
  await sync.mountInto();
  // A run in the container: a new data file and metadata version, a commit, main moves, a run record; the run also removes a file of its own layer.
  await fs.put('warehouse/raw/glucose_entries/data/b.parquet', 'PAR1-b');
  await fs.put('warehouse/raw/glucose_entries/metadata/v2.metadata.json', '{"v":2}');
  await fs.put('warehouse/catalog/commits/c2.json', '{"commit":"c2"}');
  await fs.writeFile('warehouse/catalog/refs/branches/main', 'c2');
  await fs.put('warehouse/pipeline/runs/r1.json', '{"run":"r1"}');
  fs.delete('warehouse/pipeline/runs/r0.json');

  const r = await sync.syncBack();
  assert.deepEqual(r.written, ['catalog/commits/c2.json', 'pipeline/runs/r1.json', 'raw/glucose_entries/data/b.parquet', 'raw/glucose_entries/metadata/v2.metadata.json']);
  assert.deepEqual(r.changed, ['catalog/refs/branches/main']);
  assert.deepEqual(r.deleted, ['pipeline/runs/r0.json']);
  // The section sees main at c2 at once; the shipped warehouse is untouched (a reset still restores it).
  assert.equal(dec(await storage.read('catalog/refs/branches/main')), 'c2');
  assert.equal(dec(await shipped.read('catalog/refs/branches/main')), 'c1');
  assert.equal(dec(await learner.read('raw/glucose_entries/data/b.parquet')), 'PAR1-b');
  assert.equal(await learner.exists('pipeline/runs/r0.json'), false);

  // A second sync has nothing to do and does not read the write-once files again.
  fs.reads = [];
  const again = await sync.syncBack();
  assert.deepEqual([again.written, again.changed, again.deleted], [[], [], []]);
  assert.ok(fs.reads.every((p) => !WRITE_ONCE.test(p.slice('warehouse/'.length))), fs.reads.join(', '));
});

test('a branch head moved in this browser during the command is reported, not overwritten', async () => {
  const { storage } = await section();
  const fs = new FakeContainerFs();
  const sync = new WarehouseSync(fs, {
    ...bind(storage),
    // Another writer moves main between our read and our swap.
    compareAndSwap: async () => false,
  });
  await sync.mountInto();
  await fs.writeFile('warehouse/catalog/refs/branches/main', 'c9');
  await assert.rejects(sync.syncBack(), /catalog\/refs\/branches\/main changed in this browser/);
});

test('an empty or missing container warehouse lists nothing; fingerprints tell versions apart', async () => {
  assert.deepEqual(await listContainerFiles(new FakeContainerFs(), 'warehouse'), []);
  assert.notEqual(fingerprint(enc('c1')), fingerprint(enc('c2')));
  assert.equal(fingerprint(enc('same')), fingerprint(enc('same')));
  assert.ok(WRITE_ONCE.test('gold/x/data/part-0.parquet') && WRITE_ONCE.test('catalog/trees/ab.json') && !WRITE_ONCE.test('catalog/refs/branches/main'));
});

function bind(s: LayeredStorage) {
  return { read: s.read.bind(s), exists: s.exists.bind(s), write: s.write.bind(s), delete: s.delete.bind(s), compareAndSwap: s.compareAndSwap.bind(s), list: s.list.bind(s) };
}

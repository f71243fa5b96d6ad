// Child process for catalog-integrity.test.ts: build a catalog on disk whose history loops
// (the root commit's file rewritten to name the head as its parent), then run one reader.
// Prints the error message and exits 1, or prints "ok" and exits 0. Run with a time limit:
// before commits were verified, `log` and `main*time` spun here forever.
import { mkdtempSync } from 'node:fs';
import { writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
const { NodeFsStorage } = await import('../../../sandboxes/lakehouse/storage/node-fs.ts');
const { openCatalog } = await import('../../../sandboxes/lakehouse/catalog/catalog.ts');

const dir = mkdtempSync(path.join(tmpdir(), 'phlo-loop-'));
let t = Date.UTC(2026, 0, 1);
const clock = () => new Date((t += 1000));
const c = await openCatalog(new NodeFsStorage(dir), { clock });
const [root] = await c.log('main');
const one = await c.commit('main', [{ type: 'PUT', key: 'glucose.raw', metadataLocation: 'a' }], { message: 'one' });
const file = path.join(dir, 'catalog', 'commits', `${root.hash}.json`);
const object = JSON.parse(await readFile(file, 'utf8'));
object.parents = [one.hash];
await writeFile(file, JSON.stringify(object));

const fresh = await openCatalog(new NodeFsStorage(dir, { readOnly: true }));
if (process.argv[3] === 'cached') {
  // A cycle that passed verification (only a SHA-256 collision could make one): injected
  // into the cache of trusted objects, to test the walks' own cycle check.
  fresh.commits.set(root.hash, Promise.resolve({ ...root, parents: [one.hash] }));
}
try {
  const what = process.argv[2];
  if (what === 'log') await fresh.log('main');
  else if (what === 'time') await fresh.resolve('main*2020-01-01T00:00:00Z');
  else if (what === 'tilde') await fresh.resolve('main~1000000');
  else if (what === 'base') await fresh.mergeBase(one.hash, one.hash);
  console.log('ok');
} catch (err) {
  console.log(`${err.name} ${err.code ?? ''}: ${err.message}`);
  process.exitCode = 1;
}

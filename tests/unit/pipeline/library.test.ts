import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { GLUCOSE_PROJECT_FILES, loadProject, Pipeline, runCommand } from '../../../sandboxes/pipeline/index.ts';
import { readProjectFiles, GLUCOSE_PROJECT_DIR } from '../../../sandboxes/pipeline/transform/load-dir.ts';
import { renderProjectModule } from '../../../sandboxes/pipeline/cli/bundle-project.ts';

test('the bundled project module matches the project folder (run cli/bundle-project.ts after edits)', () => {
  const onDisk = readProjectFiles(GLUCOSE_PROJECT_DIR);
  assert.deepEqual(GLUCOSE_PROJECT_FILES, onDisk);
  assert.equal(readFileSync(`${GLUCOSE_PROJECT_DIR}/files.generated.ts`, 'utf8'), renderProjectModule(onDisk));
  assert.equal(loadProject(GLUCOSE_PROJECT_FILES).models.size, 6);
  assert.equal(typeof Pipeline, 'function');
});

test('the library entry and browser-side modules import nothing from node:*', () => {
  const seen = new Set<string>();
  const nodeOnly = new Set(['transform/load-dir.ts', 'lakehouse/open-node.ts', 'cli/node-wiring.ts', 'cli/build-warehouse.ts', 'cli/bundle-project.ts', 'cli/main.ts']);
  const root = new URL('../../../sandboxes/pipeline/', import.meta.url);
  const walk = (rel: string) => {
    if (seen.has(rel)) return;
    seen.add(rel);
    assert.ok(!nodeOnly.has(rel), `${rel} is Node-only but reachable from index.ts`);
    const text = readFileSync(new URL(rel, root), 'utf8');
    assert.doesNotMatch(text, /from 'node:/, `${rel} imports a node: module`);
    for (const m of text.matchAll(/from '(\.[^']+\.ts)'/g)) {
      const next = new URL(m[1], new URL(rel, root)).pathname;
      const base = root.pathname;
      if (next.startsWith(base)) walk(next.slice(base.length));
    }
  };
  walk('index.ts');
  assert.ok(seen.size > 20);
});

test('the command line prints usage and refuses unknown commands with a pointer to help', async () => {
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
  const wiring = { open: async () => { throw new Error('not needed'); } };
  assert.equal(await runCommand([], wiring, io), 2);
  assert.match(out.join('\n'), /materialize \[ASSET\.\.\.\] \[--partition DAY\]/);
  assert.equal(await runCommand(['frobnicate'], wiring, io), 2);
  assert.match(err.at(-1)!, /Unknown command "frobnicate"/);
});

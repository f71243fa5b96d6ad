/**
 * The WebContainer cannot boot on this machine, so we prove the file tree it would mount:
 * written to a temporary folder (with this project's node_modules standing in for the
 * packages it lists) and run with Node, it lists the asset graph and materialises a day.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, readdirSync, statSync, symlinkSync, rmSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { webcontainerTree, settingsToFlags, PIPELINE_ENTRY, type FileTree } from '../../../src/sandbox/pipeline/webcontainer-tree.ts';
import { readProjectFiles, GLUCOSE_PROJECT_DIR } from '../../../sandboxes/pipeline/transform/load-dir.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function sourcesUnder(dir: string, out: Record<string, string> = {}): Record<string, string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sourcesUnder(p, out);
    else if (name.endsWith('.ts')) out[relative(ROOT, p).split('\\').join('/')] = readFileSync(p, 'utf8');
  }
  return out;
}

function writeTree(tree: FileTree, dir: string): void {
  for (const [name, node] of Object.entries(tree)) {
    const p = join(dir, name);
    if ('directory' in node) {
      mkdirSync(p, { recursive: true });
      writeTree(node.directory, p);
    } else writeFileSync(p, node.file.contents);
  }
}

test('the WebContainer file tree runs the pipeline CLI with Node', { timeout: 180_000 }, () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const project = readProjectFiles(GLUCOSE_PROJECT_DIR);
  // A learner's edit travels into the tree.
  const model = Object.keys(project).find((p) => p.endsWith('fct_daily_glucose_metrics.sql'))!;
  project[model] = `-- edited in the sandbox\n${project[model]}`;
  const tree = webcontainerTree({
    sources: { ...sourcesUnder(join(ROOT, 'sandboxes', 'lakehouse')), ...sourcesUnder(join(ROOT, 'sandboxes', 'pipeline')) },
    project,
    dependencies: pkg.dependencies,
  });
  const dir = mkdtempSync(join(tmpdir(), 'phlo-wc-'));
  try {
    writeTree(tree, dir);
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    assert.ok(readFileSync(join(dir, 'sandboxes/pipeline/project', model), 'utf8').startsWith('-- edited in the sandbox'));
    assert.doesNotMatch(readFileSync(join(dir, 'sandboxes/pipeline/cli/main.js'), 'utf8'), /from '\.[^']*\.ts'/);

    const run = (...args: string[]) => spawnSync(process.execPath, [PIPELINE_ENTRY, '--warehouse', 'wh', ...args], { cwd: dir, encoding: 'utf8', timeout: 150_000 });
    const assets = run('assets');
    assert.equal(assets.status, 0, assets.stderr);
    assert.match(assets.stdout, /dlt_glucose_entries/);
    assert.match(assets.stdout, /fct_daily_glucose_metrics/);

    const day = run('materialize', 'dlt_glucose_entries', '--partition', '2025-01-02', ...settingsToFlags({ seed: 'phlo' }));
    assert.equal(day.status, 0, day.stderr + day.stdout);
    assert.match(day.stdout, /succeeded/);
    const count = run('sql', 'select count(*) as n from raw.glucose_entries', '--json');
    assert.equal(count.status, 0, count.stderr);
    assert.ok(Number(/"n":\s*(\d+)/.exec(count.stdout)?.[1]) > 200, count.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('settings from pipeline.config.ts become the CLI flags', () => {
  assert.deepEqual(settingsToFlags({ seed: 'p2', badDays: { '2025-01-09': 'impossible' } }), ['--seed', 'p2', '--bad-day', '2025-01-09:impossible']);
  assert.deepEqual(settingsToFlags({}), []);
});

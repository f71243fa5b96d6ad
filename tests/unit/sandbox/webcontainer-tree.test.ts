/**
 * The WebContainer cannot boot on this machine, so we prove the file tree it would mount:
 * the CLI is prebundled afresh (scripts/bundle-webcontainer.mjs), the tree is written to a
 * temporary folder with NO node_modules anywhere, and Node runs it: it lists the asset graph,
 * materialises a day and answers SQL. So a container needs no `npm install`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { join, dirname, parse } from 'node:path';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { webcontainerTree, settingsToFlags, entrySource, PIPELINE_ENTRY, BUNDLE_ENTRY, type FileTree } from '../../../src/sandbox/pipeline/webcontainer-tree.ts';
import { readProjectFiles, GLUCOSE_PROJECT_DIR } from '../../../sandboxes/pipeline/transform/load-dir.ts';
import { bundleWebContainer, BUNDLE_ENTRY as SCRIPT_ENTRY } from '../../../scripts/bundle-webcontainer.mjs';

interface Manifest { entry: string; files: { path: string; size: number; binary: boolean }[]; bytes: number; ms: number }

function writeTree(tree: FileTree, dir: string): void {
  for (const [name, node] of Object.entries(tree)) {
    const p = join(dir, name);
    if ('directory' in node) {
      mkdirSync(p, { recursive: true });
      writeTree(node.directory, p);
    } else writeFileSync(p, node.file.contents);
  }
}

/** No node_modules in the folder or any folder above it: imports can only be satisfied by the bundle. */
function noNodeModulesAbove(dir: string): boolean {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, 'node_modules'))) return false;
    if (d === parse(d).root) return true;
  }
}

function node(cwd: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, NODE_PATH: '' }, timeout: 120_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b));
    child.stderr.on('data', (b: Buffer) => (stderr += b));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

test('the prebundled WebContainer tree runs the pipeline CLI with Node and no node_modules', { timeout: 240_000 }, async () => {
  const t0 = performance.now();
  const work = mkdtempSync(join(tmpdir(), 'phlo-wc-'));
  try {
    const manifest = (await bundleWebContainer(join(work, 'bundle'))) as Manifest;
    assert.equal(manifest.entry, BUNDLE_ENTRY);
    assert.equal(SCRIPT_ENTRY, BUNDLE_ENTRY);
    const paths = manifest.files.map((f) => f.path);
    for (const f of ['lib/duckdb-node-eh.worker.cjs', 'lib/duckdb-eh.wasm', 'lib/parquet_wasm_bg.wasm', 'lib/pglite.wasm', 'lib/pglite.data']) assert.ok(paths.includes(f), `${f} is in the bundle`);
    // Binary files travel as bytes, the way the browser hands them to WebContainer.mount().
    const bundle: Record<string, string | Uint8Array> = {};
    for (const f of manifest.files) bundle[f.path] = f.binary ? new Uint8Array(readFileSync(join(work, 'bundle', f.path))) : readFileSync(join(work, 'bundle', f.path), 'utf8');
    assert.doesNotMatch(bundle[BUNDLE_ENTRY] as string, /from ?["'](apache-arrow|zod|yaml|hyparquet|parquet-wasm|@duckdb|@electric-sql)/, 'no npm import is left in the bundle');

    const project = readProjectFiles(GLUCOSE_PROJECT_DIR);
    // A learner's edit travels into the tree.
    const model = Object.keys(project).find((p) => p.endsWith('fct_daily_glucose_metrics.sql'))!;
    project[model] = `-- edited in the sandbox\n${project[model]}`;
    const tree = webcontainerTree({ bundle, project, settings: { seed: 'phlo' } });
    assert.ok(!('node_modules' in tree));
    const pkg = JSON.parse((tree['package.json'] as { file: { contents: string } }).file.contents) as Record<string, unknown>;
    assert.equal(pkg.dependencies, undefined, 'package.json lists no dependencies');

    const dir = join(work, 'container');
    mkdirSync(dir);
    writeTree(tree, dir);
    assert.ok(noNodeModulesAbove(dir), `${dir} must have no node_modules above it`);
    assert.ok(readFileSync(join(dir, 'project', model), 'utf8').startsWith('-- edited in the sandbox'));

    const run = (...args: string[]) => node(dir, [PIPELINE_ENTRY, ...args]);
    const assets = await run('assets');
    assert.equal(assets.status, 0, assets.stderr);
    assert.match(assets.stdout, /dlt_glucose_entries/);
    assert.match(assets.stdout, /fct_daily_glucose_metrics/);

    const day = await run('materialize', 'dlt_glucose_entries', '--partition', '2025-01-02');
    assert.equal(day.status, 0, day.stderr + day.stdout);
    assert.match(day.stdout, /succeeded/);
    assert.ok(existsSync(join(dir, 'warehouse')), 'the CLI writes its default warehouse folder, which the sync copies back');
    const count = await run('sql', 'select count(*) as n from raw.glucose_entries', '--json');
    assert.equal(count.status, 0, count.stderr);
    assert.ok(Number(/"n":\s*(\d+)/.exec(count.stdout)?.[1]) > 200, count.stdout);
    console.log(`webcontainer tree: bundle ${(manifest.bytes / 2 ** 20).toFixed(1)} MiB in ${manifest.ms} ms; whole test ${Math.round(performance.now() - t0)} ms`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('settings from pipeline.config.ts become the CLI flags, ahead of the typed ones', () => {
  assert.deepEqual(settingsToFlags({ seed: 'p2', badDays: { '2025-01-09': 'impossible' } }), ['--seed', 'p2', '--bad-day', '2025-01-09:impossible']);
  assert.deepEqual(settingsToFlags({}), []);
  assert.match(entrySource({ seed: 'p2' }), /const settings = \["--seed","p2"\];\nprocess\.argv\.splice\(2, 0, \.\.\.settings\);/);
});

test('a tree without the bundle says what to do', () => {
  assert.throws(() => webcontainerTree({ bundle: {}, project: {} }), /scripts\/bundle-webcontainer\.mjs/);
});

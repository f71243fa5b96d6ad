/**
 * The WebContainer cannot boot on this machine, so we prove the file tree it would mount:
 * the CLI is prebundled afresh (scripts/bundle-webcontainer.mjs), the tree is written to a
 * temporary folder with NO node_modules anywhere, and Node runs it: it lists the asset graph,
 * materialises a day and answers SQL. So a container needs no `npm install`.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, existsSync, rmSync, cpSync } from 'node:fs';
import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { join, dirname, parse } from 'node:path';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { webcontainerTree, settingsToFlags, entrySource, PIPELINE_ENTRY, BUNDLE_ENTRY, type FileTree } from '../../../src/sandbox/pipeline/webcontainer-tree.ts';
import { WebContainerRunner, fetchPrebundled, type WebContainerLike, type ContainerProcess } from '../../../src/sandbox/pipeline/webcontainer-runner.ts';
import { learnerProject } from '../../../src/sandbox/pipeline/learner-files.ts';
import { LayeredStorage } from '../../../src/sandbox/runtime/layered-storage.ts';
import { MemoryStorage } from '../../../sandboxes/lakehouse/storage/memory.ts';
import { openLakehouse } from '../../../sandboxes/pipeline/lakehouse/open.ts';
import { createNodeEngine } from '../../../sandboxes/lakehouse/sql/duckdb-node.ts';
import { readProjectFiles, GLUCOSE_PROJECT_DIR } from '../../../sandboxes/pipeline/transform/load-dir.ts';
import { bundleWebContainer, BUNDLE_ENTRY as SCRIPT_ENTRY } from '../../../scripts/bundle-webcontainer.mjs';
import { splitLargeFiles } from '../../../scripts/static-hosts.mjs';

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

const work = mkdtempSync(join(tmpdir(), 'phlo-wc-'));
after(() => rmSync(work, { recursive: true, force: true }));
/** One fresh bundle for the tests of this file (esbuild: a few seconds). */
let bundled: Promise<Manifest> | null = null;
const bundleOnce = () => (bundled ??= bundleWebContainer(join(work, 'bundle')) as Promise<Manifest>);

test('the prebundled WebContainer tree runs the pipeline CLI with Node and no node_modules', { timeout: 240_000 }, async () => {
  const t0 = performance.now();
  {
    const manifest = await bundleOnce();
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
    // As on an older Node (a WebContainer's may lack process.getBuiltinModule): Parquet still loads beside the bundle.
    const count = await node(dir, ['--import', 'data:text/javascript,delete process.getBuiltinModule', PIPELINE_ENTRY, 'sql', 'select count(*) as n from raw.glucose_entries', '--json']);
    assert.equal(count.status, 0, count.stderr);
    assert.ok(Number(/"n":\s*(\d+)/.exec(count.stdout)?.[1]) > 200, count.stdout);
    console.log(`webcontainer tree: bundle ${(manifest.bytes / 2 ** 20).toFixed(1)} MiB in ${manifest.ms} ms; whole test ${Math.round(performance.now() - t0)} ms`);
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

/**
 * WebContainer's API, played by Node on a temporary folder: mount writes the tree, fs is
 * the folder, spawn runs real processes (output as one string stream, like a terminal).
 */
class NodeContainer implements WebContainerLike {
  readonly dir: string;
  spawned: string[][] = [];
  constructor(dir: string) {
    this.dir = dir;
  }
  private at = (p: string) => join(this.dir, p);
  fs = {
    readdir: async (p: string, _o: { withFileTypes: true }) => readdir(this.at(p), { withFileTypes: true }),
    readFile: async (p: string) => new Uint8Array(await readFile(this.at(p))),
    writeFile: async (p: string, data: string | Uint8Array) => writeFile(this.at(p), data),
    mkdir: async (p: string, o: { recursive: true }) => mkdir(this.at(p), o),
  };
  async mount(tree: FileTree): Promise<void> {
    writeTree(tree, this.dir);
  }
  async spawn(command: string, args: string[]): Promise<ContainerProcess> {
    this.spawned.push([command, ...args]);
    const child = spawn(command === 'node' ? process.execPath : command, args, { cwd: this.dir, env: { ...process.env, NODE_PATH: '' } });
    const output = new ReadableStream<string>({
      start(c) {
        let open = 2;
        const end = () => --open === 0 && c.close();
        child.stdout.on('data', (b: Buffer) => c.enqueue(b.toString()));
        child.stderr.on('data', (b: Buffer) => c.enqueue(b.toString()));
        child.stdout.on('end', end);
        child.stderr.on('end', end);
      },
    });
    return {
      output,
      input: new WritableStream<string>({ write: (d) => void child.stdin.write(d) }),
      exit: new Promise<number>((res) => child.on('close', (code) => res(code ?? 1))),
      kill: () => child.kill(),
      resize: () => {},
    };
  }
}

test('the WebContainer runner: fetched bundle (split parts joined), mounted tree, a run synced back into the section storage', { timeout: 240_000 }, async () => {
  const t0 = performance.now();
  await bundleOnce();
  // The site as a static host serves it: DuckDB's .wasm cut into parts (scripts/static-hosts.mjs).
  const site = join(work, 'site');
  cpSync(join(work, 'bundle'), site, { recursive: true });
  assert.ok(splitLargeFiles(site).some((s: { file: string }) => s.file.endsWith('duckdb-eh.wasm')));
  const fromDisk = async (url: string) => {
    const p = join(site, new URL(url).pathname);
    return existsSync(p) ? new Response(readFileSync(p)) : new Response('not found', { status: 404 });
  };
  const { bundle } = await fetchPrebundled('http://site.test/', fromDisk);
  assert.equal((bundle['lib/duckdb-eh.wasm'] as Uint8Array).length, readFileSync(join(work, 'bundle/lib/duckdb-eh.wasm')).length);

  const dir = join(work, 'runner');
  mkdirSync(dir);
  const wc = new NodeContainer(dir);
  const shipped = readProjectFiles(GLUCOSE_PROJECT_DIR);
  // The section's storage: an (empty) shipped warehouse with the learner's layer on top.
  const learnerLayer = new MemoryStorage();
  const storage = new LayeredStorage(new MemoryStorage(), learnerLayer);
  const runner = await WebContainerRunner.start(
    {
      wc,
      bundle,
      project: shipped,
      storage,
      learner: async (edits) => ({ project: learnerProject(shipped, edits), settings: { seed: edits['pipeline.config.ts'] ? 'edited' : 'phlo' } }),
      fallback: { lineage: async () => ({ nodes: [], edges: [] }) as never, postgres: async () => ({ ok: false, notPublished: true, error: 'n/a' }) as never },
    },
    {},
  );
  const model = Object.keys(shipped).find((p) => p.endsWith('fct_daily_glucose_metrics.sql'))!;
  const out: string[] = [];
  const events: string[] = [];
  const res = await runner.run(
    'npm run pipeline -- materialize dlt_glucose_entries --partition 2025-01-02',
    { [model]: `-- edited\n${shipped[model]}` },
    { out: (l) => out.push(l), err: (l) => out.push(l) },
    (e) => events.push(e.type),
  );
  assert.equal(res.code, 0, out.join('\n'));
  assert.deepEqual(wc.spawned.at(-1), ['node', PIPELINE_ENTRY, 'materialize', 'dlt_glucose_entries', '--partition', '2025-01-02']);
  assert.ok(out.some((l) => /succeeded/.test(l)), out.join('\n'));
  assert.ok(readFileSync(join(dir, 'project', model), 'utf8').startsWith('-- edited'), 'the learner edit was written before the run');
  assert.equal(res.run?.status, 'SUCCESS');
  assert.ok(events.includes('MATERIALIZATION'), events.join(' '));
  // What the container wrote is now in the learner's layer: the section's SQL sees the rows.
  assert.ok((await learnerLayer.list('raw/glucose_entries')).some((p) => p.endsWith('.parquet')));
  const lake = await openLakehouse({ storage, engine: await createNodeEngine() });
  try {
    const t = await lake.query('select count(*) as n from raw.glucose_entries', 'main');
    assert.equal(Number(t.getChild('n')!.get(0)), 264);
  } finally {
    await lake.close();
  }
  console.log(`webcontainer runner: start + one run + sync ${Math.round(performance.now() - t0)} ms`);
});

/**
 * The pipeline CLI prebundled for a WebContainer (or any bare Node.js): one self-contained
 * ES module with every npm dependency inside, so the learner's container needs no
 * `npm install` (which would mean the network and a minute of waiting).
 *
 * Written into <out> (the built site's `webcontainer/` folder, or a test's temp folder):
 *
 *   lib/pipeline.mjs                 sandboxes/pipeline/cli/main.ts + apache-arrow, zod, yaml,
 *                                    hyparquet, parquet-wasm, DuckDB-WASM's Node build, PGlite
 *   lib/duckdb-node-eh.worker.cjs    DuckDB's worker_threads script (+ its apache-arrow)
 *   lib/duckdb-eh.wasm               loaded by the worker from the bundle's folder
 *   lib/parquet_wasm_bg.wasm         read by sandboxes/lakehouse/iceberg/parquet.ts
 *   lib/pglite.wasm, pglite.data, initdb.wasm   found by PGlite via new URL(..., import.meta.url)
 *   plugins/examples/github-events.sample.json  read as ../plugins/... from lib/ (plugin helpers)
 *   manifest.json                    the files above with sizes, for the browser to fetch
 *
 * The bundle lives in lib/ because the CLI finds the glucose project as `../project` from
 * its own module (sandboxes/pipeline/transform/load-dir.ts): the tree mounts it at project/.
 * `__PHLO_PREBUNDLED__` tells duckdb-node.ts and parquet.ts to look beside the bundle
 * instead of in node_modules.
 *
 * Usage: node scripts/bundle-webcontainer.mjs <out>   (scripts/build.mjs calls it with dist/webcontainer)
 */
import { mkdirSync, copyFileSync, statSync, writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(ROOT, 'package.json'));

/** Where the tree mounts the bundle (relative to the container's project root). */
export const BUNDLE_DIR = 'lib';
export const BUNDLE_ENTRY = `${BUNDLE_DIR}/pipeline.mjs`;

// An ES module bundle still contains CommonJS packages (DuckDB's Node build, parts of
// PGlite) that call require() and read __dirname; give them Node's, for the bundle's file.
const ESM_BANNER = [
  "import { createRequire as __phloCreateRequire } from 'node:module';",
  "import { fileURLToPath as __phloFileURLToPath } from 'node:url';",
  "import { dirname as __phloDirname } from 'node:path';",
  'const require = __phloCreateRequire(import.meta.url);',
  'const __filename = __phloFileURLToPath(import.meta.url);',
  'const __dirname = __phloDirname(__filename);',
].join('\n');

/** Files copied as they are: [package path, where it goes in <out>]. */
function assetFiles() {
  const dir = (spec) => path.dirname(require.resolve(spec));
  const duckdb = dir('@duckdb/duckdb-wasm/dist/duckdb-node.cjs');
  const pglite = dir('@electric-sql/pglite');
  const parquet = dir('parquet-wasm/esm/parquet_wasm_bg.wasm');
  return [
    [path.join(duckdb, 'duckdb-eh.wasm'), `${BUNDLE_DIR}/duckdb-eh.wasm`],
    [path.join(parquet, 'parquet_wasm_bg.wasm'), `${BUNDLE_DIR}/parquet_wasm_bg.wasm`],
    [path.join(pglite, 'pglite.wasm'), `${BUNDLE_DIR}/pglite.wasm`],
    [path.join(pglite, 'pglite.data'), `${BUNDLE_DIR}/pglite.data`],
    [path.join(pglite, 'initdb.wasm'), `${BUNDLE_DIR}/initdb.wasm`],
    [path.join(ROOT, 'sandboxes/pipeline/plugins/examples/github-events.sample.json'), 'plugins/examples/github-events.sample.json'],
  ];
}

/**
 * Bundle the CLI into `out` and return the manifest written there:
 * { entry, files: [{ path, size, binary }], bytes, ms }.
 */
export async function bundleWebContainer(out) {
  const t0 = performance.now();
  rmSync(out, { recursive: true, force: true });
  mkdirSync(path.join(out, BUNDLE_DIR), { recursive: true });
  const common = { bundle: true, platform: 'node', target: 'node18', logLevel: 'silent', legalComments: 'none', minify: true };
  await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: [path.join(ROOT, 'sandboxes/pipeline/cli/main.ts')],
      outfile: path.join(out, BUNDLE_ENTRY),
      format: 'esm',
      banner: { js: ESM_BANNER },
      define: { __PHLO_PREBUNDLED__: 'true' },
      // ws (inside DuckDB's build) tries these optional native speed-ups in a try/catch.
      external: ['bufferutil', 'utf-8-validate'],
    }),
    esbuild.build({
      ...common,
      entryPoints: [require.resolve('@duckdb/duckdb-wasm/dist/duckdb-node-eh.worker.cjs')],
      outfile: path.join(out, BUNDLE_DIR, 'duckdb-node-eh.worker.cjs'),
      format: 'cjs',
      external: ['bufferutil', 'utf-8-validate'],
    }),
  ]);
  for (const [from, to] of assetFiles()) {
    mkdirSync(path.dirname(path.join(out, to)), { recursive: true });
    copyFileSync(from, path.join(out, to));
  }
  const paths = [BUNDLE_ENTRY, `${BUNDLE_DIR}/duckdb-node-eh.worker.cjs`, ...assetFiles().map(([, to]) => to)];
  const files = paths.map((p) => ({ path: p, size: statSync(path.join(out, p)).size, binary: /\.(wasm|data)$/.test(p) }));
  const manifest = { entry: BUNDLE_ENTRY, files, bytes: files.reduce((n, f) => n + f.size, 0) };
  writeFileSync(path.join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return { ...manifest, ms: Math.round(performance.now() - t0) };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = path.resolve(process.argv[2] ?? 'dist/webcontainer');
  const m = await bundleWebContainer(out);
  const mb = (n) => (n / 2 ** 20).toFixed(1);
  console.log(`webcontainer: ${m.files.length} files, ${mb(m.bytes)} MiB (bundle ${mb(m.files[0].size)} MiB) in ${m.ms} ms -> ${path.relative(process.cwd(), out) || '.'}`);
}

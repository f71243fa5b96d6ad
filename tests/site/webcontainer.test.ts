/**
 * The built site carries the pipeline CLI prebundled for WebContainers (scripts/build.mjs ->
 * scripts/bundle-webcontainer.mjs): the manifest the pipeline pane fetches, and every file
 * it lists, whole or (over a host's size cap) as parts with their `.parts.json`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { DIST, requireDist } from './dist.ts';

test('dist/webcontainer holds the prebundled CLI and every file its manifest lists', () => {
  requireDist();
  const dir = path.join(DIST, 'webcontainer');
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { entry: string; files: { path: string; size: number; binary: boolean }[] };
  assert.equal(manifest.entry, 'lib/pipeline.mjs');
  for (const f of manifest.files) {
    const file = path.join(dir, f.path);
    if (existsSync(file)) {
      assert.equal(statSync(file).size, f.size, f.path);
      continue;
    }
    const parts = JSON.parse(readFileSync(`${file}.parts.json`, 'utf8')) as { parts: string[]; size: number };
    assert.equal(parts.size, f.size, f.path);
    assert.equal(parts.parts.reduce((n, p) => n + statSync(path.join(path.dirname(file), p)).size, 0), f.size, `${f.path} parts`);
  }
  // Self-contained: no import of an npm package is left for a container without node_modules.
  const cli = readFileSync(path.join(dir, manifest.entry), 'utf8');
  assert.doesNotMatch(cli, /from ?["'](apache-arrow|zod|yaml|hyparquet|parquet-wasm|@duckdb|@electric-sql)/);
});

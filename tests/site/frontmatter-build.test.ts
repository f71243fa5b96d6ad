/**
 * A broken frontmatter fails the real content sync (what `astro build` runs first) with
 * the file and the field named. We copy the site's config into a scratch project whose
 * content folder holds one broken part, and run `astro sync` there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, cpSync, mkdirSync, writeFileSync, symlinkSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './dist.ts';

test('astro sync rejects a part with a bad field, naming file and field', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'phlo-frontmatter-'));
  try {
    for (const name of ['astro.config.mjs', 'tsconfig.json', 'package.json', 'src', 'scripts']) {
      cpSync(path.join(ROOT, name), path.join(dir, name), { recursive: true });
    }
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    mkdirSync(path.join(dir, 'content', 'parts'), { recursive: true });
    writeFileSync(
      path.join(dir, 'content', 'parts', '05-broken.mdx'),
      ['---', 'title: A broken part', 'description: This part has a reading time that is not a number, on purpose.', 'part: 5', 'readingMinutes: "twenty"', 'topics: [x1]', 'prerequisites: [none]', 'learn: [y1]', 'handsOn: []', '---', '', 'Body.', ''].join('\n'),
    );
    const result = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'astro'), ['sync'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${path.join(ROOT, 'node_modules', '.bin')}:${process.env.PATH}`, ASTRO_TELEMETRY_DISABLED: '1', NO_COLOR: '1' },
      timeout: 120_000,
    });
    const output = `${result.stdout}\n${result.stderr}`;
    assert.notEqual(result.status, 0, `astro sync accepted the broken part:\n${output}`);
    assert.match(output, /05-broken/, `the error does not name the file:\n${output}`);
    assert.match(output, /readingMinutes/, `the error does not name the field:\n${output}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * `npm test`: every test the project has, against a fresh build.
 *   1. Chromium must be there (Debian's package; installed with apt when we are root).
 *   2. The site is built (skip with --no-build to test the last build).
 *   3. The type check: tsc --noEmit over the whole tree (.astro files aside).
 *   4. Node's test runner: unit tests (tests/unit) and checks over the built site (tests/site).
 *   5. Playwright in Chromium against the built site (tests/browser), served by scripts/serve.mjs.
 * It ends with one line "tests: N passed, N failed" and exits non-zero if anything failed.
 */
import { readFileSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ensureChromium } from './chromium.mjs';
import { run, ROOT, seconds } from './run.mjs';

const args = process.argv.slice(2);
const t0 = performance.now();
ensureChromium();

if (!args.includes('--no-build')) {
  const { code } = await run('node', ['scripts/build.mjs']);
  if (code !== 0) {
    console.error('The site did not build, so the tests were not run.\ntests: 0 passed, 1 failed');
    process.exit(1);
  }
}

let passed = 0;
let failed = 0;

// The type check: Node only strips the types, so nothing else would notice a wrong one.
const tTypes = performance.now();
const types = await run('tsc', ['--noEmit', '-p', '.']);
if (types.code === 0) passed += 1;
else failed += 1;
console.log(`type check (tsc --noEmit): ${types.code === 0 ? 'passed' : 'FAILED, see above'} in ${seconds(tTypes)} s`);

// Node's runner: the spec reporter ends with "ℹ pass N" / "ℹ fail N" lines, which we count.
const tNode = performance.now();
const node = await run(
  'node',
  ['--test', '--test-concurrency=2', '--test-timeout=300000', 'tests/unit/**/*.test.ts', 'tests/site/**/*.test.ts'],
  { capture: true },
);
const count = (label) => Number(node.stdout.match(new RegExp(`^ℹ ${label} (\\d+)`, "m"))?.[1] ?? 0);
passed += count('pass');
failed += count('fail') + count('cancelled');
if (node.code !== 0 && count('fail') + count('cancelled') === 0) failed += 1; // crashed before reporting
console.log(`node tests: ${count('pass')} passed, ${count('fail') + count('cancelled')} failed in ${seconds(tNode)} s`);

// Playwright: the JSON reporter's stats are the source of truth for the counts.
const tBrowser = performance.now();
const report = path.join(ROOT, 'test-results', 'browser.json');
rmSync(report, { force: true });
const browser = await run('playwright', ['test'], { env: { PLAYWRIGHT_JSON_OUTPUT_NAME: report } });
if (existsSync(report)) {
  const { stats } = JSON.parse(readFileSync(report, 'utf8'));
  passed += stats.expected + stats.flaky;
  failed += stats.unexpected;
  console.log(`browser tests: ${stats.expected + stats.flaky} passed, ${stats.unexpected} failed, ${stats.skipped} skipped in ${seconds(tBrowser)} s`);
} else {
  failed += 1;
  console.log('browser tests: Playwright wrote no report (see its output above)');
}
if (browser.code !== 0 && failed === 0) failed += 1;

console.log(`whole test run: ${seconds(t0)} s`);
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);

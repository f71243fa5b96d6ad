/**
 * `npm run chaos -- --seed N --steps M [--section part-03-explore-snapshots]`: the chaos test
 * (tests/browser/chaos.spec.ts) with a seed and length of your choosing, against the last
 * build (run `npm run build` first). Each section walks seed, seed+1, seed+2; a failure prints
 * the seed and every step so far, and the same command replays it.
 */
import { run } from './run.mjs';
import { ensureChromium } from './chromium.mjs';

const args = process.argv.slice(2);
const value = (flag, fallback) => {
  const i = args.indexOf(flag);
  if (i < 0) return fallback;
  const v = args[i + 1];
  if (v === undefined || !/^\d+$/.test(v)) {
    console.error(`${flag} needs a whole number, e.g. npm run chaos -- --seed 7 --steps 300`);
    process.exit(2);
  }
  return v;
};
const seed = value('--seed', String(Date.now() % 1_000_000));
const steps = value('--steps', '300');
const s = args.indexOf('--section');
const grep = s >= 0 ? ['--grep', args[s + 1]] : [];
ensureChromium();
console.log(`chaos: seed ${seed}, ${steps} steps a section`);
const { code } = await run('playwright', ['test', 'tests/browser/chaos.spec.ts', '--workers=1', ...grep], {
  // The JSON report goes to a file (the config's json reporter would print it here otherwise).
  env: { PHLO_CHAOS: '1', CHAOS_SEED: seed, CHAOS_STEPS: steps, CHAOS_VERBOSE: '1', PLAYWRIGHT_JSON_OUTPUT_NAME: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ?? 'test-results/chaos.json' },
});
process.exit(code);

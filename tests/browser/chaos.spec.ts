/**
 * The chaos test (issue 13): three hands-on sections driven through a seeded random walk of
 * learner actions, the sandbox's invariants checked after every step (see chaos.ts). By
 * default it walks seed 20261207 (+1, +2 for the second and third section), 67 steps a
 * section, 201 in all; `npm run chaos -- --seed N --steps M` picks another walk and prints
 * the steps as it goes. Not in `npm test` yet: see playwright.config.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test, expect, record, WEBCONTAINER_BOOT } from './fixtures.ts';
import { prng, chooseAction, checkInvariants, started, takeMainThread, LONG_TASK_PROBE, type ChaosSection, type ChaosContext } from './chaos.ts';
import { DIST } from '../site/dist.ts';

const SEED = Number(process.env.CHAOS_SEED ?? 20261207);
const STEPS = Number(process.env.CHAOS_STEPS ?? 67);

const SECTIONS: ChaosSection[] = [
  {
    path: '/parts/03-apache-iceberg/',
    id: 'part-03-explore-snapshots',
    anchor: 'hands-on-explore-snapshots',
    commands: ['assets', 'materialize dlt_glucose_entries --partition 2025-01-08', 'alter raw.glucose_entries add-column note string', 'no-such-command', 'materialize --partition 1999-13-45'],
  },
  {
    path: '/parts/04-project-nessie/',
    id: 'part-04-explore-nessie',
    anchor: 'hands-on-explore-nessie',
    commands: ['assets', 'materialize dlt_glucose_entries --partition 2025-01-09', 'materialize --partition 2025-01-10 --downstream dlt_glucose_entries'],
  },
  {
    path: '/parts/07-orchestration-with-dagster/',
    id: 'part-07-running-pipelines-manually',
    anchor: 'running-pipelines-manually',
    commands: ['assets', 'schedules', 'sensors', 'materialize dlt_glucose_entries --partition 2025-01-08', 'tick --as-of 2025-01-16T06:00:00Z'],
  },
];

/** The tables a checkpoint holds, from the build's checkpoint list. */
function checkpointTables(tag: string): string[] {
  const list = JSON.parse(readFileSync(path.join(DIST, 'warehouse', 'checkpoints.json'), 'utf8')) as { checkpoints: { tag: string; tables: Record<string, string> }[] };
  const cp = list.checkpoints.find((c) => c.tag === tag);
  if (!cp) throw new Error(`checkpoint ${tag} is not in the build's warehouse/checkpoints.json`);
  return Object.keys(cp.tables).sort();
}

test.describe.configure({ timeout: Math.max(600_000, STEPS * 20_000) });
// Without an action timeout a click on something that never becomes clickable waits until the
// test's own timeout, minutes later, and the failure names no step: 30 s names it.
test.use({ actionTimeout: 30_000 });

for (const [n, section] of SECTIONS.entries()) {
  test(`chaos: ${STEPS} random learner steps in ${section.id} (seed ${SEED + n})`, async ({ page, baseURL }) => {
    const rec = record(page, new URL(baseURL!).origin);
    let crashed = false;
    page.on('crash', () => (crashed = true));
    await page.addInitScript(LONG_TASK_PROBE);
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${section.path}#${section.anchor}`);
    await started(page);
    // The checkpoint comes from the section's own configuration in the page, so the test follows it.
    const checkpoint = await page.evaluate(() => JSON.parse(document.querySelector('.hands-on script[data-config]')?.textContent ?? '{}').checkpoint as string);
    const c: ChaosContext = { page, section, tables: checkpointTables(checkpoint), rand: prng(SEED + n), log: [] };
    // Opening the page and booting the engine is not a learner step: its longest task is
    // reported, and the 1 s bound applies from the first step on (reload and jump included).
    const startup = await takeMainThread(page);
    test.info().annotations.push({ type: 'startup longest main-thread task (ms)', description: `${Math.round(startup.task)}; ${startup.blame}` });
    let passed = await checkInvariants(c, 'start', new Set());
    // Where the walk's time goes, per action and in the invariant checks (printed at the end).
    const spent = new Map<string, { n: number; ms: number }>();
    const time = async (name: string, f: () => Promise<unknown>) => {
      const t = performance.now();
      await f();
      const s = spent.get(name) ?? { n: 0, ms: 0 };
      spent.set(name, { n: s.n + 1, ms: s.ms + performance.now() - t });
    };
    for (let step = 1; step <= STEPS; step++) {
      const action = await chooseAction(c);
      c.log.push(`${step}. ${action.name}`);
      try {
        await time(action.name, () => action.run(c));
        await time('(invariants)', async () => (passed = await checkInvariants(c, action.name, passed)));
      } catch (err) {
        throw new Error(`chaos seed ${SEED + n}, step ${step} (${action.name}) broke an invariant:\n${(err as Error).message}\n\nsteps so far:\n${c.log.join('\n')}`);
      }
      expect(crashed, 'the page crashed').toBe(false);
      if (process.env.CHAOS_VERBOSE) console.log(`[${section.id}] ${c.log.slice(-3).join(' | ')}`);
    }
    const summary = [...spent].sort((a, b) => b[1].ms - a[1].ms).map(([k, v]) => `${k}: ${v.n}× ${Math.round(v.ms / v.n)} ms`).join('; ');
    test.info().annotations.push({ type: 'time per action (mean)', description: summary });
    if (process.env.CHAOS_VERBOSE) console.log(`[${section.id}] time per action (mean): ${summary}`);
    const uncaught = rec.consoleErrors.filter((e) => e.startsWith('uncaught'));
    expect(uncaught, 'uncaught errors in the page').toEqual([]);
    expect(rec.foreignRequests.filter((u) => !WEBCONTAINER_BOOT.test(u))).toEqual([]);
  });
}

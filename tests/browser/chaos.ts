/**
 * The chaos monkey of the hands-on sandbox: a seeded random walk of the things a learner does
 * (prepared and random queries, cancels mid-query, pipeline commands and their Stop, file edits,
 * reset, jump to checkpoint, reload, tab switches, a progress file import), with the sandbox's
 * invariants checked after every step. It exists because each bug of issue 13 was a state no
 * single scripted test reached: a cancel that unbound every table, a result that froze the tab,
 * an error shown above a stale grid. A failure names the seed and the step list, so
 * `npm run chaos -- --seed N --steps M` replays it exactly.
 */
import type { Page } from '@playwright/test';
import { expect } from './fixtures.ts';

/** Mulberry32: small, fast and good enough to pick actions; the same seed gives the same walk. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ChaosSection {
  /** The page the section is on. */
  path: string;
  /** The section's id (its `?checkpoint=` value) and anchor. */
  id: string;
  anchor: string;
  /** Pipeline commands worth running here (the pane must exist for these to be picked). */
  commands: string[];
}

export interface ChaosContext {
  page: Page;
  section: ChaosSection;
  tables: string[];
  rand: () => number;
  log: string[];
}

type Action = { name: string; weight: number; when?: (c: ChaosContext) => Promise<boolean>; run: (c: ChaosContext) => Promise<void> };

/**
 * Put `sql` in the console and run it. Pasted at once (insertText), not typed key by key as
 * fixtures.ts's runSql does: typing the invariant query after each of 200 steps would spend
 * most of the walk in the keyboard.
 */
async function runSql(page: Page, sql: string): Promise<void> {
  const editor = page.locator('.sbx-sql .cm-content');
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(sql);
  await page.keyboard.press('Escape'); // close any completion list before running
  await page.keyboard.press('ControlOrMeta+Enter');
}

const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

/** Queries a learner might type: good ones, wrong ones, huge ones, slow ones. */
function randomQuery(c: ChaosContext): string {
  const t = pick(c.rand, c.tables);
  return pick(c.rand, [
    `select count(*) as n from ${t}`,
    `select * from ${t} limit ${1 + Math.floor(c.rand() * 50)}`,
    `select * from ${t}`,
    `select no_such_column from ${t}`,
    `selec 1`,
    `select * from nowhere.no_table`,
    `select range as i, range * 2 as j from range(${pick(c.rand, [10, 1000, 200000, 1000000])})`,
    `select read_csv('/etc/passwd')`,
    `INSTALL iceberg`,
    `select 1/0 as x`,
    `select '__proto__' as "__proto__", 1 as constructor`,
  ]);
}

const HEAVY = 'select count(*) from range(100000000000) a where a.range % 7 = 3';

async function tab(c: ChaosContext, name: string): Promise<boolean> {
  const t = c.page.getByRole('tab', { name, exact: true });
  if ((await t.count()) === 0) return false;
  await t.first().click();
  return true;
}

/** Is the SQL console's Cancel button disabled (no query running)? Evaluated in the page. */
function cancelIdle(): boolean {
  const cancel = [...document.querySelectorAll<HTMLButtonElement>('.sbx-sql button')].find((b) => b.textContent?.trim() === 'Cancel');
  return !cancel || cancel.disabled;
}

async function sqlIdle(page: Page): Promise<void> {
  // A query is over when Cancel is disabled again (a cancelled or failed one included). Polled
  // in the page every 50 ms: expect()'s back-off (100, 250, 500, 1000 ms) cost most of a step.
  await page.waitForFunction(cancelIdle, undefined, { polling: 50, timeout: 60_000 });
}

async function pipelineIdle(page: Page): Promise<void> {
  await expect(page.locator('.sbx-pipeline button', { hasText: /^Run command$/ })).toBeEnabled({ timeout: 150_000 });
}

async function started(page: Page): Promise<void> {
  const start = page.getByRole('button', { name: 'Start the sandbox' });
  if (await start.isVisible().catch(() => false)) await start.click().catch(() => {});
  await expect(page.locator('.hands-on[data-ready]')).toBeVisible({ timeout: 180_000 });
  // The saved task verdicts are read back a moment after the sandbox is ready; comparing the
  // tasks across a reload before that saw "nothing passed" (seed 20261208, step 33).
  const exercises = page.locator('.sbx-exercises');
  if (await exercises.count()) await expect(exercises.first()).toHaveAttribute('data-restored', 'true', { timeout: 30_000 });
}

export const ACTIONS: Action[] = [
  {
    name: 'prepared query',
    weight: 4,
    when: async (c) => (await c.page.getByRole('tab', { name: 'SQL console' }).count()) > 0,
    async run(c) {
      await tab(c, 'SQL console');
      const buttons = c.page.locator('.sbx-sql [aria-label="Prepared queries"] button');
      const n = await buttons.count();
      if (n === 0) return;
      const i = Math.floor(c.rand() * n);
      c.log.push(`  prepared #${i}: ${await buttons.nth(i).textContent()}`);
      await buttons.nth(i).click();
      await sqlIdle(c.page);
    },
  },
  {
    name: 'random query',
    weight: 5,
    when: async (c) => (await c.page.getByRole('tab', { name: 'SQL console' }).count()) > 0,
    async run(c) {
      await tab(c, 'SQL console');
      const q = randomQuery(c);
      c.log.push(`  sql: ${q}`);
      await runSql(c.page, q);
      await sqlIdle(c.page);
    },
  },
  {
    name: 'cancel mid-query',
    weight: 3,
    when: async (c) => (await c.page.getByRole('tab', { name: 'SQL console' }).count()) > 0,
    async run(c) {
      await tab(c, 'SQL console');
      const t = c.tables[0]!;
      const q = c.rand() < 0.5 ? HEAVY : `select * from ${t} a cross join ${t} b`;
      c.log.push(`  sql then cancel: ${q}`);
      await runSql(c.page, q);
      await c.page.waitForTimeout(Math.floor(c.rand() * 800));
      const cancel = c.page.locator('.sbx-sql button', { hasText: /^Cancel$/ }).first();
      // The query may end between the look and the click; a click on a button that is no
      // longer enabled would wait for it for ever (the stall seen at seed 20261207, step 12).
      if (await cancel.isEnabled()) await cancel.click({ timeout: 2_000 }).catch(() => {});
      await sqlIdle(c.page);
    },
  },
  {
    name: 'pipeline command',
    weight: 2,
    when: async (c) => c.section.commands.length > 0 && (await c.page.getByRole('tab', { name: 'Pipeline' }).count()) > 0,
    async run(c) {
      await tab(c, 'Pipeline');
      await pipelineIdle(c.page);
      const cmd = pick(c.rand, c.section.commands);
      const stop = c.rand() < 0.35;
      c.log.push(`  pipeline: ${cmd}${stop ? ' (then Cancel)' : ''}`);
      await c.page.getByLabel('Pipeline command').fill(cmd);
      await c.page.getByRole('button', { name: 'Run command' }).click();
      if (stop) {
        await c.page.waitForTimeout(200 + Math.floor(c.rand() * 1500));
        const b = c.page.locator('.sbx-pipeline button', { hasText: /^Cancel$/ });
        if (await b.isEnabled().catch(() => false)) await b.click({ timeout: 2_000 }).catch(() => {});
      }
      await pipelineIdle(c.page);
    },
  },
  {
    name: 'edit a file',
    weight: 2,
    when: async (c) => (await c.page.getByRole('tab', { name: 'Pipeline' }).count()) > 0,
    async run(c) {
      await tab(c, 'Pipeline');
      const files = c.page.locator('.sbx-files [role=treeitem]');
      const n = await files.count();
      if (n === 0) return;
      const i = Math.floor(c.rand() * n);
      await files.nth(i).click();
      const editor = c.page.locator('.sbx-file-editor .cm-content');
      if (!(await editor.isVisible().catch(() => false))) return;
      await editor.click();
      await c.page.keyboard.press('ControlOrMeta+End');
      await c.page.keyboard.type('\n-- chaos was here\n');
      c.log.push(`  edited file #${i}`);
      // Half the time put it back, as a learner does after an experiment.
      if (c.rand() < 0.5) {
        const restore = c.page.getByRole('button', { name: 'Restore original' });
        if (await restore.isEnabled().catch(() => false)) await restore.click({ timeout: 2_000 }).catch(() => {});
      }
    },
  },
  {
    name: 'switch tab',
    weight: 3,
    async run(c) {
      const tabs = c.page.locator('.sbx-tabs [role=tab]');
      const n = await tabs.count();
      if (n) await tabs.nth(Math.floor(c.rand() * n)).click();
    },
  },
  {
    name: 'reset',
    weight: 1,
    async run(c) {
      await c.page.getByRole('button', { name: 'Reset to checkpoint' }).click();
      await expect(c.page.getByRole('button', { name: 'Reset to checkpoint' })).toBeEnabled({ timeout: 60_000 });
    },
  },
  {
    name: 'jump to checkpoint',
    weight: 1,
    async run(c) {
      await c.page.goto(`${c.section.path}?checkpoint=${c.section.id}#${c.section.anchor}`);
      await started(c.page);
    },
  },
  {
    name: 'reload',
    weight: 1,
    async run(c) {
      await c.page.reload();
      await started(c.page);
    },
  },
  {
    name: 'import a progress file',
    weight: 1,
    async run(c) {
      const hostile = pick(c.rand, [
        '{"version":1,"parts":{},"tasks":{"__proto__":{"polluted":true}}}',
        '{"tasks": "abc"}',
        'not json at all',
        JSON.stringify({ version: 1, parts: { '3': { readAt: 'yesterday' } }, tasks: { constructor: { passedAt: 1 } } }),
      ]);
      c.log.push(`  progress import: ${hostile.slice(0, 60)}`);
      await c.page.goto('/progress/');
      const input = c.page.locator('input[type=file]');
      if (await input.count()) await input.first().setInputFiles({ name: 'progress.json', mimeType: 'application/json', buffer: Buffer.from(hostile) });
      await c.page.waitForTimeout(300);
      const polluted = await c.page.evaluate(() => ({} as Record<string, unknown>).polluted !== undefined);
      expect(polluted, 'a progress file polluted Object.prototype').toBe(false);
      await c.page.goto(`${c.section.path}#${c.section.anchor}`);
      await started(c.page);
    },
  },
];

/** Choose the next action among those possible now, by weight. */
export async function chooseAction(c: ChaosContext): Promise<Action> {
  const possible: Action[] = [];
  for (const a of ACTIONS) if (!a.when || (await a.when(c).catch(() => false))) possible.push(a);
  const total = possible.reduce((s, a) => s + a.weight, 0);
  let r = c.rand() * total;
  for (const a of possible) if ((r -= a.weight) < 0) return a;
  return possible[possible.length - 1]!;
}

/**
 * The bounds on main-thread work between two checks. The issue's bound is 1 s; what it is
 * meant to catch is our code blocking the page (the million-row result that froze the tab for
 * 46 s was all JavaScript). A frame's wall-clock length on this shared 2-core machine also
 * counts time the renderer simply waited for a core: a CI run at load 21 saw frames of 1.6 s
 * with only 27-570 ms of script in them. So the 1 s bound applies to the JavaScript that ran
 * in one frame (Chromium's long-animation-frame entries attribute it), and any main-thread
 * task at all must stay under 5 s (a frozen page fails whatever its cause).
 * CHAOS_LONG_TASK_MS moves the script bound outside CI, to look at the other invariants.
 */
const SCRIPT_LIMIT_MS = Number(process.env.CI ? 1000 : (process.env.CHAOS_LONG_TASK_MS ?? 1000));
const TASK_LIMIT_MS = 5000;

/**
 * Recorded from the first script on: the longest main-thread task (the 'longtask' observer),
 * and the frame whose scripts ran longest, with the three longest of them named.
 */
export const LONG_TASK_PROBE = () => {
  const w = window as unknown as { __chaosLongest: number; __chaosScript: number; __chaosBlame: string };
  w.__chaosLongest = 0;
  w.__chaosScript = 0;
  w.__chaosBlame = '';
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__chaosLongest = Math.max(w.__chaosLongest, e.duration);
    }).observe({ type: 'longtask', buffered: true });
  } catch {}
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as unknown as { duration: number; scripts: { invoker: string; sourceFunctionName: string; sourceURL: string; duration: number }[] }[]) {
        const script = e.scripts.reduce((sum, x) => sum + x.duration, 0);
        if (script <= w.__chaosScript) continue;
        w.__chaosScript = script;
        const top = [...e.scripts].sort((a, b) => b.duration - a.duration).slice(0, 3);
        w.__chaosBlame = `a frame of ${Math.round(e.duration)} ms ran ${Math.round(script)} ms of script: ${top.map((x) => `${x.invoker} ${x.sourceFunctionName || '(anonymous)'} ${x.sourceURL.split('/').pop()} ${Math.round(x.duration)} ms`).join('; ')}`;
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  } catch {}
};

interface MainThread {
  /** Longest main-thread task (ms). */
  task: number;
  /** Most script run in one frame (ms), and what it was. */
  script: number;
  blame: string;
}

/** What LONG_TASK_PROBE recorded since the last call, and reset. */
export function takeMainThread(page: Page): Promise<MainThread> {
  return page.evaluate(() => {
    const w = window as unknown as { __chaosLongest?: number; __chaosScript?: number; __chaosBlame?: string };
    const r = { task: w.__chaosLongest ?? 0, script: w.__chaosScript ?? 0, blame: w.__chaosBlame ?? '' };
    w.__chaosLongest = 0;
    w.__chaosScript = 0;
    w.__chaosBlame = '';
    return r;
  });
}

/**
 * The invariants, checked after every step.
 * - No stale result under an error: when the console shows an error, no grid, chart or CSV of
 *   an earlier query is shown with it.
 * - No frame with over 1 s of script, and no main-thread task over 5 s, since the last check.
 * - The exercise state matches what was done: none passed right after a reset or a jump to the
 *   checkpoint (both start the section over), the same ones passed after a reload.
 * - Every table of the section's checkpoint reads on main (a pipeline run adds, never drops).
 */
let checks = 0;

export async function checkInvariants(c: ChaosContext, step: string, passedBefore: Set<string>): Promise<Set<string>> {
  const { page } = c;
  const error = page.locator('.sbx-sql .sbx-error');
  if (await error.isVisible().catch(() => false)) {
    await expect(page.locator('.sbx-sql .sbx-grid-row'), 'a grid stayed under the error').toHaveCount(0);
    await expect(page.locator('.sbx-sql .sbx-chart'), 'a chart stayed under the error').toBeHidden();
    // Copy/Download CSV may be hidden or disabled under an error; usable, they would copy the old result.
    for (const name of [/^Copy CSV/, /^Download CSV/]) {
      const b = page.locator('.sbx-sql button', { hasText: name });
      if ((await b.count()) && (await b.first().isVisible()) && (await b.first().isEnabled())) {
        throw new Error(`${name.source.slice(1)} still offers the last result under an error`);
      }
    }
  }

  const main = await takeMainThread(page);
  expect(main.script, `${main.blame} (limit ${SCRIPT_LIMIT_MS} ms)`).toBeLessThan(SCRIPT_LIMIT_MS);
  expect(main.task, `a main-thread task took ${Math.round(main.task)} ms (limit ${TASK_LIMIT_MS} ms); the most script in a frame: ${main.blame}`).toBeLessThan(TASK_LIMIT_MS);

  const passed = async () =>
    new Set(await page.locator('.sbx-task[data-passed=true]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.task ?? '')));
  const passedNow = await passed();
  if (step === 'reset' || step === 'jump to checkpoint') expect([...passedNow], `tasks still passed after ${step}`).toEqual([]);
  if (step === 'reload') expect([...passedNow].sort(), 'a reload changed which tasks passed').toEqual([...passedBefore].sort());

  if (c.tables.length && (await page.getByRole('tab', { name: 'SQL console' }).count())) {
    await tab(c, 'SQL console');
    // A fresh token in every check's result, so an earlier check's grid is never taken for this one.
    const token = `check-${++checks}`;
    const sql = c.tables.map((t) => `select '${t}' as t, count(*) as n, '${token}' as token from ${t}`).join(' union all ');
    await sqlIdle(page);
    await runSql(page, sql);
    const read = await page
      .waitForFunction(
        ([token, n]) => {
          const rows = document.querySelectorAll('.sbx-sql .sbx-grid-row');
          const idle = [...document.querySelectorAll<HTMLButtonElement>('.sbx-sql button')].every((b) => b.textContent?.trim() !== 'Cancel' || b.disabled);
          return idle && rows.length === n && rows[0]!.textContent!.includes(token);
        },
        [token, c.tables.length] as const,
        { polling: 50, timeout: 30_000 },
      )
      .then(() => true, () => false);
    if (!read) {
      const shown = (await error.isVisible().catch(() => false)) ? await error.textContent() : `${await page.locator('.sbx-sql .sbx-grid-row').count()} rows`;
      throw new Error(`the checkpoint's ${c.tables.length} tables did not all read within 30 s; the console shows: ${shown}`);
    }
  }
  return passed();
}

export { started };

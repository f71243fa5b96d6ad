/**
 * Learner code attacks the sandbox (issue 13 item 10), in Chromium. A plugin file in Part 13's
 * pipeline pane is the learner's JavaScript: it tries what a curious or careless learner
 * could, and each attempt must be refused or ended with a message while the page stays
 * responsive.
 *  - From the Worker runner: another section's OPFS folder, Cache Storage, IndexedDB, fetch
 *    and XHR of same-origin URLs, a fresh Worker (which would have all of that back), made-up
 *    messages to the page, `new Function`, `globalThis.constructor`.
 *  - A timer that allocates after the command: the worker that ran the command is
 *    terminated when the command ends.
 *  - `while (true) {}`: the watchdog stops the worker with a message; the page answers.
 *  - The in-page runner (a browser without OPFS): plugin code is not run on the page's
 *    thread, and pipeline.config.ts runs in a throwaway worker with a time limit.
 * What stays possible is listed in src/sandbox/pipeline/lockdown.ts.
 */
import type { Page, Worker } from '@playwright/test';
import { test, expect, startSandbox } from './fixtures.ts';

test.describe.configure({ timeout: 360_000 });

const PART_13 = '/parts/13-extending-phlo-with-plugins/';
/** A page blocked by learner code never answers; a loaded test machine can take a second or two. */
const RESPONSIVE_MS = 5_000;

/** Replace a file's text in the pane's editor, as a learner pasting it would. */
async function writeFile(page: Page, path: string, text: string): Promise<void> {
  await page.locator(`.sbx-file[data-file="${path}"]`).click();
  const editor = page.locator('.sbx-file-editor .cm-content');
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
  const last = text.trim().split('\n').at(-1)!;
  await expect(editor).toContainText(last, { timeout: 10_000 });
  await expect(page.locator(`.sbx-file[data-file="${path}"] .sbx-edited`)).toBeVisible({ timeout: 30_000 });
}

const exits = async (page: Page) => ((await page.locator('.sbx-transcript').textContent()) ?? '').split('(exit ').length - 1;

/** Run a command line in the pane; with `wait`, until it ends, returning its exit code. */
async function runCommand(page: Page, line: string, wait = true): Promise<number | null> {
  const before = await exits(page);
  await page.getByLabel('Pipeline command').fill(line);
  await page.getByRole('button', { name: 'Run command' }).click();
  if (!wait) return null;
  await expect.poll(() => exits(page), { timeout: 90_000 }).toBeGreaterThan(before);
  const text = (await page.locator('.sbx-transcript').textContent())!;
  return Number(/\(exit (\d+)[^(]*$/.exec(text)?.[1]);
}

/** How long the page takes to answer a script (its main thread is free when this is small). */
async function pageLatency(page: Page): Promise<number> {
  const t0 = Date.now();
  await page.evaluate(() => 1);
  return Date.now() - t0;
}

async function openPipeline(page: Page, runner: RegExp, path = PART_13): Promise<void> {
  // The shared start with more patience: DuckDB's start is slow on a loaded machine.
  await startSandbox(page, path).catch(async () => {
    await page.getByRole('button', { name: 'Start the sandbox' }).click({ timeout: 30_000 }).catch(() => {});
    await expect(page.locator('.hands-on[data-ready]')).toBeVisible({ timeout: 120_000 });
  });
  await page.getByRole('tab', { name: 'Pipeline' }).click();
  await expect(page.locator('.sbx-runner-line')).toHaveAttribute('data-runner', runner, { timeout: 30_000 });
}

/** A plugin module that tries each attack at load time and reports what happened by throwing. */
const PROBE = String.raw`
const found: Record<string, string> = {};
async function probe(name: string, attempt: () => unknown) {
  try {
    found[name] = 'ALLOWED ' + String(await attempt()).slice(0, 60);
  } catch (err) {
    found[name] = 'refused';
  }
}
await probe('opfs', async () => {
  const root = await (navigator as any).storage.getDirectory();
  const names: string[] = [];
  for await (const name of (await root.getDirectoryHandle('phlo-sandbox')).keys()) names.push(name);
  return names.join(',');
});
await probe('caches', () => (globalThis as any).caches.keys());
await probe('indexedDB', () => (globalThis as any).indexedDB.databases());
await probe('fetch', async () => (await fetch('/')).status);
await probe('fetchProgress', async () => (await fetch('/progress/')).status);
await probe('xhr', () => { const x = new (globalThis as any).XMLHttpRequest(); x.open('GET', '/', false); x.send(); return x.status; });
await probe('worker', () => new (globalThis as any).Worker(URL.createObjectURL(new Blob(['1']))));
await probe('broadcast', () => new (globalThis as any).BroadcastChannel('phlo'));
await probe('postMessage', () => (self as any).postMessage({ type: 'done', id: 1, code: 0, run: null }));
await probe('locks', () => (navigator as any).locks.request('phlo-opfs:', () => 1));
await probe('constructor', () => { const G = (globalThis as any).constructor; return new G(); });
await probe('newFunction', () => new Function('return 41 + 1')());
await probe('ctorFetch', () => (Object.getPrototypeOf(globalThis) as any).fetch('/'));
await probe('warehouse', async () => (await fetch('/warehouse/_index.json')).status);
await probe('importModule', async () => typeof (await import(String(location.href))));
throw new Error('PROBE ' + JSON.stringify(found));
export default function () { return { plugins: [] }; }
`;

test('plugin code in the Worker runner cannot reach storage, the network or the page', async ({ page }) => {
  await openPipeline(page, /^worker/);
  await writeFile(page, 'plugins/my_check.ts', PROBE);
  await runCommand(page, 'plugins');
  const transcript = page.locator('.sbx-transcript');
  await expect(transcript).toContainText('PROBE');
  const found = JSON.parse(/PROBE (\{[^}]*\})/.exec((await transcript.textContent())!)![1]!) as Record<string, string>;
  console.log('learner-isolation probe:', JSON.stringify(found));
  for (const name of ['opfs', 'caches', 'indexedDB', 'fetch', 'fetchProgress', 'xhr', 'worker', 'broadcast', 'postMessage', 'locks', 'constructor', 'newFunction', 'ctorFetch']) {
    expect(found[name], name).toBe('refused');
  }
  // What the pipeline itself needs stays: the shipped (public) warehouse.
  expect(found.warehouse).toBe('ALLOWED 200');
  // import() is syntax and stays; a module it loads runs in this same locked scope.
  expect(found.importModule).toBe('ALLOWED object');
  // The section still works: the other plugin files ran, and the page answers at once.
  await expect(transcript).toContainText('github_events');
  expect(await pageLatency(page)).toBeLessThan(RESPONSIVE_MS);
});

test('a timer left by plugin code ends with the command, and an endless loop is stopped with a message', async ({ page }) => {
  await openPipeline(page, /^worker/);
  // A timer that keeps allocating after the command: before the fix it outlived the command
  // in the pipeline worker and crashed the tab about 30 s later.
  await writeFile(
    page,
    'plugins/my_check.ts',
    `const hog: number[][] = [];\nsetInterval(() => { hog.push(new Array(250_000).fill(hog.length)); }, 20);\nexport default function () { return { plugins: [] }; }\n`,
  );
  const pipelineWorkers = () => page.workers().filter((w: Worker) => /\/worker-[^/]*\.js/.test(w.url()));
  // Wait for the pipeline worker that will take the command (the asset graph may just have replaced one).
  await expect.poll(() => pipelineWorkers().length, { timeout: 30_000 }).toBe(1);
  const ran = pipelineWorkers();
  expect(await runCommand(page, 'plugins')).toBe(0);
  // The pipeline worker that ran the learner's code is gone within seconds of the command's end.
  await expect.poll(() => pipelineWorkers().filter((w) => ran.includes(w)).length, { timeout: 15_000 }).toBe(0);
  // The worker is gone (above), so nothing is left to allocate: a few seconds on, the tab is
  // alive and answers. (Before the fix the timer's worker lived on and the tab died ~30 s
  // later; the poll above is what fails on that build, in 15 s rather than 35.)
  await page.waitForTimeout(5_000);
  expect(await pageLatency(page)).toBeLessThan(RESPONSIVE_MS);

  // An endless loop: the watchdog stops the worker and says why; the page stays responsive.
  await writeFile(page, 'plugins/my_check.ts', 'while (true) {}\nexport default function () { return { plugins: [] }; }\n');
  await runCommand(page, 'plugins', false);
  const slowest: number[] = [];
  for (let i = 0; i < 5; i++) {
    await page.waitForTimeout(1000);
    slowest.push(await pageLatency(page));
  }
  expect(Math.max(...slowest)).toBeLessThan(RESPONSIVE_MS);
  await expect(page.locator('.sbx-transcript')).toContainText('stopped answering', { timeout: 40_000 });
  // The next command runs in a fresh worker.
  await writeFile(page, 'plugins/my_check.ts', 'export default function () { return { plugins: [] }; }\n');
  expect(await runCommand(page, 'plugins')).toBe(0);
});

test('without OPFS (the in-page runner) learner code never runs on the page', async ({ page }) => {
  // A browser without OPFS, as Firefox's private windows are.
  await page.addInitScript(() => {
    delete (StorageManager.prototype as unknown as Record<string, unknown>).getDirectory;
  });
  await openPipeline(page, /^in-page/);
  await writeFile(page, 'plugins/my_check.ts', `document.title = 'pwned';\nexport default function () { return { plugins: [] }; }\n`);
  await runCommand(page, 'plugins');
  await expect(page.locator('.sbx-transcript')).toContainText('Plugin files were not run');
  expect(await page.title()).not.toBe('pwned');
});

test('pipeline.config.ts runs in a throwaway locked-down worker: no storage, and an endless loop is stopped in 5 s', async ({ page }) => {
  await openPipeline(page, /^worker/, '/lab/');
  const transcript = page.locator('.sbx-transcript');
  await writeFile(page, 'pipeline.config.ts', `const root = await (navigator as any).storage.getDirectory();\nexport default { seed: 'phlo' };\n`);
  expect(await runCommand(page, 'assets')).not.toBe(0);
  await expect(transcript).toContainText('pipeline.config.ts: the module threw while loading');

  await writeFile(page, 'pipeline.config.ts', `while (true) {}\nexport default { seed: 'phlo' };\n`);
  expect(await runCommand(page, 'assets')).not.toBe(0);
  await expect(transcript).toContainText('did not finish loading within 5 s');
  expect(await pageLatency(page)).toBeLessThan(RESPONSIVE_MS);

  // Plain settings still arrive.
  await writeFile(page, 'pipeline.config.ts', `export default { seed: 'phlo', badDays: { '2025-02-22': 'sensor-fault' } };\n`);
  expect(await runCommand(page, 'assets')).toBe(0);
});


/**
 * `node bench/sandbox.mjs [--root dist] [--port 4351]`: the hands-on sandbox in headless
 * Chromium, on the lab page of a built site (with its prebuilt warehouse).
 *
 *   - bytes a reading page without a sandbox loads, and bytes the lab page loads before
 *     its first query result (page, island, DuckDB-WASM, warehouse files; from the
 *     network, compressed as sent);
 *   - click on "Start the sandbox" -> first result in the grid, on a cold cache (the reader
 *     clicks at once) and on a warm cache (HTTP cache full, and the engine booted while the
 *     reader was still reading above the section: the overlap the page is built for);
 *   - one pipeline day in the Worker runner (ingest only, and ingest + every model
 *     downstream + publishing to PGlite).
 * Goal: first result under 2 s warm and under 6 s cold.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright';
import { launchOptions } from '../scripts/chromium.mjs';
import { ROOT } from '../scripts/run.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const root = arg('root', 'dist');
const port = Number(arg('port', '4351'));
const base = `http://127.0.0.1:${port}`;
if (!existsSync(join(ROOT, root, 'lab', 'index.html')) && !existsSync(join(root, 'lab', 'index.html'))) {
  console.error(`No built lab page under ${root}/: run "npm run build" first (or pass --root DIR).`);
  process.exit(1);
}

const server = spawn(process.execPath, ['scripts/serve.mjs', '--root', root, '--host', '127.0.0.1', '--port', String(port)], { cwd: ROOT, stdio: 'ignore' });
const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;

/** Count bytes as they arrive over the network (the page's and its workers' requests). */
function meter(page) {
  const m = { bytes: 0, requests: 0, stop: false };
  page.on('requestfinished', async (req) => {
    if (m.stop) return;
    try {
      const sizes = await req.sizes();
      const res = await req.response();
      // Cached responses cost nothing on the wire.
      if (res && (res.fromServiceWorker() || res.status() === 304)) return;
      m.bytes += sizes.responseBodySize + sizes.responseHeadersSize;
      m.requests++;
    } catch {
      /* request from a closed worker */
    }
  });
  return m;
}

async function firstResult(page, { readFirstMs = 0 } = {}) {
  await page.addInitScript(() => {
    try {
      // The bench measures a reader who has not opened the sandbox before in this visit.
      for (const k of Object.keys(localStorage)) if (k.startsWith('phlo-sandbox-open:')) localStorage.removeItem(k);
    } catch {}
  });
  const m = meter(page);
  await page.goto(`${base}/lab/`);
  if (readFirstMs) await page.waitForTimeout(readFirstMs);
  const t0 = Date.now();
  await page.getByRole('button', { name: 'Start the sandbox' }).click();
  await page.locator('.sbx-sql .sbx-grid-row').first().waitFor({ timeout: 120_000 });
  const ms = Date.now() - t0;
  m.stop = true;
  return { ms, bytes: m.bytes, requests: m.requests };
}

try {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${base}/lab/`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  const browser = await chromium.launch(launchOptions);

  const reading = await browser.newContext();
  const rp = await reading.newPage();
  const rm = meter(rp);
  await rp.goto(`${base}/parts/01-what-is-a-data-lakehouse/`);
  await rp.waitForLoadState('networkidle');
  const sandboxOnReadingPage = (await rp.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name))).filter((u) => /duckdb|hands-on|parquet|xterm|codemirror/.test(u));
  console.log(`reading page (Part 1): ${kb(rm.bytes)} in ${rm.requests} requests; sandbox files loaded: ${sandboxOnReadingPage.length}`);
  await reading.close();

  // Cold: a fresh profile, the reader clicks Start as soon as the page is there.
  const profile = mkdtempSync(join(tmpdir(), 'phlo-bench-'));
  const ctx = await chromium.launchPersistentContext(profile, { ...launchOptions });
  const cold = await firstResult(await ctx.newPage());
  console.log(`cold cache: click -> first result ${s(cold.ms)}; ${kb(cold.bytes)} in ${cold.requests} requests before the first result`);

  // Warm: same profile (HTTP and compiled-WASM caches), the reader reads for 3 s first while
  // the section's engine boots in the background.
  const warmPage = await ctx.newPage();
  const warm = await firstResult(warmPage, { readFirstMs: 3000 });
  console.log(`warm cache: click -> first result ${s(warm.ms)} (after 3 s of reading); ${kb(warm.bytes)} from the network`);
  const warmNow = await firstResult(await ctx.newPage());
  console.log(`warm cache, click at once: click -> first result ${s(warmNow.ms)}`);

  // One pipeline day in the Worker runner.
  await warmPage.getByRole('tab', { name: 'Pipeline' }).click();
  await warmPage.locator('.sbx-asset').first().waitFor({ timeout: 60_000 });
  const day = async (cmd) => {
    const before = await warmPage.locator('.sbx-pipeline').getAttribute('data-last-exit');
    void before;
    await warmPage.evaluate(() => document.querySelector('.sbx-pipeline')?.removeAttribute('data-last-exit'));
    await warmPage.getByLabel('Pipeline command').fill(cmd);
    const t = Date.now();
    await warmPage.getByRole('button', { name: 'Run command' }).click();
    await warmPage.locator('.sbx-pipeline[data-last-exit]').waitFor({ timeout: 180_000 });
    const code = await warmPage.locator('.sbx-pipeline').getAttribute('data-last-exit');
    return { ms: Date.now() - t, code };
  };
  const ingest = await day('materialize dlt_glucose_entries --partition 2025-03-01');
  console.log(`pipeline day in the Worker (ingest only): ${s(ingest.ms)} (exit ${ingest.code})`);
  const full = await day('materialize --partition 2025-03-02 --downstream dlt_glucose_entries');
  console.log(`pipeline day in the Worker (ingest + models + publish to PGlite): ${s(full.ms)} (exit ${full.code})`);

  console.log(`goal: first result < 2 s warm (${warm.ms < 2000 ? 'met' : 'missed'}), < 6 s cold (${cold.ms < 6000 ? 'met' : 'missed'})`);
  await ctx.close();
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
} finally {
  server.kill();
}

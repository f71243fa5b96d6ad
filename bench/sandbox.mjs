/**
 * `npm run bench:sandbox [-- --runs 3 --root dist --port 4351 --pipeline]`: where a hands-on
 * sandbox's start goes, in headless Chromium, on the lab page of a built site served by
 * scripts/serve.mjs (what `npm start` and the workshop run).
 *
 * Two hosts side by side, in one run, so their ratio holds on a shared, noisy machine:
 *   - "whole": the server joins DuckDB-WASM's split module and serves it whole (npm start,
 *     the workshop; Netlify and GitHub Pages builds keep it whole), so the browser compiles
 *     it while it downloads;
 *   - "parts": the server has only the 16 MiB parts (`--parts-only`, as Cloudflare Pages),
 *     which the page joins in JavaScript into a blob: every visit compiles again.
 * Each on a cold profile (a fresh browser profile: nothing cached, the reader clicks Start as
 * soon as the page is there) and on a return visit (the same profile in a new browser: HTTP
 * cache, any compiled-code cache, service worker and the section's saved state all warm).
 *
 * The breakdown comes from the page itself: the sandbox records each phase as a User Timing
 * entry `sandbox:<phase>` (src/sandbox/runtime/boot-timing.ts; the module's network, compile
 * and instantiate phases come from DuckDB's worker, src/sandbox/runtime/duckdb-worker.ts).
 * Phases overlap (the warehouse opens while the module compiles), so each is printed as its
 * duration and when it ended, in ms after the click (negative: before the click, i.e. the
 * section started booting while the page was shown). Medians of `--runs` runs.
 *
 * `--before DIR` adds a third host: another build (say, of the commit before a change), whose
 * click -> first result and bytes are measured the same way (its phases only if it records them).
 *
 * Also: the bytes a reading page without a sandbox loads (it must load no sandbox file), the
 * bytes before the first result (as sent, and uncompressed), and with `--pipeline` one
 * pipeline day in the Worker runner.
 * Goals (issue 18): click -> first result <= 2.0 s cold and <= 0.5 s warm on a quiet machine.
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
const runs = Number(arg('runs', '3'));
/** How long the reader stays on the page after the first result (the browser writes its caches meanwhile). */
const dwellMs = Number(arg('dwell', '8000'));
const hosts = { whole: { port, extra: [] }, parts: { port: port + 1, extra: ['--parts-only'] } };
// --before DIR: also an earlier build (e.g. the commit before a change), served the same way.
const before = arg('before', null);
if (before) hosts.before = { port: port + 2, extra: [], root: before };
if (!existsSync(join(ROOT, root, 'lab', 'index.html')) && !existsSync(join(root, 'lab', 'index.html'))) {
  console.error(`No built lab page under ${root}/: run "npm run build" first (or pass --root DIR).`);
  process.exit(1);
}

const servers = Object.values(hosts).map((h) =>
  spawn(process.execPath, ['scripts/serve.mjs', '--root', h.root ?? root, '--host', '127.0.0.1', '--port', String(h.port), ...h.extra], { cwd: ROOT, stdio: 'ignore' }),
);
const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
const median = (xs) => {
  const s = xs.filter((x) => x !== undefined && Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return undefined;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Bytes as they arrive over the network (the page's and its workers' requests): as sent, and uncompressed. */
function meter(page) {
  const m = { sent: 0, decoded: 0, requests: 0, stop: false, pending: [], urls: [] };
  page.on('requestfinished', (req) => {
    if (m.stop) return;
    m.pending.push(
      (async () => {
        try {
          const res = await req.response();
          // Answered by the service worker or the HTTP cache: nothing on the wire.
          if (!res || res.fromServiceWorker() || res.status() === 304) return;
          const sizes = await req.sizes();
          if (sizes.responseBodySize === 0 && req.method() === 'GET' && res.status() === 200) return;
          m.sent += sizes.responseBodySize + sizes.responseHeadersSize;
          if (req.method() === 'GET' && sizes.responseBodySize > 0) m.urls.push(req.url());
          m.requests++;
        } catch {
          /* a request of a closed worker */
        }
      })(),
    );
  });
  return m;
}

/** Open the lab page, click Start at once, wait for the first rows; the page's phase timeline. */
async function firstResult(ctx, base) {
  const page = await ctx.newPage();
  await page.addInitScript(() => {
    try {
      // A reader who has not opened the sandbox before in this visit: Start is theirs to press.
      for (const k of Object.keys(localStorage)) if (k.startsWith('phlo-sandbox-open:')) localStorage.removeItem(k);
    } catch {}
  });
  const m = meter(page);
  await page.goto(`${base}/lab/`);
  const start = page.getByRole('button', { name: 'Start the sandbox' });
  await start.waitFor();
  const clickAt = await page.evaluate(() => performance.now());
  const t0 = Date.now();
  await start.click();
  await page.locator('.sbx-sql .sbx-grid-row').first().waitFor({ timeout: 120_000 });
  const ms = Date.now() - t0;
  m.stop = true;
  await Promise.all(m.pending);
  // Uncompressed: what the same requests weigh without Content-Encoding (asked of the server again).
  for (const url of m.urls) {
    const res = await fetch(url, { method: 'HEAD', headers: { 'accept-encoding': 'identity' } }).catch(() => null);
    m.decoded += Number(res?.headers.get('content-length') ?? 0);
  }
  // The render phase ends after the frame with the rows: wait for it.
  await page.waitForFunction(() => performance.getEntriesByName('sandbox:first-result').length > 0, null, { timeout: 10_000 }).catch(() => {});
  const entries = await page.evaluate(() =>
    performance.getEntriesByType('measure').filter((e) => e.name.startsWith('sandbox:')).map((e) => ({ name: e.name.slice(8), start: e.startTime, end: e.startTime + e.duration, detail: e.detail })),
  );
  const phases = {};
  for (const e of entries) {
    // A phase measured twice (a second engine for the pipeline pane) keeps its first.
    phases[e.name] ??= { ms: e.end - e.start, endAfterClick: e.end - clickAt, detail: e.detail };
  }
  await page.waitForTimeout(dwellMs);
  await page.close();
  return { ms, sent: m.sent, decoded: m.decoded, requests: m.requests, phases };
}

const ORDER = ['wasm-probe', 'wasm-network', 'wasm-compile', 'wasm-instantiate', 'duckdb-instantiate', 'duckdb-open', 'section-store', 'checkpoints', 'parquet-codec', 'checkpoint-apply', 'warehouse-open', 'prefetch-binding', 'prefetch-query', 'table-binding', 'query', 'render'];
const NOTES = {
  'wasm-probe': 'HEAD: does the host serve the module whole?',
  'wasm-network': 'module bytes arriving (whole: in the worker; parts: fetched and joined by the page)',
  'wasm-compile': 'fetch start -> compiled (streams with the download when whole)',
  'wasm-instantiate': 'WebAssembly.instantiate',
  'duckdb-instantiate': 'worker start + module, as the page sees it',
  'duckdb-open': 'database, connection, sandbox settings',
  'section-store': 'IndexedDB of the section',
  checkpoints: 'checkpoints.json',
  'parquet-codec': 'Parquet codec (wasm)',
  'checkpoint-apply': 'first visit: the section checkpoint',
  'warehouse-open': 'catalog and refs (incl. checkpoint-apply)',
  'prefetch-binding': 'before Start: first query tables into DuckDB',
  'prefetch-query': 'before Start: first query',
  'table-binding': 'on Start: tables the query names',
  query: 'on Start: the query in DuckDB',
  render: 'result -> rows painted',
};

try {
  for (const h of Object.values(hosts)) {
    for (let i = 0; i < 200; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${h.port}/lab/`)).ok) break;
      } catch {}
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const browser = await chromium.launch(launchOptions);
  const reading = await browser.newContext();
  const rp = await reading.newPage();
  const rm = meter(rp);
  await rp.goto(`http://127.0.0.1:${port}/parts/01-what-is-a-data-lakehouse/`);
  await rp.waitForLoadState('networkidle');
  await Promise.all(rm.pending);
  const sandboxOnReadingPage = (await rp.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name))).filter((u) => /duckdb|hands-on|parquet|xterm|codemirror|\.wasm/.test(u));
  console.log(`reading page (Part 1): ${kb(rm.sent)} in ${rm.requests} requests; sandbox files loaded: ${sandboxOnReadingPage.length}`);
  await reading.close();
  await browser.close();

  // Prime each server's compressed-body cache once (npm start keeps it for its lifetime), so
  // the first cold run does not also pay the server's one-off gzip of 33 MB.
  const prime = await chromium.launch(launchOptions);
  for (const [name, h] of Object.entries(hosts)) {
    const ctx = await prime.newContext();
    await firstResult(ctx, `http://127.0.0.1:${h.port}`).catch((e) => console.error(`priming ${name}: ${e.message}`));
    await ctx.close();
  }
  await prime.close();

  const results = Object.fromEntries(['cold', 'warm'].flatMap((v) => Object.keys(hosts).map((h) => [`${v}: ${h}`, []])));
  for (let r = 0; r < runs; r++) {
    for (const [name, h] of Object.entries(hosts)) {
      const base = `http://127.0.0.1:${h.port}`;
      const profile = mkdtempSync(join(tmpdir(), 'phlo-bench-'));
      try {
        let ctx = await chromium.launchPersistentContext(profile, { ...launchOptions });
        results[`cold: ${name}`].push(await firstResult(ctx, base));
        await ctx.close();
        // The return visit: the same profile, a new browser (nothing left in its memory).
        ctx = await chromium.launchPersistentContext(profile, { ...launchOptions });
        results[`warm: ${name}`].push(await firstResult(ctx, base));
        await ctx.close();
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    }
    process.stderr.write(`run ${r + 1}/${runs} done\n`);
  }

  const cols = Object.keys(results);
  const pad = (s, n) => String(s).padStart(n);
  const W = 15;
  const fmt = (p) => (p ? `${Math.round(p.ms)} (${Math.round(p.endAfterClick)})` : '-');
  console.log(`\nClick "Start the sandbox" -> first result on /lab/, headless Chromium, median of ${runs} runs (ms)`);
  console.log(`${'phase: duration (ended, ms after click)'.padEnd(40)}${cols.map((c) => pad(c, W)).join('')}`);
  const med = (c, f) => median(results[c].map(f));
  for (const phase of ORDER) {
    if (!cols.some((c) => results[c].some((x) => x.phases[phase]))) continue;
    const cells = cols.map((c) => {
      const ms = med(c, (x) => x.phases[phase]?.ms);
      const end = med(c, (x) => x.phases[phase]?.endAfterClick);
      return pad(ms === undefined ? '-' : fmt({ ms, endAfterClick: end }), W);
    });
    console.log(`${phase.padEnd(40)}${cells.join('')}   ${NOTES[phase] ?? ''}`);
  }
  console.log(`${'CLICK -> FIRST RESULT'.padEnd(40)}${cols.map((c) => pad(Math.round(med(c, (x) => x.ms)), W)).join('')}`);
  console.log(`${'bytes before first result, as sent'.padEnd(40)}${cols.map((c) => pad(kb(med(c, (x) => x.sent)), W)).join('')}`);
  console.log(`${'  the same, uncompressed (bodies)'.padEnd(40)}${cols.map((c) => pad(kb(med(c, (x) => x.decoded)), W)).join('')}`);
  const cache = (c) => results[c].map((x) => x.phases['wasm-network']?.detail?.transferSize).filter((x) => x !== undefined);
  console.log(`${'module transferSize (0: from HTTP cache)'.padEnd(40)}${cols.map((c) => pad(cache(c).join('/') || '-', W)).join('')}`);
  console.log(`all runs, click -> first result (ms): ${cols.map((c) => `${c} [${results[c].map((x) => x.ms).join(', ')}]`).join('; ')}`);
  const cold = med('cold: whole', (x) => x.ms);
  const warm = med('warm: whole', (x) => x.ms);
  if (before) console.log(`ratios: cold before/whole ${(med('cold: before', (x) => x.ms) / med('cold: whole', (x) => x.ms)).toFixed(2)}x, warm before/whole ${(med('warm: before', (x) => x.ms) / med('warm: whole', (x) => x.ms)).toFixed(2)}x`);
  console.log(`ratios: cold parts/whole ${(med('cold: parts', (x) => x.ms) / cold).toFixed(2)}x, warm parts/whole ${(med('warm: parts', (x) => x.ms) / warm).toFixed(2)}x`);
  console.log(`goals (quiet machine): cold <= 2000 ms (${cold <= 2000 ? 'met' : 'missed'}: ${Math.round(cold)}), warm <= 500 ms (${warm <= 500 ? 'met' : 'missed'}: ${Math.round(warm)})`);

  if (process.argv.includes('--pipeline')) {
    const profile = mkdtempSync(join(tmpdir(), 'phlo-bench-'));
    const ctx = await chromium.launchPersistentContext(profile, { ...launchOptions });
    const page = await ctx.newPage();
    await page.goto(`http://127.0.0.1:${port}/lab/`);
    await page.getByRole('button', { name: 'Start the sandbox' }).click();
    await page.getByRole('tab', { name: 'Pipeline' }).click();
    await page.locator('.sbx-asset').first().waitFor({ timeout: 60_000 });
    const day = async (cmd) => {
      await page.evaluate(() => document.querySelector('.sbx-pipeline')?.removeAttribute('data-last-exit'));
      await page.getByLabel('Pipeline command').fill(cmd);
      const t = Date.now();
      await page.getByRole('button', { name: 'Run command' }).click();
      await page.locator('.sbx-pipeline[data-last-exit]').waitFor({ timeout: 180_000 });
      return { ms: Date.now() - t, code: await page.locator('.sbx-pipeline').getAttribute('data-last-exit') };
    };
    const ingest = await day('materialize dlt_glucose_entries --partition 2025-03-01');
    console.log(`pipeline day in the Worker (ingest only): ${(ingest.ms / 1000).toFixed(2)} s (exit ${ingest.code})`);
    const full = await day('materialize --partition 2025-03-02 --downstream dlt_glucose_entries');
    console.log(`pipeline day in the Worker (ingest + models + publish to PGlite): ${(full.ms / 1000).toFixed(2)} s (exit ${full.code})`);
    await ctx.close();
    rmSync(profile, { recursive: true, force: true });
  }
} finally {
  for (const s of servers) s.kill();
}

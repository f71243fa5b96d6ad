/**
 * The Content-Security-Policy of the built site (issue 13, item 18) and SQL's reach in the
 * browser's DuckDB-WASM (item 6), in Chromium against the built site:
 * - script-src has no 'unsafe-inline', only the hashes the build computed; every inline
 *   script of a reading page, the home page and a hands-on page runs (Starlight's theme
 *   script sets the theme) with no CSP violation, while a script injected at run time is
 *   refused (the policy is really enforced);
 * - the Part 3 sandbox starts and queries its tables under that policy;
 * - SQL cannot reach the site's files (read_text, read_csv, read_blob, glob, COPY, ATTACH),
 *   load an extension or turn access back on, each with a message in the learner's terms,
 *   and the tables still read afterwards;
 * - on a host that sends no headers at all (GitHub Pages), the service worker adds the CSP
 *   as well as cross-origin isolation once it controls the page.
 */
import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { test, expect, record, startSandbox, runSql } from './fixtures.ts';
import type { Page } from '@playwright/test';
import { DIST } from '../site/dist.ts';

test.describe.configure({ timeout: 300_000 });

/** Collect CSP violations from the first script on. */
async function watchViolations(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`));
  });
}
const violations = (page: Page) => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);

test('pages run their inline scripts under a CSP without unsafe-inline; injected script is refused', async ({ page, baseURL }) => {
  const rec = record(page, new URL(baseURL!).origin);
  await watchViolations(page);
  for (const path of ['/', '/parts/01-what-is-a-data-lakehouse/', '/parts/03-apache-iceberg/', '/no-such-page/']) {
    const response = await page.goto(path);
    const csp = (await response!.allHeaders())['content-security-policy'] ?? '';
    const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ?? '';
    expect(scriptSrc, path).not.toContain("'unsafe-inline'");
    expect(scriptSrc, path).toMatch(/'sha256-[A-Za-z0-9+/]+=*'/);
    // Starlight's inline theme script ran, and the footer's course map is there to read.
    await expect(page.locator('html')).toHaveAttribute('data-theme', /light|dark/);
    expect(await page.evaluate(() => Object.keys(JSON.parse(document.getElementById('phlo-course-map')!.textContent!).parts).length), path).toBeGreaterThan(0);
    expect(await violations(page), path).toEqual([]);
  }
  // A script injected into the page is not in the list: refused, and reported.
  await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__injected = true';
    document.body.append(s);
  });
  expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
  await expect.poll(() => violations(page)).toEqual([expect.stringMatching(/^script-src/)]);
  expect(rec.consoleErrors.filter((e) => /Content Security Policy/i.test(e) && !/__injected|inline/.test(e))).toEqual([]);
});

test('Part 3: the sandbox runs under the CSP, and SQL reaches only the warehouse', async ({ page }) => {
  await watchViolations(page);
  await startSandbox(page, '/parts/03-apache-iceberg/', { timeoutMs: 150_000 });
  await page.getByRole('tab', { name: 'SQL console' }).click();
  const status = page.locator('.sbx-sql .sbx-status');
  const error = page.locator('.sbx-sql .sbx-error');
  await runSql(page, 'select count(*) as n from raw.glucose_entries');
  await expect(status).toContainText(/1 row/, { timeout: 60_000 });

  const files = /SQL here cannot read or write files/;
  const attacks: [string, RegExp][] = [
    ["select * from read_text('/sw.js')", files],
    ["select * from read_blob('/index.html')", files],
    ["select * from read_csv('/warehouse/_index.json')", files],
    ["select * from glob('/*')", files],
    ["copy (select 1) to '/x.csv'", files],
    ["attach '/x.db' as x", files],
    ['load httpfs', /cannot be installed or loaded/],
    ['set enable_external_access = true', /settings are fixed/],
  ];
  for (const [sql, why] of attacks) {
    await runSql(page, sql);
    await expect(error, sql).toContainText(why, { timeout: 30_000 });
  }
  // The tables still read after the refusals, and after a reset registers them again.
  await runSql(page, 'select count(*) as n from raw.glucose_entries');
  await expect(status).toContainText(/1 row/, { timeout: 60_000 });
  await expect(error).toBeHidden();
  await page.getByRole('button', { name: 'Reset to checkpoint' }).click();
  await expect(page.locator('.hands-on[data-ready]')).toBeVisible({ timeout: 150_000 });
  await page.getByRole('tab', { name: 'SQL console' }).click();
  await runSql(page, 'select count(*) as n from silver.fct_glucose_readings');
  await expect(status).toContainText(/1 row/, { timeout: 60_000 });
  await runSql(page, "select * from read_text('/sw.js')");
  await expect(error).toContainText(files, { timeout: 30_000 });
  expect(await violations(page)).toEqual([]);
});

/** The built site as a host with no header support serves it: bytes and a type, nothing else. */
function headerlessHost(): Promise<{ server: Server; origin: string }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml', '.wasm': 'application/wasm' };
  const server = createServer(async (req, res) => {
    let file = path.join(DIST, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if ((await stat(file).catch(() => null))?.isDirectory()) file = path.join(file, 'index.html');
    const body = await readFile(file).catch(() => null);
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream' }).end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, origin: `http://127.0.0.1:${(server.address() as { port: number }).port}` })));
}

test('on a host without headers, the service worker adds the CSP and isolation', async ({ page }) => {
  const { server, origin } = await headerlessHost();
  try {
    await watchViolations(page);
    const first = await page.goto(`${origin}/parts/01-what-is-a-data-lakehouse/`);
    expect((await first!.allHeaders())['content-security-policy']).toBeUndefined();
    await page.evaluate(() => navigator.serviceWorker.ready);
    const again = await page.reload();
    const csp = (await again!.allHeaders())['content-security-policy'] ?? '';
    expect(csp).toMatch(/script-src 'self' 'sha256-/);
    expect(csp).not.toContain("'unsafe-inline' 'wasm");
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await expect(page.locator('html')).toHaveAttribute('data-theme', /light|dark/);
    expect(await violations(page)).toEqual([]);
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__injected = true';
      document.body.append(s);
    });
    await expect.poll(() => violations(page)).toEqual([expect.stringMatching(/^script-src/)]);
    expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
  } finally {
    server.close();
  }
});

/**
 * Offline use (the service worker written by scripts/service-worker.mjs): after a first
 * visit the course can be read with the network off, and once a sandbox has been used its
 * engines and the prebuilt warehouse are on disk too, so a hands-on section still runs its
 * query offline. A new deployment is offered as an update, not forced on the reader.
 */
import { spawn } from 'node:child_process';
import { appendFile, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, expect, runSql } from './fixtures.ts';

// Saving the engines and the warehouse for offline use (65 MiB) takes minutes on a loaded 2-core machine.
test.describe.configure({ timeout: 300_000 });

const PART = '/parts/03-apache-iceberg/';

test('after a first visit, reading and a hands-on query work with the network cut', async ({ page, context }) => {
  page.on('dialog', (d) => void d.accept());
  if (process.env.PHLO_DEBUG) page.on('console', (m) => console.log('console:', m.text()));
  if (process.env.PHLO_DEBUG) page.on('requestfailed', (r) => console.log('failed:', r.url(), r.failure()?.errorText));
  await page.goto(PART);
  const status = page.locator('[data-offline-status]');
  await expect(status).toContainText('Available offline for reading', { timeout: 60_000 });
  expect(await page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);

  // Using a sandbox saves the engines and the warehouse for offline use.
  await page.getByRole('button', { name: 'Start the sandbox' }).click();
  await expect(page.locator('.hands-on[data-ready]')).toBeVisible({ timeout: 90_000 });
  await expect(status).toContainText('every part and every sandbox', { timeout: 120_000 });

  await context.setOffline(true);
  try {
    // Another part, never visited: the whole site was saved on the first visit.
    await page.goto('/parts/01-what-is-a-data-lakehouse/');
    await expect(page.locator('h1')).toContainText('Lakehouse');
    await expect(status).toContainText('You are offline');
    await expect(page.locator('.mermaid-diagram svg:visible').first()).toBeVisible();
    // Search works from the saved index too.
    await page.keyboard.press('/');
    const search = page.locator('dialog:has(#starlight__search)');
    await search.locator('input').first().fill('snapshots');
    await expect(search.locator('.pagefind-ui__result-link[href*="/parts/03-apache-iceberg/"]').first()).toBeVisible({ timeout: 15_000 });
    await page.keyboard.press('Escape');

    // Back to the hands-on section: it reopens from disk and answers a query.
    await page.goto(PART);
    expect(await page.evaluate(() => crossOriginIsolated), 'still cross-origin isolated offline').toBe(true);
    await page.getByRole('button', { name: 'Start the sandbox' }).click({ timeout: 10_000 }).catch(() => {});
    await expect(page.locator('.hands-on[data-ready]')).toBeVisible({ timeout: 90_000 });
    await page.getByRole('tab', { name: 'SQL console' }).click();
    await runSql(page, 'select count(*) as n from raw.glucose_entries');
    const cell = page.locator('.sbx-sql .sbx-grid-row').first().locator('[role=cell]').nth(1);
    await expect(cell).toHaveText(/^[1-9][\d,]*$/, { timeout: 60_000 });
  } finally {
    await context.setOffline(false);
  }
});

test('a new deployment is offered as an update and applied on request', async ({ page }) => {
  // A site of our own to "deploy" to: the built site copied into a temporary folder (copied, not
  // linked: the server serves only real paths inside its root), its sw.js to change, served by
  // the same server on another port.
  const dist = path.resolve(process.env.PHLO_DIST ?? 'dist');
  const root = await mkdtemp(path.join(tmpdir(), 'phlo-deploy-'));
  await cp(dist, root, { recursive: true });
  const port = 4500 + Math.floor(Math.random() * 400);
  const server = spawn(process.execPath, ['scripts/serve.mjs', '--root', root, '--host', '127.0.0.1', '--port', String(port)], { stdio: 'ignore' });
  try {
    const origin = `http://127.0.0.1:${port}`;
    await expect.poll(() => fetch(`${origin}/`).then((r) => r.status, () => 0), { timeout: 15_000 }).toBe(200);
    await page.goto(`${origin}/`);
    await expect(page.locator('[data-offline-status]')).toContainText('Available offline', { timeout: 60_000 });
    await expect(page.locator('[data-update-prompt]')).toBeHidden();

    await appendFile(path.join(root, 'sw.js'), '\n// the next deployment\n');
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
    const prompt = page.locator('[data-update-prompt]');
    await expect(prompt).toBeVisible({ timeout: 60_000 });
    await expect(prompt).toContainText('A new version of the course is available');
    await Promise.all([page.waitForEvent('load'), prompt.getByRole('button', { name: 'Reload to update' }).click()]);
    await expect(page.locator('[data-update-prompt]')).toBeHidden();
    await expect(page.locator('[data-offline-status]')).toContainText('Available offline', { timeout: 60_000 });
  } finally {
    server.kill();
    await rm(root, { recursive: true, force: true });
  }
});

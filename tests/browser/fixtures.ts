/**
 * Shared pieces of the browser tests: the list of built pages, a page wrapper that
 * records console errors and every request, and the theme switch.
 */
import { test as base, expect, type Page } from '@playwright/test';
import { builtPages } from '../site/dist.ts';

export { expect };

/** URL paths of every built page (the 404 page is reached by its file name). */
export const pageUrls: string[] = builtPages().map((p) => p.url);

export interface Recorder {
  consoleErrors: string[];
  foreignRequests: string[];
  requests: { url: string; type: string }[];
}

/** Start recording before the first navigation. */
export function record(page: Page, origin: string): Recorder {
  const rec: Recorder = { consoleErrors: [], foreignRequests: [], requests: [] };
  page.on('console', (msg) => {
    if (msg.type() === 'error') rec.consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => rec.consoleErrors.push(`uncaught: ${err.message}`));
  page.on('request', (req) => {
    const url = req.url();
    rec.requests.push({ url, type: req.resourceType() });
    if (url.startsWith('data:') || url.startsWith('blob:') || url === 'about:blank') return;
    if (new URL(url).origin !== origin) rec.foreignRequests.push(url);
  });
  return rec;
}

/** Choose Starlight's theme before any page script runs, as a returning reader would have it. */
export async function useTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  await page.addInitScript((t) => {
    try {
      localStorage.setItem('starlight-theme', t);
    } catch {}
  }, theme);
  await page.emulateMedia({ colorScheme: theme });
}

export const test = base;

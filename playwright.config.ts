import { defineConfig } from '@playwright/test';
import { launchOptions } from './scripts/chromium.mjs';

/**
 * Browser tests run in Debian's Chromium (Playwright cannot download its own browsers
 * here) against the built site, served by scripts/serve.mjs with the same headers as
 * production. Port 4322 so a running `npm start` on 4321 does not collide; PHLO_TEST_PORT
 * moves it, so that two checkouts on one machine (git worktrees) never test each other's build.
 */
const PORT = Number(process.env.PHLO_TEST_PORT ?? 4322);

export default defineConfig({
  testDir: 'tests/browser',
  // The chaos walk runs through `npm run chaos` (PHLO_CHAOS=1), not in `npm test` yet: in CI
  // at seed 20261207 it found a frame with 1133 ms of script in Part 3 right after a reset,
  // not yet explained or fixed (issue 13 stays open for it).
  testIgnore: process.env.PHLO_CHAOS ? [] : ['**/chaos.spec.ts'],
  timeout: 90_000,
  expect: { timeout: 15_000 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['json']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    browserName: 'chromium',
    launchOptions,
    trace: 'off',
  },
  webServer: {
    command: `node scripts/serve.mjs --root dist --host 127.0.0.1 --port ${PORT}`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
});

/**
 * `npm run bench:site`: build the site (timed), serve it, and print what each reading page
 * ships as JavaScript and when it first paints, in headless Chromium.
 * `npm run bench:site -- --no-build` measures the last build; `--files` lists each script.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright';
import { launchOptions } from '../scripts/chromium.mjs';
import { run, ROOT } from '../scripts/run.mjs';
import { measurePage } from './page-weight.mjs';

const PORT = 4329;
if (!process.argv.includes('--no-build')) {
  const t = performance.now();
  const { code } = await run('node', ['scripts/build.mjs']);
  if (code !== 0) process.exit(code);
  console.log(`\nbuild time (whole npm run build): ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

const server = spawn('node', ['scripts/serve.mjs', '--root', 'dist', '--host', '127.0.0.1', '--port', String(PORT)], {
  cwd: ROOT,
  env: { ...process.env, PATH: `${ROOT}/node_modules/.bin:${process.env.PATH}`, ASTRO_TELEMETRY_DISABLED: '1' },
  stdio: 'ignore',
});
try {
  const base = `http://127.0.0.1:${PORT}`;
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(base)).ok) break; } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  const browser = await chromium.launch(launchOptions);
  // Every reading page: the index and each part that exists in this build.
  const partsDir = path.join(ROOT, 'dist', 'parts');
  const pages = ['/', ...(existsSync(partsDir) ? readdirSync(partsDir).sort().map((d) => `/parts/${d}/`) : [])];
  console.log('\npage                                   JS raw    JS gzip   files  first paint');
  for (const path of pages) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const m = await measurePage(page, base + path);
    console.log(`${path.padEnd(38)} ${(m.jsRaw / 1024).toFixed(1).padStart(6)} KB ${(m.jsGzip / 1024).toFixed(1).padStart(6)} KB ${String(m.files.length).padStart(6)}  ${m.firstContentfulPaintMs} ms`);
    if (process.argv.includes('--files')) {
      for (const f of m.files) console.log(`    ${f.url.padEnd(60)} ${(f.raw / 1024).toFixed(1)} KB raw, ${(f.gzip / 1024).toFixed(1)} KB gzip`);
      console.log(`    (inline scripts)${' '.repeat(44)} ${(m.inline.raw / 1024).toFixed(1)} KB raw, ${(m.inline.gzip / 1024).toFixed(1)} KB gzip`);
    }
    await context.close();
  }
  await browser.close();
} finally {
  server.kill();
}

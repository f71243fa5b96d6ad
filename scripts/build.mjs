/**
 * `npm run build`: everything the static site needs, in order.
 *   1. Chromium must be there: Mermaid diagrams are rendered to SVG by a headless browser.
 *   2. The prebuilt warehouse (when the pipeline is present) is written into public/warehouse.
 *   3. Astro builds the site into dist/ (Pagefind indexes it, the sitemap is written).
 * It prints how long each step took.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ensureChromium } from './chromium.mjs';
import { run, ROOT, seconds } from './run.mjs';

const t0 = performance.now();
ensureChromium();

const warehouseBuilder = path.join(ROOT, 'sandboxes/pipeline/cli/build-warehouse.ts');
if (existsSync(warehouseBuilder) && process.env.PHLO_SKIP_WAREHOUSE !== '1') {
  const t = performance.now();
  const { code } = await run('node', [warehouseBuilder, '--out', 'public/warehouse']);
  if (code !== 0) {
    console.error('Building the prebuilt warehouse failed (see above); the site was not built.');
    process.exit(code);
  }
  console.log(`build: warehouse written in ${seconds(t)} s`);
}

const t1 = performance.now();
// Extra arguments go to Astro, e.g. `npm run build -- --outDir /tmp/site` for a side build.
const { code } = await run('astro', ['build', ...process.argv.slice(2)]);
if (code !== 0) process.exit(code);
console.log(`build: astro build took ${seconds(t1)} s; whole build ${seconds(t0)} s`);

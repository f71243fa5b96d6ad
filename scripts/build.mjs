/**
 * `npm run build`: everything the static site needs, in order.
 *   1. Chromium must be there: Mermaid diagrams are rendered to SVG by a headless browser.
 *   2. The prebuilt warehouse (when the pipeline is present) is written into public/warehouse.
 *   3. Astro builds the site into dist/ (Pagefind indexes it, the sitemap is written).
 *   4. The pipeline CLI is prebundled for WebContainers into <outDir>/webcontainer (no npm
 *      install in the learner's container; scripts/bundle-webcontainer.mjs).
 *   5. The inline scripts of the pages are hashed for the CSP (csp-hashes.json), the output
 *      is made ready for static hosts (large files split, _headers written) and the offline
 *      service worker is written with this build's precache manifest and CSP.
 * It prints how long each step took.
 */
import { existsSync, rmSync, cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensureChromium } from './chromium.mjs';
import { run, ROOT, seconds } from './run.mjs';
import { prepareForStaticHosts } from './static-hosts.mjs';
import { writeScriptHashes } from './csp-hashes.mjs';
import { writeServiceWorker } from './service-worker.mjs';
import { bundleWebContainer } from './bundle-webcontainer.mjs';
import { warehouseSourcesHash, BUILT_WAREHOUSE_STAMP } from './warehouse-sources.mjs';

const t0 = performance.now();
ensureChromium();

const warehouseBuilder = path.join(ROOT, 'sandboxes/pipeline/cli/build-warehouse.ts');
if (existsSync(warehouseBuilder) && process.env.PHLO_SKIP_WAREHOUSE !== '1') {
  const t = performance.now();
  const sources = warehouseSourcesHash();
  rmSync(BUILT_WAREHOUSE_STAMP, { force: true });
  const { code } = await run('node', [warehouseBuilder, '--out', 'public/warehouse']);
  if (code !== 0) {
    console.error('Building the prebuilt warehouse failed (see above); the site was not built.');
    process.exit(code);
  }
  // The sources it was built from, so the tests can reuse this copy (scripts/warehouse-sources.mjs).
  mkdirSync(path.dirname(BUILT_WAREHOUSE_STAMP), { recursive: true });
  writeFileSync(BUILT_WAREHOUSE_STAMP, sources);
  console.log(`build: warehouse written in ${seconds(t)} s`);
}

const t1 = performance.now();
// Extra arguments go to Astro, e.g. `npm run build -- --outDir /tmp/site` for a side build.
const astroArgs = process.argv.slice(2);
const outAt = astroArgs.indexOf('--outDir');
const outDir = path.resolve(ROOT, outAt >= 0 ? astroArgs[outAt + 1] : 'dist');
// Astro keeps its prerender chunks in <outDir>/.prerender, or in one shared .astro/ folder
// when outDir is outside the project, where two side builds at once would overwrite each
// other's chunks. So a side build goes to a private folder inside the project, then moves.
const inside = outDir.startsWith(ROOT + path.sep);
const buildDir = inside ? outDir : path.join(ROOT, '.builds', `${path.basename(outDir)}-${process.pid}`);
if (outAt >= 0) astroArgs[outAt + 1] = buildDir;
const { code } = await run('astro', ['build', ...astroArgs]);
if (code !== 0) {
  if (!inside) rmSync(buildDir, { recursive: true, force: true });
  process.exit(code);
}
if (!inside) {
  rmSync(outDir, { recursive: true, force: true });
  cpSync(buildDir, outDir, { recursive: true });
  rmSync(buildDir, { recursive: true, force: true });
}

// The pipeline CLI for a WebContainer, before the split below (its DuckDB .wasm is cut into parts like the page's).
try {
  const wc = await bundleWebContainer(path.join(outDir, 'webcontainer'));
  console.log(`build: WebContainer bundle: ${wc.files.length} files, ${(wc.bytes / 2 ** 20).toFixed(1)} MiB (CLI ${(wc.files[0].size / 2 ** 20).toFixed(1)} MiB) in ${(wc.ms / 1000).toFixed(1)} s`);
} catch (err) {
  console.error(`build: prebundling the pipeline CLI for WebContainers failed: ${err.message}`);
  process.exit(1);
}

// Static hosts: oversized files cut into parts, the _headers file written (scripts/static-hosts.mjs).
try {
  // The CSP's inline-script hashes, from the HTML Astro wrote (scripts/csp-hashes.mjs).
  const scriptHashes = writeScriptHashes(outDir);
  console.log(`build: ${scriptHashes.length} inline script hashes for the Content-Security-Policy`);
  for (const s of prepareForStaticHosts(outDir, { scriptHashes })) {
    console.log(`build: split ${s.file} (${(s.size / 2 ** 20).toFixed(1)} MiB) into ${s.parts} parts for hosts with a 25 MiB file limit`);
    if (s.keptWhole) console.log(`build: ${s.file} also kept whole (PHLO_WHOLE_WASM=1 or a Netlify build): this build does not deploy to Cloudflare Pages`);
  }
  const sw = writeServiceWorker(outDir, { scriptHashes });
  const mb = (n) => (n / 2 ** 20).toFixed(1);
  console.log(`build: service worker ${sw.version}: ${sw.files} files, ${mb(sw.shellBytes)} MiB cached on a first visit, ${mb(sw.sandboxBytes)} MiB more once a sandbox is used`);
} catch (err) {
  console.error(`build: ${err.message}`);
  process.exit(1);
}
console.log(`build: astro build took ${seconds(t1)} s; whole build ${seconds(t0)} s`);

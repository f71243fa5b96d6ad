/**
 * What a reading page costs a reader: the JavaScript it downloads (raw and gzip-compressed
 * bytes, since static hosts compress) and when it first paints. Shared by the site
 * benchmark and the budget test.
 */
import { gzipSync } from 'node:zlib';

export async function measurePage(page, url) {
  const scripts = new Map();
  const onResponse = async (response) => {
    const type = response.request().resourceType();
    if (type !== 'script') return;
    try {
      const body = await response.body();
      scripts.set(response.url(), { raw: body.length, gzip: gzipSync(body).length });
    } catch {
      // A response without a body (a redirect) costs nothing.
    }
  };
  page.on('response', onResponse);
  await page.goto(url, { waitUntil: 'networkidle' });
  const paint = await page.evaluate(() => {
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    return fcp ? Math.round(fcp.startTime) : null;
  });
  page.off('response', onResponse);
  const inlineScripts = await page.evaluate(() =>
    [...document.querySelectorAll('script:not([src])')].map((s) => s.textContent ?? '').join('\n'),
  );
  const inline = { raw: Buffer.byteLength(inlineScripts), gzip: gzipSync(Buffer.from(inlineScripts)).length };
  const files = [...scripts.entries()].map(([u, s]) => ({ url: new URL(u).pathname, ...s }));
  const total = files.reduce((acc, f) => ({ raw: acc.raw + f.raw, gzip: acc.gzip + f.gzip }), { raw: 0, gzip: 0 });
  return { url, files, inline, jsRaw: total.raw + inline.raw, jsGzip: total.gzip + inline.gzip, firstContentfulPaintMs: paint };
}

/**
 * A simulated workshop room: N attendees at once, each downloading what their browser
 * downloads on a first visit to a hands-on section: every file the offline service worker
 * saves (the pages, the engines, the prebuilt warehouse; read from the build's sw.js),
 * a few at a time, accepting gzip and Brotli as Chromium does (either counts as compressed). Bodies are counted, not decompressed,
 * so the numbers measure the server.
 *
 *   npm run bench:workshop [-- --clients 30]     (serves dist/ on every interface itself)
 */
import http from 'node:http';
import { readPrecacheManifest } from './service-worker.mjs';
import path from 'node:path';

/** The files one attendee's browser fetches: the service worker's precache list. */
export function roomFiles(dist) {
  return readPrecacheManifest(dist).files.filter((f) => !f.sameAs).map((f) => `/${f.url}`);
}

function get(origin, urlPath) {
  return new Promise((resolve, reject) => {
    const req = http.get(new URL(urlPath, origin), { headers: { 'Accept-Encoding': 'gzip, deflate, br' }, agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (c) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(120_000, () => req.destroy(new Error(`timeout on ${urlPath}`)));
  });
}

/**
 * Run the room: every client fetches every file with `perClient` requests in flight.
 * Returns per-client times, totals, and every response that broke a rule.
 */
export async function simulateRoom({ origin, files, clients = 30, perClient = 4 }) {
  const problems = [];
  let bytes = 0;
  let requests = 0;
  const started = performance.now();
  const clientTimes = await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      const t0 = performance.now();
      const queue = [...files];
      const lane = async () => {
        for (let f = queue.shift(); f; f = queue.shift()) {
          const r = await get(origin, f);
          requests++;
          bytes += r.bytes;
          if (r.status !== 200) problems.push(`client ${c}: ${f} answered ${r.status}`);
          if (r.headers['cross-origin-embedder-policy'] !== 'require-corp') problems.push(`client ${c}: ${f} has no COEP header`);
          if (f.startsWith('/_astro/') && !/immutable/.test(r.headers['cache-control'] ?? '')) problems.push(`${f} is not cached as immutable`);
          if (/\.(js|css|html|json|wasm|svg)$|\/$/.test(f) && r.bytes > 1024 && !['gzip', 'br'].includes(r.headers['content-encoding'] ?? '')) problems.push(`${f} was not compressed`);
        }
      };
      await Promise.all(Array.from({ length: perClient }, lane));
      return performance.now() - t0;
    }),
  );
  const wall = performance.now() - started;
  clientTimes.sort((a, b) => a - b);
  return {
    clients,
    files: files.length,
    requests,
    bytes,
    wallMs: wall,
    p50Ms: clientTimes[Math.floor(clients / 2)],
    p95Ms: clientTimes[Math.min(clients - 1, Math.ceil(clients * 0.95) - 1)],
    mbPerSecond: bytes / 2 ** 20 / (wall / 1000),
    problems: [...new Set(problems)],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { createSiteServer } = await import('./serve.mjs');
  const { roomAddresses } = await import('./room-addresses.mjs');
  const at = process.argv.indexOf('--clients');
  const clients = Number(at >= 0 ? process.argv[at + 1] : 30);
  const dist = path.resolve(process.env.PHLO_DIST ?? 'dist');
  const server = createSiteServer({ root: dist });
  await new Promise((r) => server.listen(0, '0.0.0.0', r));
  const host = roomAddresses()[0]?.address ?? '127.0.0.1';
  const origin = `http://${host}:${server.address().port}`;
  const files = roomFiles(dist);
  console.log(`A room of ${clients} attendees against ${origin} (bound to 0.0.0.0), ${files.length} files each...`);
  const r = await simulateRoom({ origin, files, clients });
  server.close();
  console.log(`  ${r.requests} requests, ${(r.bytes / 2 ** 20).toFixed(0)} MiB sent (compressed) in ${(r.wallMs / 1000).toFixed(1)} s: ${r.mbPerSecond.toFixed(0)} MiB/s`);
  console.log(`  one attendee's whole first visit: median ${(r.p50Ms / 1000).toFixed(1)} s, 95th percentile ${(r.p95Ms / 1000).toFixed(1)} s`);
  if (r.problems.length) {
    console.log(`  problems:\n    ${r.problems.slice(0, 20).join('\n    ')}`);
    process.exit(1);
  }
}

/**
 * A small static server for the built site (dist/), used by `npm start`, the browser tests,
 * the benchmarks and the workshop mode. It sends the site's security headers
 * (src/lib/security-headers.mjs) on every response, compresses text, serves the 404 page
 * with a 404 status, and never reads outside its root.
 *
 * We do not use `astro preview` because Astro 7 allows one preview server per project at a
 * time, which breaks running the tests while `npm start` is up.
 *
 *   node scripts/serve.mjs [--root dist] [--port 4321] [--host 0.0.0.0]
 */
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import path from 'node:path';
import { securityHeaders } from '../src/lib/security-headers.mjs';

const gzipAsync = promisify(gzip);

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.text': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.sql': 'text/plain; charset=utf-8',
  '.yml': 'text/yaml; charset=utf-8',
  '.yaml': 'text/yaml; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.avro': 'application/avro',
  '.parquet': 'application/vnd.apache.parquet',
  '.pf_meta': 'application/octet-stream',
  '.pf_fragment': 'application/octet-stream',
  '.pf_index': 'application/octet-stream',
  '.pagefind': 'application/octet-stream',
};
const COMPRESSIBLE = /^(text\/|application\/(json|xml|javascript|manifest\+json|wasm)|image\/svg)/;

export function createSiteServer({ root }) {
  const rootDir = path.resolve(root);
  // Bodies kept in memory, raw and compressed, keyed by file, modification time and size: a
  // room of attendees asking for the same 30 MB of engines at once reads and compresses them
  // once (without blocking the other requests), and a rebuild under a running server is
  // never answered with the previous build's bytes.
  const bodies = new Map();

  function bodyOf(file, version, wantGzip) {
    const key = `${file}:${version}:${wantGzip ? 'gz' : 'raw'}`;
    let entry = bodies.get(key);
    if (!entry) {
      entry = (async () => {
        const raw = await readFile(file);
        if (!wantGzip || raw.length <= 1024) return { bytes: raw, gzipped: false };
        return { bytes: await gzipAsync(raw), gzipped: true };
      })();
      bodies.set(key, entry);
      entry.catch(() => bodies.delete(key));
      // Drop older versions of the same file.
      for (const k of bodies.keys()) if (k.startsWith(`${file}:`) && !k.startsWith(`${file}:${version}:`)) bodies.delete(k);
    }
    return entry;
  }

  async function resolveFile(urlPath) {
    const decoded = decodeURIComponent(urlPath);
    const full = path.resolve(rootDir, `.${decoded}`);
    if (full !== rootDir && !full.startsWith(rootDir + path.sep)) return { status: 403 };
    const info = await stat(full).catch(() => null);
    if (info?.isDirectory()) {
      if (!decoded.endsWith('/')) return { status: 301, location: `${urlPath}/` };
      const index = path.join(full, 'index.html');
      const indexInfo = await stat(index).catch(() => null);
      if (indexInfo) return { status: 200, file: index, version: `${indexInfo.mtimeMs}:${indexInfo.size}` };
      return { status: 404 };
    }
    if (info?.isFile()) return { status: 200, file: full, version: `${info.mtimeMs}:${info.size}` };
    return { status: 404 };
  }

  return createServer(async (req, res) => {
    for (const [name, value] of Object.entries(securityHeaders)) res.setHeader(name, value);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    try {
      const url = new URL(req.url ?? '/', 'http://site');
      let found = await resolveFile(url.pathname);
      if (found.status === 301) {
        res.writeHead(301, { Location: found.location + url.search }).end();
        return;
      }
      let status = found.status;
      if (status !== 200) {
        const notFound = path.join(rootDir, '404.html');
        const info = await stat(notFound).catch(() => null);
        found = { file: notFound, version: info ? `${info.mtimeMs}:${info.size}` : '' };
        if (!info) {
          res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
          return;
        }
      }
      const type = TYPES[path.extname(found.file)] ?? 'application/octet-stream';
      const etag = `"${found.version.replace(/[^\w.:-]/g, '')}"`;
      const headers = {
        'Content-Type': type,
        // Fingerprinted assets never change; pages and data are revalidated (cheaply: ETag).
        'Cache-Control': url.pathname.startsWith('/_astro/') ? 'public, max-age=31536000, immutable' : 'no-cache',
        ETag: etag,
      };
      if (status === 200 && req.headers['if-none-match'] === etag) {
        res.writeHead(304, headers).end();
        return;
      }
      const gzip = COMPRESSIBLE.test(type) && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
      const body = await bodyOf(found.file, found.version, gzip);
      if (body.gzipped) {
        headers['Content-Encoding'] = 'gzip';
        headers['Vary'] = 'Accept-Encoding';
      }
      headers['Content-Length'] = body.bytes.length;
      res.writeHead(status, headers);
      res.end(req.method === 'HEAD' ? undefined : body.bytes);
    } catch (error) {
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`Server error: ${error.message}\n`);
    }
  });
}

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = option('root', 'dist');
  const port = Number(option('port', process.env.PORT ?? '4321'));
  const host = option('host', '0.0.0.0');
  const server = createSiteServer({ root });
  server.on('error', (error) => {
    console.error(error.code === 'EADDRINUSE' ? `Port ${port} is already in use: stop the other server or pass --port N.` : `Server error: ${error.message}`);
    process.exit(1);
  });
  server.listen(port, host, () => console.log(`Serving ${root}/ at http://localhost:${port}/ (listening on ${host}:${port})`));
}

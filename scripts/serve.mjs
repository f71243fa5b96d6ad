/**
 * A small static server for the built site (dist/), used by `npm start`, the browser tests,
 * the benchmarks and the workshop mode (scripts/workshop.mjs). It sends the site's security
 * headers (src/lib/security-headers.mjs, with the inline-script hashes the build wrote) on
 * every response, compresses text (gzip, and Brotli once made), serves the 404 page with a 404 status, answers single
 * byte ranges (browsers and `curl -C` resume large .wasm downloads with them), and never
 * reads outside its root, not even through a symbolic link.
 *
 * A .wasm the build cut into parts for hosts with a 25 MiB file limit (scripts/static-hosts.mjs)
 * is also served whole, joined here: the browser then compiles it while it downloads
 * (src/sandbox/runtime/split-assets.ts asks for it first).
 *
 * We do not use `astro preview` because Astro 7 allows one preview server per project at a
 * time, which breaks running the tests while `npm start` is up.
 *
 *   node scripts/serve.mjs [--root dist] [--port 4321] [--host 0.0.0.0] [--parts-only]
 */
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { gzip, brotliCompress, constants as zlib } from 'node:zlib';
import { promisify } from 'node:util';
import path from 'node:path';
import { securityHeadersFor } from '../src/lib/security-headers.mjs';
import { HASHES_FILE, readScriptHashes } from './csp-hashes.mjs';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);
/**
 * Brotli at quality 6: DuckDB-WASM's module is 6.1 MB instead of gzip's 7.7 MB. It takes
 * seconds to make for that file, so it is made once, in the background: requests get gzip
 * until it is ready (see `encodingFor`).
 */
const BROTLI = { params: { [zlib.BROTLI_PARAM_QUALITY]: 6 } };

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

/** Bodies held in memory at most (raw and compressed together); the rest is read again. */
export const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;

/**
 * Compressed and small raw bodies, least recently used first out, bounded by bytes. A room of
 * attendees asking for the same 30 MB of engines at once reads and compresses them once
 * (the pending promise is shared, without blocking other requests); a rebuild under a running
 * server is never answered with the previous build's bytes (the key holds mtime and size).
 */
class BodyCache {
  constructor(maxBytes) {
    this.maxBytes = maxBytes;
    this.bytes = 0;
    this.entries = new Map();
  }

  get(key, load) {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.promise;
    }
    const entry = { promise: load(), size: 0, value: null };
    this.entries.set(key, entry);
    entry.promise.then(
      (body) => {
        entry.value = body;
        if (this.entries.get(key) !== entry) return;
        // Too big to share the budget with anything else: serve it once, keep nothing.
        if (body.bytes.length > this.maxBytes / 4) {
          this.entries.delete(key);
          return;
        }
        entry.size = body.bytes.length;
        this.bytes += entry.size;
        this.evict();
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return entry.promise;
  }

  /** The body under `key` if it is made already, else null (nothing is started). */
  ready(key) {
    return this.entries.get(key)?.value ?? null;
  }

  /** Forget other versions of a file (a rebuild replaced it). */
  dropOthers(prefix, keep) {
    for (const [k, e] of this.entries) if (k.startsWith(prefix) && !k.startsWith(keep)) this.remove(k, e);
  }

  remove(key, entry) {
    this.entries.delete(key);
    this.bytes -= entry.size;
  }

  evict() {
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      if (e.size > 0) this.remove(k, e);
    }
  }
}

/** A strong entity tag per representation: a compressed body is different bytes from the file. */
const entityTag = (version, encoding = 'identity') => `"${version.replace(/[^\w.:-]/g, '')}${{ gzip: '-gz', br: '-br' }[encoding] ?? ''}"`;

/** Does an If-None-Match header name this tag (weak comparison, lists and "*")? */
function noneMatch(header, etag) {
  if (!header) return false;
  return header.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}

/**
 * One byte range of a `size`-byte body, or 'unsatisfiable', or null to send it whole
 * (no Range, several ranges, another unit, or a malformed header: all allowed by RFC 9110).
 */
export function parseRange(header, size) {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start;
  let end;
  if (m[1] === '') {
    // The last N bytes.
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return null;
  }
  if (start >= size || !Number.isSafeInteger(start)) return 'unsatisfiable';
  return { start, end };
}

/** Plain-text answer with no caching (errors are never cached, unlike the assets they stand for). */
function plain(res, status, text, extra = {}) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...extra }).end(text);
}

/**
 * `joinParts: false` serves a split .wasm only as its parts, as Cloudflare Pages does (the
 * sandbox benchmark compares both ways side by side).
 */
export function createSiteServer({ root, cacheBytes = DEFAULT_CACHE_BYTES, joinParts = true }) {
  const rootDir = path.resolve(root);
  // The root's real path, so a symbolic link inside it cannot lead a request out of it.
  let realRoot = null;
  const realRootDir = async () => (realRoot ??= await realpath(rootDir).catch(() => rootDir));
  const bodies = new BodyCache(cacheBytes);
  const headersOf = siteHeaders(rootDir);

  /** A file's bytes, or the joined bytes of a split .wasm's parts. */
  const readBody = async (found) => (found.parts ? Buffer.concat(await Promise.all(found.parts.map((p) => readFile(p)))) : readFile(found.file));

  const bodyKey = (found, version, encoding) => `${found.file}\0${version}\0${encoding}`;

  /** The body in `encoding` ('identity', 'gzip' or 'br'), made once and shared. */
  function bodyOf(found, version, encoding) {
    const file = found.file;
    bodies.dropOthers(`${file}\0`, `${file}\0${version}\0`);
    return bodies.get(bodyKey(found, version, encoding), async () => {
      const raw = encoding === 'identity' ? await readBody(found) : (await bodyOf(found, version, 'identity')).bytes;
      if (encoding === 'identity' || raw.length <= 1024) return { bytes: raw, encoding: 'identity' };
      return { bytes: encoding === 'br' ? await brotliAsync(raw, BROTLI) : await gzipAsync(raw), encoding };
    });
  }

  /**
   * Brotli when the client takes it and it is made; then gzip (starting Brotli for the next
   * request); else the file as it is.
   */
  function encodingFor(found, version, accept) {
    if (/\bbr\b/.test(accept)) {
      if (bodies.ready(bodyKey(found, version, 'br'))) return 'br';
      bodyOf(found, version, 'br').catch(() => {});
    }
    return /\bgzip\b/.test(accept) ? 'gzip' : 'identity';
  }

  async function inside(full) {
    const real = await realpath(full).catch(() => null);
    if (!real) return null;
    const base = await realRootDir();
    return real === base || real.startsWith(base + path.sep) ? real : false;
  }

  async function resolveFile(urlPath) {
    let decoded;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return { status: 400, why: 'Bad request: the path is not valid percent-encoding.\n' };
    }
    if (decoded.includes('\0')) return { status: 400, why: 'Bad request: the path holds a NUL byte.\n' };
    const full = path.resolve(rootDir, `.${decoded}`);
    if (full !== rootDir && !full.startsWith(rootDir + path.sep)) return { status: 403 };
    const real = await inside(full);
    if (real === false) return { status: 403 };
    if (real === null) return (joinParts && decoded.endsWith('.wasm') && (await joinedParts(full))) || { status: 404 };
    const info = await stat(real).catch(() => null);
    if (info?.isDirectory()) {
      // Never a host-relative "//x/": one slash, then the path as it was asked for.
      if (!decoded.endsWith('/')) return { status: 301, location: `/${urlPath.replace(/^[/\\]+/, '')}/` };
      const index = await inside(path.join(real, 'index.html'));
      const indexInfo = index ? await stat(index).catch(() => null) : null;
      if (indexInfo?.isFile()) return { status: 200, file: index, info: indexInfo };
      return { status: 404 };
    }
    if (info?.isFile()) return { status: 200, file: real, info };
    return { status: 404 };
  }

  /** A split .wasm served whole: its parts in order, its size, the manifest's time (the version). */
  async function joinedParts(full) {
    const manifestFile = await inside(`${full}.parts.json`);
    if (!manifestFile) return null;
    const info = await stat(manifestFile).catch(() => null);
    if (!info?.isFile()) return null;
    let manifest;
    try {
      manifest = JSON.parse(await readFile(manifestFile, 'utf8'));
    } catch {
      return null;
    }
    if (!Array.isArray(manifest.parts) || !Number.isSafeInteger(manifest.size)) return null;
    const parts = [];
    for (const name of manifest.parts) {
      if (typeof name !== 'string' || name.includes('/') || name.includes('\\')) return null;
      const part = await inside(path.join(path.dirname(full), name));
      if (!part) return null;
      parts.push(part);
    }
    return { status: 200, file: full, parts, info: { mtimeMs: info.mtimeMs, size: manifest.size } };
  }

  const server = createServer(async (req, res) => {
    try {
      for (const [name, value] of Object.entries(await headersOf())) res.setHeader(name, value);
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' }).end();
        return;
      }
      // Appended, not resolved: "//x" is a path here, not a host-relative URL naming host x.
      const target = req.url ?? '/';
      const url = target.startsWith('/') ? new URL(`http://site${target}`) : new URL(target, 'http://site');
      let found = await resolveFile(url.pathname);
      if (found.status === 301) {
        res.writeHead(301, { Location: found.location + url.search }).end();
        return;
      }
      if (found.status === 400) {
        plain(res, 400, found.why);
        return;
      }
      const status = found.status;
      if (status !== 200) {
        const notFound = path.join(rootDir, '404.html');
        const info = await stat(notFound).catch(() => null);
        if (!info) {
          plain(res, status, 'Not found\n');
          return;
        }
        found = { file: notFound, info };
      }
      const type = TYPES[path.extname(found.file)] ?? 'application/octet-stream';
      const version = `${found.info.mtimeMs}:${found.info.size}`;
      const compressible = COMPRESSIBLE.test(type);
      const range = status === 200 ? req.headers.range : undefined;
      const identityTag = entityTag(version);
      // A range is of the file's own bytes (identity), and only while it is the file the client started with (If-Range).
      const ifRange = req.headers['if-range'];
      const ranged = range && (!ifRange || ifRange === identityTag) ? parseRange(range, found.info.size) : null;
      const encoding = !ranged && compressible && found.info.size > 1024 ? encodingFor(found, version, req.headers['accept-encoding'] ?? '') : 'identity';
      const etag = entityTag(version, encoding);
      const headers = {
        'Content-Type': type,
        // Fingerprinted assets never change; pages and data are revalidated (cheaply: ETag);
        // an error is never cached, or a missing asset would stay missing for a year.
        'Cache-Control': status !== 200 ? 'no-store' : url.pathname.startsWith('/_astro/') ? 'public, max-age=31536000, immutable' : 'no-cache',
        ETag: etag,
        'Accept-Ranges': 'bytes',
      };
      if (compressible) headers.Vary = 'Accept-Encoding';
      if (status === 200 && noneMatch(req.headers['if-none-match'], etag)) {
        res.writeHead(304, headers).end();
        return;
      }
      if (ranged === 'unsatisfiable') {
        plain(res, 416, `Range not satisfiable: the file has ${found.info.size} bytes.\n`, { 'Content-Range': `bytes */${found.info.size}`, 'Accept-Ranges': 'bytes' });
        return;
      }
      if (ranged) {
        headers['Content-Range'] = `bytes ${ranged.start}-${ranged.end}/${found.info.size}`;
        headers['Content-Length'] = ranged.end - ranged.start + 1;
        res.writeHead(206, headers);
        if (req.method === 'HEAD') {
          res.end();
          return;
        }
        if (found.parts) {
          const whole = (await bodyOf(found, version, 'identity')).bytes;
          res.end(whole.subarray(ranged.start, ranged.end + 1));
          return;
        }
        // Straight from disk: a resumed download of a large file does not fill the cache.
        const stream = createReadStream(found.file, { start: ranged.start, end: ranged.end });
        stream.on('error', () => res.destroy());
        stream.pipe(res);
        return;
      }
      const body = await bodyOf(found, version, encoding);
      if (body.encoding !== 'identity') headers['Content-Encoding'] = body.encoding;
      else headers.ETag = identityTag;
      headers['Content-Length'] = body.bytes.length;
      res.writeHead(status, headers);
      res.end(req.method === 'HEAD' ? undefined : body.bytes);
    } catch (error) {
      // The detail goes to the server's log, never to the client.
      console.error(`serve: ${req.method} ${req.url}: ${error?.stack ?? error}`);
      if (res.headersSent) res.destroy();
      else plain(res, 500, 'Server error: see the server log.\n');
    }
  });
  /** What the body cache holds now (for the tests and the room load test). */
  server.bodyCacheStats = () => ({ bytes: bodies.bytes, entries: bodies.entries.size, maxBytes: bodies.maxBytes });
  return server;
}

/**
 * The security headers for a root: the CSP lists the hashes of the inline scripts the build
 * found in its pages (<root>/csp-hashes.json, written by scripts/build.mjs); re-read when a
 * rebuild under the running server changes it.
 */
function siteHeaders(rootDir) {
  let cached = { key: null, headers: null };
  const file = path.join(rootDir, HASHES_FILE);
  return async () => {
    const info = await stat(file).catch(() => null);
    const key = info ? `${info.mtimeMs}:${info.size}` : 'none';
    if (cached.key !== key) cached = { key, headers: securityHeadersFor(info ? readScriptHashes(file) : []) };
    return cached.headers;
  };
}

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = option('root', 'dist');
  const port = Number(option('port', process.env.PORT ?? '4321'));
  const host = option('host', '0.0.0.0');
  // --parts-only: serve split .wasm files as parts only, like Cloudflare Pages (for comparisons).
  const server = createSiteServer({ root, joinParts: !process.argv.includes('--parts-only') });
  server.on('error', (error) => {
    console.error(error.code === 'EADDRINUSE' ? `Port ${port} is already in use: stop the other server or pass --port N.` : `Server error: ${error.message}`);
    process.exit(1);
  });
  server.listen(port, host, () => console.log(`Serving ${root}/ at http://localhost:${port}/ (listening on ${host}:${port})`));
}

/**
 * The hashes of the inline scripts a build emits, for the Content-Security-Policy
 * (src/lib/security-headers.mjs), so the CSP needs no 'unsafe-inline' for scripts.
 *
 * scripts/build.mjs runs this after Astro has written the HTML (and before the service worker
 * and _headers are written): every executable inline <script> of every page is hashed as the
 * browser hashes it (SHA-256 of its exact text, UTF-8), and the list is written to
 * <outDir>/csp-hashes.json, which scripts/serve.mjs reads. Data blocks
 * (<script type="application/json">) are not run, so they need no hash.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { walk } from './static-hosts.mjs';

export const HASHES_FILE = 'csp-hashes.json';

/** Script types a browser runs (no type, a JavaScript MIME type, or "module"). */
const EXECUTABLE = /^(|module|(text|application)\/(x-)?(java|ecma)script|text\/jscript|text\/livescript)$/i;

/** The text of each inline script in a page that the browser would run. */
export function inlineScripts(html) {
  const found = [];
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) {
    const attributes = m[1];
    if (/(?:^|\s)src\s*=/i.test(attributes)) continue;
    const type = /(?:^|\s)type\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(attributes);
    if (type && !EXECUTABLE.test((type[1] ?? type[2] ?? type[3]).trim())) continue;
    found.push(m[2]);
  }
  return found;
}

/** The CSP hash source of one script text. */
export function scriptHash(text) {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** Every inline script hash over a built site's pages, sorted, each once. */
export function collectScriptHashes(outDir) {
  /** @type {Set<string>} */
  const hashes = new Set();
  for (const file of walk(outDir)) {
    if (!file.endsWith('.html')) continue;
    for (const script of inlineScripts(readFileSync(file, 'utf8'))) hashes.add(scriptHash(script));
  }
  return [...hashes].sort();
}

export function writeScriptHashes(outDir) {
  const hashes = collectScriptHashes(outDir);
  writeFileSync(path.join(outDir, HASHES_FILE), JSON.stringify({ scriptHashes: hashes }, null, 2) + '\n');
  return hashes;
}

/** Read <outDir>/csp-hashes.json back; a malformed file is an error naming it, not a silently weaker CSP. */
export function readScriptHashes(file) {
  let parsed;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file} is not valid JSON (${error.message}): build the site again (npm run build).`);
  }
  const hashes = parsed?.scriptHashes;
  if (!Array.isArray(hashes) || !hashes.every((h) => typeof h === 'string' && /^'sha256-[A-Za-z0-9+/]+={0,2}'$/.test(h))) {
    throw new Error(`${file} must hold {"scriptHashes": ["'sha256-…'", …]}: build the site again (npm run build).`);
  }
  return hashes;
}

/**
 * The Content-Security-Policy runs no inline script the build did not emit (issue 13, item 18):
 * script-src lists the hash of each inline script found in the built pages instead of
 * 'unsafe-inline'; data blocks need none; the service worker carries the same headers for
 * hosts that send none; inline JSON cannot close its <script> element.
 * tests/browser/csp.spec.ts checks real pages run in Chromium with no violation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inlineScripts, scriptHash, writeScriptHashes, readScriptHashes, HASHES_FILE } from '../../../scripts/csp-hashes.mjs';
import { writeServiceWorker, readPrecacheManifest } from '../../../scripts/service-worker.mjs';
import { securityHeadersFor, devSecurityHeaders } from '../../../src/lib/security-headers.mjs';
import { inlineJson } from '../../../src/lib/inline-json.ts';

const page = (body: string) => `<!doctype html><html><head><script>window.theme = 'dark';</script></head><body>${body}</body></html>`;

test('a built site\'s CSP allows no inline script by default', () => {
  const csp = securityHeadersFor([])['Content-Security-Policy'] as string;
  const scriptSrc = /script-src ([^;]*)/.exec(csp)![1];
  assert.doesNotMatch(scriptSrc, /'unsafe-inline'|'unsafe-eval'/);
  assert.match(scriptSrc, /'self'/);
  assert.match(devSecurityHeaders['Content-Security-Policy'], /script-src 'self' 'unsafe-inline'/, 'only the dev server allows inline scripts');
});

test('only scripts a browser runs are hashed, exactly as the browser hashes them', () => {
  const html = page(
    `<script type="module">import('/a.js')</script>` +
      `<script src="/b.js"></script><script type="module" src="/c.js"></script>` +
      `<script type="application/json" id="map">{"a":1}</script><script type=text/javascript>x()</script>` +
      `<script aria-hidden="true">\n\t(() => {})();\n</script>`,
  );
  assert.deepEqual(inlineScripts(html), ["window.theme = 'dark';", "import('/a.js')", 'x()', '\n\t(() => {})();\n']);
  // The known value for "alert(1)", as Chromium reports it in a violation.
  assert.equal(scriptHash('alert(1)'), "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='");
  assert.equal(scriptHash('é'), `'sha256-${createHash('sha256').update(Buffer.from('é', 'utf8')).digest('base64')}'`);
});

test('the build writes one hash per distinct inline script over every page; a bad hash file is refused', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'phlo-csp-'));
  try {
    mkdirSync(path.join(dir, 'parts', 'one'), { recursive: true });
    writeFileSync(path.join(dir, 'index.html'), page('<script>home()</script>'));
    writeFileSync(path.join(dir, 'parts', 'one', 'index.html'), page('<script type="module">part()</script>'));
    const hashes = writeScriptHashes(dir);
    assert.deepEqual(hashes, [scriptHash("window.theme = 'dark';"), scriptHash('home()'), scriptHash('part()')].sort());
    assert.deepEqual(readScriptHashes(path.join(dir, HASHES_FILE)), hashes);
    // The service worker adds the same headers, with the same CSP, where the host sends none.
    writeFileSync(path.join(dir, 'sw.js'), '');
    writeServiceWorker(dir, { scriptHashes: hashes });
    const manifest = readPrecacheManifest(dir);
    assert.deepEqual(manifest.headers, securityHeadersFor(hashes));
    assert.ok(!manifest.files.some((f: { url: string }) => f.url === HASHES_FILE));
    assert.match(readFileSync(path.join(dir, 'sw.js'), 'utf8'), /SECURITY_HEADERS = MANIFEST\.headers/);
    writeFileSync(path.join(dir, HASHES_FILE), JSON.stringify({ scriptHashes: ["'unsafe-inline'"] }));
    assert.throws(() => readScriptHashes(path.join(dir, HASHES_FILE)), /must hold \{"scriptHashes"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('inline JSON cannot end its script element', () => {
  const value = { title: '</script><script>alert(1)</script><!--' };
  const text = inlineJson(value);
  assert.doesNotMatch(text, /</);
  assert.deepEqual(JSON.parse(text), value);
  assert.deepEqual(inlineScripts(page(`<script type="application/json">${text}</script>`)), ["window.theme = 'dark';"]);
});

/**
 * The HTTP headers every server of this site sends: the dev server, `astro preview`, the
 * workshop server and the static hosts' header files are all generated from this list.
 *
 * - Cross-origin isolation (COOP + COEP) is what lets a page use SharedArrayBuffer, which
 *   WebContainers need; DuckDB-WASM also runs faster isolated.
 * - The Content-Security-Policy allows only our own origin, plus the StackBlitz hosts a
 *   WebContainer boots from. WebAssembly needs 'wasm-unsafe-eval'; workers may be blobs.
 *   Starlight's theme script is inline (it must run before first paint to avoid a flash of
 *   the wrong theme), hence 'unsafe-inline' for scripts.
 */
const webcontainerHosts = ['https://*.stackblitz.com', 'https://stackblitz.com', 'https://*.webcontainer.io', 'https://*.webcontainer-api.io'];

export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  `connect-src 'self' blob: data: ${webcontainerHosts.join(' ')} wss://*.webcontainer-api.io`,
  `frame-src 'self' ${webcontainerHosts.join(' ')}`,
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join('; ');

export const securityHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Content-Security-Policy': contentSecurityPolicy,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
};

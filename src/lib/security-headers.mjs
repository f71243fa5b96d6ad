/**
 * The HTTP headers every server of this site sends: the dev server, the static server
 * (scripts/serve.mjs: `npm start`, the workshop, the tests), the static hosts' header file
 * and the service worker (for hosts that send no headers) are all generated from here.
 *
 * - Cross-origin isolation (COOP + COEP) is what lets a page use SharedArrayBuffer, which
 *   WebContainers need; DuckDB-WASM also runs faster isolated.
 * - The Content-Security-Policy allows only our own origin, plus the StackBlitz hosts a
 *   WebContainer boots from. WebAssembly needs 'wasm-unsafe-eval'; workers may be blobs.
 *   Inline scripts run only when their hash is listed: the build hashes every inline script
 *   it emits (Starlight's theme script must run inline, before first paint, to avoid a flash
 *   of the wrong theme; scripts/csp-hashes.mjs), so injected markup cannot run script.
 *   Only the dev server allows 'unsafe-inline' (Vite injects scripts that change per edit).
 */
const webcontainerHosts = ['https://*.stackblitz.com', 'https://stackblitz.com', 'https://*.webcontainer.io', 'https://*.webcontainer-api.io'];

/** The CSP allowing the inline scripts `inline` names: hash sources ('sha256-…') or 'unsafe-inline'. */
/** @param {string[]} [inline] */
export function contentSecurityPolicy(inline = []) {
  return [
    "default-src 'self'",
    ['script-src', "'self'", ...inline, "'wasm-unsafe-eval'", 'blob:'].join(' '),
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
}

/** The headers for a built site whose inline scripts have these CSP hash sources. */
/** @param {string[]} [scriptHashes] */
export function securityHeadersFor(scriptHashes = []) {
  return {
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Content-Security-Policy': contentSecurityPolicy(scriptHashes),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
  };
}

/** `astro dev` only: its injected scripts have no fixed hash. Never for a build. */
export const devSecurityHeaders = securityHeadersFor(["'unsafe-inline'"]);

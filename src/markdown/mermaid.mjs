/**
 * Mermaid diagrams, rendered to SVG at build time.
 *
 * A fenced code block with the language `mermaid` becomes a <figure> holding two inline
 * SVGs, one drawn with Mermaid's light theme and one with its dark theme; CSS shows the one
 * that matches the site's theme. Readers therefore download no diagram code at all, the
 * diagram is part of the first paint, and it follows the theme switch without a script.
 *
 * Rendering needs a real browser (Mermaid lays text out with the DOM), so we drive Debian's
 * Chromium through mermaid-isomorphic. Results are cached by the diagram's source in
 * src/markdown/rendered/, which is committed: a fresh clone (and CI) builds without
 * rendering any diagram that has not changed, which saves minutes on a 2-core machine.
 * A diagram Mermaid cannot parse fails the build with the file and line.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { createMermaidRenderer } from 'mermaid-isomorphic';
import { launchOptions, ensureChromium } from '../../scripts/chromium.mjs';

const CACHE_DIR = path.resolve('src/markdown/rendered');
const CACHE_VERSION = '3';

const THEMES = {
  light: { theme: 'default', themeVariables: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' } },
  // Mermaid's dark theme draws edge labels light-grey on grey; these keep every label at
  // WCAG AA contrast on the site's dark background.
  dark: {
    theme: 'dark',
    themeVariables: {
      fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
      edgeLabelBackground: '#1e2530',
      textColor: '#e8edf3',
      primaryTextColor: '#f4f7fa',
      lineColor: '#9fb0c3',
    },
  },
};

let renderer;
function getRenderer() {
  if (!renderer) {
    ensureChromium({ quiet: true });
    renderer = createMermaidRenderer({ launchOptions });
  }
  return renderer;
}

export class MermaidSyntaxError extends Error {}

const sourceHash = (source) => createHash('sha256').update(CACHE_VERSION).update(JSON.stringify(THEMES)).update(source).digest('hex');

/** Where the rendering of a diagram's source is kept (src/markdown/rendered/<hash>.json). */
export function diagramCacheFile(source) {
  return path.join(CACHE_DIR, `${sourceHash(source).slice(0, 32)}.json`);
}

/** Render one diagram in both themes; returns { light, dark, title } as SVG strings. */
export async function renderDiagram(source, where) {
  const cacheFile = diagramCacheFile(source);
  if (existsSync(cacheFile)) return JSON.parse(readFileSync(cacheFile, 'utf8'));

  const render = getRenderer();
  const id = sourceHash(source).slice(0, 10);
  const out = {};
  for (const [name, mermaidConfig] of Object.entries(THEMES)) {
    const [result] = await render([source], { prefix: `mermaid-${name}-${id}`, mermaidConfig });
    if (result.status === 'rejected') {
      const reason = String(result.reason?.message ?? result.reason).split('\n').slice(0, 6).join('\n');
      throw new MermaidSyntaxError(`Mermaid diagram in ${where} cannot be rendered:\n${reason}\nFix the diagram's syntax (https://mermaid.js.org/intro/syntax-reference.html) and build again.`);
    }
    out[name] = result.value.svg;
    out.title = result.value.title ?? out.title;
    out.description = result.value.description ?? out.description;
  }
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(cacheFile, JSON.stringify(out));
  return out;
}

function escapeAttr(text) {
  return String(text).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/** The label a screen reader announces: the diagram's accTitle, else its first line. */
function labelFor(source, rendered) {
  if (rendered.title) return rendered.title;
  const first = source.trim().split('\n')[0].trim();
  return `Diagram (${first})`;
}

/** The figure that replaces a ```mermaid code block. */
export function diagramHtml(source, rendered) {
  const label = escapeAttr(labelFor(source, rendered));
  return [
    `<figure class="mermaid-diagram not-content" role="group" aria-label="${label}">`,
    `<div class="mermaid-theme mermaid-theme-light">${rendered.light}</div>`,
    `<div class="mermaid-theme mermaid-theme-dark">${rendered.dark}</div>`,
    rendered.description ? `<figcaption class="sr-only">${escapeAttr(rendered.description)}</figcaption>` : '',
    `</figure>`,
  ].join('');
}

/** Sätteri mdast plugin: swaps each ```mermaid block for its rendered figure. */
export function mermaidPlugin() {
  return {
    name: 'phlo-mermaid',
    options: { position: true },
    async code(node, ctx) {
      if (node.lang !== 'mermaid') return undefined;
      const file = ctx.fileURL ? path.relative(process.cwd(), fileURLToPath(ctx.fileURL)) : '(unknown file)';
      const where = `${file}:${node.position?.start?.line ?? '?'}`;
      const rendered = await renderDiagram(node.value, where);
      return { raw: diagramHtml(node.value, rendered), mdxExpressions: false };
    },
  };
}

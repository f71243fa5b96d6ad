/**
 * The build-time Mermaid renderer: a good diagram becomes SVG in both themes; a broken one
 * fails with the file and line it came from (this is what fails the build).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { renderDiagram, diagramHtml, diagramCacheFile, MermaidSyntaxError } from '../../src/markdown/mermaid.mjs';

test('a diagram renders to a light and a dark SVG', async () => {
  // A source never seen before, so it is really rendered; its cache entry is removed after,
  // leaving the committed cache (src/markdown/rendered/) as it was.
  const source = `flowchart LR\n  raw[raw entries ${Date.now()}] --> bronze --> silver`;
  const rendered = await renderDiagram(source, 'test.mdx:1').finally(() => rmSync(diagramCacheFile(source), { force: true }));
  assert.match(rendered.light, /^<svg[\s\S]*<\/svg>$/);
  assert.match(rendered.dark, /^<svg[\s\S]*<\/svg>$/);
  assert.notEqual(rendered.light, rendered.dark);
  assert.match(rendered.light, /bronze/);
  const html = diagramHtml(source, rendered);
  assert.match(html, /class="mermaid-diagram/);
  assert.match(html, /aria-label="Diagram \(flowchart LR\)"/);
});

test('a syntax error names the file and line', async () => {
  await assert.rejects(
    renderDiagram(`flowchart LR\n  a --> (((\n ${Date.now()}`, 'content/parts/99-broken.mdx:42'),
    (error: unknown) => {
      assert.ok(error instanceof MermaidSyntaxError);
      assert.match((error as Error).message, /content\/parts\/99-broken\.mdx:42/);
      assert.match((error as Error).message, /Fix the diagram's syntax/);
      return true;
    },
  );
});

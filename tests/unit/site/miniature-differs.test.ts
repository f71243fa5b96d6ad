/**
 * Every part with a hands-on section says, in one "Phlo vs this miniature" box, what the browser
 * miniature does differently from Phlo at the pinned commit (issue 14 §4), so a reader never takes
 * the miniature's behaviour for Phlo's. This checks the MDX: exactly one box per hands-on part, in
 * the same section as the sandbox it explains, with a real list in it; none in a part without one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';

const PARTS = join(import.meta.dirname, '../../../content/parts');
const OPEN = /<MiniatureDiffers(\s[^>]*)?>/g;

/** The problems of one part's MDX, as sentences naming the file; none when the part is right. */
export function miniatureBoxProblems(file: string, mdx: string): string[] {
  const fm = /^---\n([\s\S]*?)\n---\n/.exec(mdx);
  if (!fm) return [`${file}: no frontmatter`];
  const handsOn = (parseYaml(fm[1]!) as { handsOn?: unknown[] }).handsOn ?? [];
  const boxes = [...mdx.matchAll(OPEN)];
  if (handsOn.length === 0) {
    return boxes.length ? [`${file}: has a "Phlo vs this miniature" box but no hands-on section`] : [];
  }
  if (boxes.length !== 1) return [`${file}: has ${boxes.length} "Phlo vs this miniature" boxes; a hands-on part needs exactly one`];
  const problems: string[] = [];
  if (!/^import MiniatureDiffers from '[./]+\/src\/components\/series\/MiniatureDiffers\.astro';$/m.test(mdx)) {
    problems.push(`${file}: uses <MiniatureDiffers> without importing src/components/series/MiniatureDiffers.astro`);
  }
  const start = boxes[0]!.index!;
  const end = mdx.indexOf('</MiniatureDiffers>', start);
  if (end < 0) return [...problems, `${file}: <MiniatureDiffers> is not closed`];
  const items = mdx.slice(start, end).split('\n').filter((l) => /^- \S/.test(l));
  if (items.length < 2) problems.push(`${file}: the box lists ${items.length} difference(s); write at least two, one per line starting "- "`);
  // Same level-2 section as the sandbox: no "## " heading between the box and the <HandsOn> embed.
  const embed = mdx.indexOf('<HandsOn ');
  if (embed < 0) problems.push(`${file}: lists a hands-on section but embeds no <HandsOn>`);
  else {
    const between = mdx.slice(Math.min(start, embed), Math.max(start, embed));
    if (/^## /m.test(between)) problems.push(`${file}: the box is not in the same section as the sandbox (a "## " heading separates them)`);
  }
  return problems;
}

test('every part with a hands-on section has exactly one "Phlo vs this miniature" box, next to its sandbox', () => {
  const files = readdirSync(PARTS).filter((f) => f.endsWith('.mdx')).sort();
  assert.equal(files.length, 13, 'the thirteen parts');
  const problems = files.flatMap((f) => miniatureBoxProblems(f, readFileSync(join(PARTS, f), 'utf8')));
  assert.deepEqual(problems, []);
});

test('a hands-on part without the box, with two, or with an empty one is named', () => {
  const head = (handsOn: string) => `---\ntitle: x\nhandsOn: ${handsOn}\n---\n\nimport MiniatureDiffers from '../../src/components/series/MiniatureDiffers.astro';\n\n## Hands-on: x\n\n`;
  const box = '<MiniatureDiffers>\n\n- **Runs.** one\n- **Merge.** two\n\n</MiniatureDiffers>\n\n';
  const withHandsOn = head('\n  - { anchor: "a", title: "b" }');
  assert.deepEqual(miniatureBoxProblems('ok.mdx', `${withHandsOn}${box}<HandsOn section="s" />\n`), []);
  assert.match(miniatureBoxProblems('none.mdx', `${withHandsOn}<HandsOn section="s" />\n`).join(), /none\.mdx: has 0 .* exactly one/);
  assert.match(miniatureBoxProblems('two.mdx', `${withHandsOn}${box}${box}<HandsOn section="s" />\n`).join(), /has 2 /);
  assert.match(miniatureBoxProblems('thin.mdx', `${withHandsOn}<MiniatureDiffers>\n\n- one\n\n</MiniatureDiffers>\n<HandsOn section="s" />\n`).join(), /lists 1 difference/);
  assert.match(miniatureBoxProblems('far.mdx', `${withHandsOn}${box}## Elsewhere\n\n<HandsOn section="s" />\n`).join(), /not in the same section/);
  assert.match(miniatureBoxProblems('stray.mdx', `${head('[]')}${box}`).join(), /no hands-on section/);
});

/**
 * Reading times are honest: each part's `readingMinutes` (frontmatter, and the series table in
 * src/data/series.ts) is close to what src/content/reading-time.ts measures from the MDX, words at
 * a stated speed plus the time of its hands-on tasks. A part that grows, or a number copied from
 * somewhere else, fails here with the measured value to use.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { measureReading, readingTimeIsHonest, MINUTES_PER_TASK } from '../../../src/content/reading-time.ts';
import { sections } from '../../../src/sandbox/sections/index.ts';
import { parts } from '../../../src/data/series.ts';

const PARTS = join(import.meta.dirname, '../../../content/parts');
function tasksOf(mdx: string): number {
  return [...mdx.matchAll(/<HandsOn section="([^"]+)"/g)].reduce((n, m) => {
    const section = sections[m[1]!];
    assert.ok(section, `section ${m[1]} exists`);
    return n + section.tasks.length;
  }, 0);
}

test('every part states a reading time within 5 minutes or 15 % of the measured one', () => {
  const off: string[] = [];
  for (const file of readdirSync(PARTS).filter((f) => f.endsWith('.mdx')).sort()) {
    const mdx = readFileSync(join(PARTS, file), 'utf8');
    const fm = parseYaml(/^---\n([\s\S]*?)\n---\n/.exec(mdx)![1]!) as { part: number; readingMinutes: number };
    const m = measureReading(mdx, tasksOf(mdx));
    if (!readingTimeIsHonest(fm.readingMinutes, m)) {
      off.push(`${file}: readingMinutes ${fm.readingMinutes}, measured ${m.exact.toFixed(1)} (${m.words} words, ${m.codeLines} code lines, ${m.codeExcerpts} excerpts, ${m.diagrams} diagrams, ${m.tasks} tasks): use ${m.minutes}`);
    }
    const row = parts.find((p) => p.number === fm.part);
    assert.equal(row?.readingMinutes, fm.readingMinutes, `${file}: src/data/series.ts states the same reading time as the frontmatter`);
  }
  assert.deepEqual(off, []);
});

test('the measure counts prose, code, diagrams and tasks, and skips optional asides', () => {
  const words = (n: number) => Array.from({ length: n }, () => 'word').join(' ');
  const base = `---\ntitle: x\n---\n\nimport X from 'y';\n\n${words(400)}\n`;
  assert.equal(measureReading(base, 0).exact, 2, '400 words at 200 a minute');
  assert.equal(measureReading(base, 2).exact, 2 + 2 * MINUTES_PER_TASK, 'plus the tasks');
  const code = '```bash\n' + 'x\n'.repeat(20) + '```\n';
  assert.equal(measureReading(base + code, 0).exact, 3, 'plus 20 code lines');
  assert.equal(measureReading(base + '```mermaid\nflowchart LR\n  a --> b\n```\n', 0).exact, 2.5, 'a diagram is half a minute');
  const optional = `<details class="optional-read">\n<summary>More</summary>\n\n${words(2000)}\n\n</details>\n`;
  assert.equal(measureReading(base + optional, 0).exact, 2, 'an optional aside is not counted');
  // A stated time far from the measure is not honest.
  assert.equal(readingTimeIsHonest(22, measureReading(base + words(10000), 5)), false);
  assert.equal(readingTimeIsHonest(5, measureReading(base, 0)), true);
});

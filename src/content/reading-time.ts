/**
 * How long a part really takes, measured from its MDX, so that the `readingMinutes` shown under
 * each title and in the series table is honest (issue 14 §5). The frontmatter keeps the number
 * (the build reads it); tests/unit/site/reading-time.test.ts fails when it drifts far from this
 * measure.
 *
 * The measure, stated once here and in the series overview:
 * - prose at 200 words a minute (technical reading is slower than the usual 230-250);
 * - fenced code at 20 lines a minute, and every embedded source excerpt (`<Code …/>`) as one minute;
 * - every Mermaid diagram as half a minute;
 * - every task of the part's hands-on sections as three minutes (read, type, read the answer).
 * Text inside a collapsed `<details class="optional-read">` is not counted: it is offered, not
 * needed (the miniature's internals, for instance). The total is rounded to the nearest 5 minutes.
 */

export const WORDS_PER_MINUTE = 200;
export const CODE_LINES_PER_MINUTE = 20;
export const MINUTES_PER_CODE_EXCERPT = 1;
export const MINUTES_PER_DIAGRAM = 0.5;
export const MINUTES_PER_TASK = 3;

export interface ReadingMeasure {
  words: number;
  codeLines: number;
  codeExcerpts: number;
  diagrams: number;
  tasks: number;
  /** Unrounded minutes. */
  exact: number;
  /** Rounded to the nearest 5, at least 5. */
  minutes: number;
}

/** Remove the frontmatter and every optional, collapsed aside. */
function readableBody(mdx: string): string {
  const body = mdx.replace(/^---\n[\s\S]*?\n---\n/, '');
  return body.replace(/<details class="optional-read"[\s\S]*?<\/details>/g, '');
}

/** Measure one part. `tasks` is the number of hands-on tasks its sections hold. */
export function measureReading(mdx: string, tasks: number): ReadingMeasure {
  let codeLines = 0;
  let diagrams = 0;
  let inFence = false;
  let fenceIsDiagram = false;
  const prose: string[] = [];
  for (const line of readableBody(mdx).split('\n')) {
    if (/^\s*```/.test(line)) {
      if (!inFence) {
        fenceIsDiagram = /```mermaid/.test(line);
        if (fenceIsDiagram) diagrams++;
      }
      inFence = !inFence;
      continue;
    }
    if (inFence) {
      if (!fenceIsDiagram) codeLines++;
      continue;
    }
    // Imports and component tags are markup, not reading.
    if (/^\s*(import\s|export\s|<\/?[A-Z]|\/>|(code|lang|title|files|urls)=)/.test(line)) continue;
    prose.push(line);
  }
  const text = prose.join(' ').replace(/<[^>]*>/g, ' ');
  const words = (text.match(/[A-Za-z0-9][\w'’.-]*/g) ?? []).length;
  const codeExcerpts = (readableBody(mdx).match(/<Code\b/g) ?? []).length;
  const exact =
    words / WORDS_PER_MINUTE +
    codeLines / CODE_LINES_PER_MINUTE +
    codeExcerpts * MINUTES_PER_CODE_EXCERPT +
    diagrams * MINUTES_PER_DIAGRAM +
    tasks * MINUTES_PER_TASK;
  return { words, codeLines, codeExcerpts, diagrams, tasks, exact, minutes: Math.max(5, Math.round(exact / 5) * 5) };
}

/** Is a stated reading time close enough to the measure? Within 5 minutes or 15 %, whichever is larger. */
export function readingTimeIsHonest(stated: number, measured: ReadingMeasure): boolean {
  return Math.abs(stated - measured.exact) <= Math.max(5, 0.15 * measured.exact);
}

/**
 * Word wrapping for the pipeline terminal. xterm.js wraps a long line at the last column,
 * in the middle of a word ("materi|alize"), which on a phone (~40 columns) makes the run
 * log hard to read. Whole output lines are wrapped here at spaces before they reach xterm,
 * with continuation lines indented under the line's own indent. Colour escapes take no
 * width. A word longer than a line is left for xterm to break.
 *
 * Pure: tests/unit/sandbox/term-wrap.test.ts.
 */
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

export const visibleLength = (s: string): number => [...s.replace(ANSI, '')].length;

/** One line (no newline in it) broken at spaces into lines of at most `cols` visible characters. */
export function wrapLine(line: string, cols: number): string[] {
  if (cols < 16 || visibleLength(line) <= cols) return [line];
  const indent = /^ */.exec(line.replace(ANSI, ''))![0].length;
  const hang = ' '.repeat(Math.min(indent + 2, Math.floor(cols / 3)));
  const parts = line.split(/( +)/);
  const out: string[] = [];
  let cur = '';
  let width = 0;
  let pendingSpace = '';
  for (const part of parts) {
    if (part === '') continue;
    if (part.startsWith(' ') && part.trim() === '') {
      pendingSpace = part;
      continue;
    }
    const w = visibleLength(part);
    const sep = width === 0 && out.length === 0 ? pendingSpace : width === hang.length && out.length > 0 ? '' : pendingSpace;
    if (width > hang.length && width + sep.length + w > cols) {
      out.push(cur);
      cur = hang + part;
      width = hang.length + w;
    } else {
      cur += sep + part;
      width += sep.length + w;
    }
    pendingSpace = '';
  }
  out.push(cur + pendingSpace);
  return out;
}

/**
 * Text on its way to the terminal: every complete line (ending in a newline) is wrapped;
 * the unfinished tail (a prompt, echoed keys) and anything with cursor movement other than
 * colours (backspaces, clears) passes unchanged.
 */
export function wrapForTerminal(text: string, cols: number): string {
  if (!text.includes('\n') || /[\b]|\x1b\[[0-9;?]*[A-HJKSTf]/.test(text)) return text;
  const lines = text.split('\n');
  const tail = lines.pop()!;
  return [...lines.map((l) => {
    const cr = l.endsWith('\r');
    const body = cr ? l.slice(0, -1) : l;
    return wrapLine(body, cols).join('\r\n') + (cr ? '\r' : '');
  }), tail].join('\n');
}

/** The pipeline terminal's word wrap (src/sandbox/ui/term-wrap.ts): no word is cut at the last column. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wrapLine, wrapForTerminal, visibleLength } from '../../../src/sandbox/ui/term-wrap.ts';

const HELP = '  materialize [ASSET ...] --partition DAY [--downstream] [--full-refresh]   run assets for a day, on a run branch, merged when the checks pass';

test('a long line breaks at spaces, every piece within the width, words whole', () => {
  for (const cols of [40, 75]) {
    const lines = wrapLine(HELP, cols);
    assert.ok(lines.length > 1);
    for (const l of lines) assert.ok(visibleLength(l) <= cols, `${JSON.stringify(l)} fits ${cols}`);
    const words = (s: string) => s.trim().split(/\s+/);
    assert.deepEqual(lines.flatMap(words), words(HELP), 'the same words in the same order, none cut');
    assert.ok(lines.slice(1).every((l) => l.startsWith('    ')), 'continuations hang under the indent');
  }
});

test('colour escapes take no width and stay in place', () => {
  const red = `\x1b[31m${'error '.repeat(10).trim()}\x1b[0m`;
  const lines = wrapLine(red, 40);
  assert.ok(lines.every((l) => visibleLength(l) <= 40));
  assert.ok(lines[0]!.startsWith('\x1b[31m') && lines.at(-1)!.endsWith('\x1b[0m'));
});

test('short lines, prompts and echoed keys pass unchanged', () => {
  assert.equal(wrapForTerminal('ok\r\n', 40), 'ok\r\n');
  assert.equal(wrapForTerminal('\x1b[36mphlo\x1b[0m $ ', 40), '\x1b[36mphlo\x1b[0m $ ');
  assert.equal(wrapForTerminal('\b \b', 40), '\b \b');
  const out = wrapForTerminal(`${HELP}\r\n`, 40);
  assert.ok(out.endsWith('\r\n'));
  assert.ok(out.split('\r\n').every((l) => visibleLength(l) <= 40));
});

/**
 * Whether a console query may be run a second time without changing anything: Download CSV
 * of a capped result runs the query again to stream every row, which is only right for a
 * single statement that reads (SELECT, WITH, FROM, VALUES, TABLE, PIVOT …). Anything else
 * (several statements, CREATE, INSERT, SET …) downloads the rows the page kept instead.
 */

const READ_START = /^(select|with|from|values|table|pivot|unpivot|summarize|describe|show|\()/i;

/** The query without comments, and whether it has a `;` between statements (outside quotes). */
function scan(text: string): { code: string; statements: number } {
  let code = '';
  let statements = 1;
  let i = 0;
  let sawCode = false;
  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '-' && next === '-') {
      while (i < text.length && text[i] !== '\n') i++;
      code += ' ';
      continue;
    }
    if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
      code += ' ';
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < text.length) {
        if (text[j] === c && text[j + 1] === c) j += 2;
        else if (text[j] === c) break;
        else j++;
      }
      code += text.slice(i, j + 1);
      i = j + 1;
      sawCode = true;
      continue;
    }
    if (c === ';') {
      // A statement ends here; another follows only if more code comes after it.
      const rest = scan(text.slice(i + 1));
      if (rest.code.trim()) statements += rest.statements;
      return { code, statements: sawCode ? statements : rest.statements };
    }
    if (!/\s/.test(c)) sawCode = true;
    code += c;
    i++;
  }
  return { code, statements };
}

export function isSingleReadQuery(text: string): boolean {
  const { code, statements } = scan(text);
  return statements === 1 && READ_START.test(code.trim());
}

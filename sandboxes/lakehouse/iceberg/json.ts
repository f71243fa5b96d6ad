/**
 * JSON for table metadata. Snapshot ids are 64-bit (7505300640432048841) and lose precision
 * as JS numbers, so integers outside the safe range parse to bigint and bigints print as
 * bare integers. Output is stable (2-space indent, key order as given) so rebuilds are
 * byte-identical.
 */

export class JsonSyntaxError extends Error {
  readonly line: number;
  readonly column: number;
  constructor(message: string, line: number, column: number) {
    super(`${message} at line ${line}, column ${column}`);
    this.name = 'JsonSyntaxError';
    this.line = line;
    this.column = column;
  }
}

export function parseJson(text: string): unknown {
  let i = 0;
  const fail = (msg: string): never => {
    const before = text.slice(0, i);
    const line = before.split('\n').length;
    const column = i - before.lastIndexOf('\n');
    throw new JsonSyntaxError(msg, line, column);
  };
  const ws = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text[i] === '}') { i++; return obj; }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a property name');
        const k = str();
        ws();
        if (text[i] !== ':') fail('expected ":"');
        i++;
        obj[k] = value();
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return obj; }
        fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === ']') { i++; return arr; }
      for (;;) {
        arr.push(value());
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return arr; }
        fail('expected "," or "]"');
      }
    }
    if (c === '"') return str();
    if (text.startsWith('true', i)) { i += 4; return true; }
    if (text.startsWith('false', i)) { i += 5; return false; }
    if (text.startsWith('null', i)) { i += 4; return null; }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) return fail(i >= text.length ? 'unexpected end of input' : `unexpected character ${JSON.stringify(text[i])}`);
    i += m[0].length;
    if (!m[2] && !m[3]) {
      const n = Number(m[0]);
      return Number.isSafeInteger(n) ? n : BigInt(m[0]);
    }
    return Number(m[0]);
  };
  const str = (): string => {
    const start = i;
    i++;
    let simple = true;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') { simple = false; i++; }
      i++;
    }
    if (i >= text.length) fail('unterminated string');
    i++;
    const raw = text.slice(start, i);
    return simple ? raw.slice(1, -1) : (JSON.parse(raw) as string);
  };
  const v = value();
  ws();
  if (i < text.length) fail('unexpected text after the JSON value');
  return v;
}

export function stringifyJson(value: unknown, indent = 2): string {
  const out: string[] = [];
  const walk = (v: unknown, depth: number): void => {
    const pad = '\n' + ' '.repeat(indent * (depth + 1));
    const end = '\n' + ' '.repeat(indent * depth);
    if (v === null || v === undefined) out.push('null');
    else if (typeof v === 'bigint') out.push(v.toString());
    else if (typeof v === 'number') out.push(Number.isFinite(v) ? String(v) : 'null');
    else if (typeof v === 'string' || typeof v === 'boolean') out.push(JSON.stringify(v));
    else if (Array.isArray(v)) {
      if (v.length === 0) { out.push('[]'); return; }
      out.push('[');
      v.forEach((x, k) => { out.push(k ? ',' + pad : pad); walk(x, depth + 1); });
      out.push(end + ']');
    } else {
      const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
      if (entries.length === 0) { out.push('{}'); return; }
      out.push('{');
      entries.forEach(([k, x], n) => { out.push((n ? ',' : '') + pad + JSON.stringify(k) + ': '); walk(x, depth + 1); });
      out.push(end + '}');
    }
  };
  walk(value, 0);
  return out.join('');
}

/**
 * One-line JSON like JSON.stringify (same bytes when there is no bigint), with bigints as
 * bare integers: a long default beyond 2^53 in a schema must not crash the writers and
 * caches that embed the schema as text (manifest headers, cache keys).
 */
export function compactJson(value: unknown): string {
  const marker = '\u0000bigint:';
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? marker + v.toString() : v))
    .replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
}

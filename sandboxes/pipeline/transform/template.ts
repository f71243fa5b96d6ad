/**
 * The slice of Jinja a dbt model uses, and nothing more: `{{ ref('m') }}`,
 * `{{ source('s', 't') }}`, `{{ config(k='v', ...) }}`, `{{ this }}`, `{{ var('n', default) }}`,
 * `{% if is_incremental() %} ... {% else %} ... {% endif %}` (nestable, with `not`), and
 * `{# comments #}`. Anything else is an error that names the model and line, rather than
 * SQL that silently means something different.
 */

export type TemplateValue = string | number | boolean | null | TemplateValue[] | { [k: string]: TemplateValue };

export interface TemplateContext {
  ref(name: string): string;
  source(source: string, table: string): string;
  config(options: Record<string, TemplateValue>): void;
  var(name: string, fallback?: TemplateValue): TemplateValue;
  isIncremental(): boolean;
  this(): string;
}

export class TemplateError extends Error {
  constructor(file: string, line: number, message: string) {
    super(`${file}, line ${line}: ${message}`);
    this.name = 'TemplateError';
  }
}

interface Token { kind: 'text' | 'expr' | 'stmt'; body: string; line: number }

function tokenize(src: string, file: string): Token[] {
  const out: Token[] = [];
  const re = /\{\{([\s\S]*?)\}\}|\{%-?([\s\S]*?)-?%\}|\{#[\s\S]*?#\}/g;
  let last = 0;
  let m: RegExpExecArray | null;
  const lineAt = (i: number) => src.slice(0, i).split('\n').length;
  while ((m = re.exec(src))) {
    if (m.index > last) out.push({ kind: 'text', body: src.slice(last, m.index), line: lineAt(last) });
    if (m[1] !== undefined) out.push({ kind: 'expr', body: m[1].trim(), line: lineAt(m.index) });
    else if (m[2] !== undefined) out.push({ kind: 'stmt', body: m[2].trim(), line: lineAt(m.index) });
    last = re.lastIndex;
  }
  if (last < src.length) out.push({ kind: 'text', body: src.slice(last), line: lineAt(last) });
  if (/\{\{|\{%/.test(out.filter((t) => t.kind === 'text').map((t) => t.body).join(''))) {
    const bad = out.find((t) => t.kind === 'text' && /\{\{|\{%/.test(t.body))!;
    throw new TemplateError(file, bad.line, 'a "{{" or "{%" is never closed');
  }
  return out;
}

/** A tiny expression reader: literals, lists, identifiers, calls with positional and key=value args. */
class ExprParser {
  private i = 0;
  private src: string;
  private file: string;
  private line: number;
  constructor(src: string, file: string, line: number) { this.src = src; this.file = file; this.line = line; }
  private ws() { while (/\s/.test(this.src[this.i] ?? '')) this.i++; }
  private fail(msg: string): never { throw new TemplateError(this.file, this.line, `${msg} in "${this.src}"`); }
  parse(ctx: TemplateContext): TemplateValue {
    const v = this.value(ctx);
    this.ws();
    if (this.i < this.src.length) this.fail('unexpected text');
    return v;
  }
  value(ctx: TemplateContext): TemplateValue {
    this.ws();
    const ch = this.src[this.i];
    if (ch === "'" || ch === '"') {
      const end = this.src.indexOf(ch, this.i + 1);
      if (end < 0) this.fail('unclosed string');
      const s = this.src.slice(this.i + 1, end);
      this.i = end + 1;
      return s;
    }
    if (ch === '[') {
      this.i++;
      const items: TemplateValue[] = [];
      this.ws();
      while (this.src[this.i] !== ']') {
        items.push(this.value(ctx));
        this.ws();
        if (this.src[this.i] === ',') this.i++;
        else if (this.src[this.i] !== ']') this.fail('expected "," or "]"');
        this.ws();
      }
      this.i++;
      return items;
    }
    const num = /^-?\d+(\.\d+)?/.exec(this.src.slice(this.i));
    if (num) { this.i += num[0].length; return Number(num[0]); }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.src.slice(this.i));
    if (!id) this.fail('expected a value');
    this.i += id[0].length;
    const name = id[0];
    if (name === 'true' || name === 'True') return true;
    if (name === 'false' || name === 'False') return false;
    if (name === 'none' || name === 'None') return null;
    if (name === 'not') return !this.value(ctx);
    this.ws();
    if (this.src[this.i] !== '(') {
      if (name === 'this') return ctx.this();
      this.fail(`unknown name "${name}"`);
    }
    this.i++;
    const args: TemplateValue[] = [];
    const kwargs: Record<string, TemplateValue> = {};
    this.ws();
    while (this.src[this.i] !== ')') {
      const kw = /^([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)/.exec(this.src.slice(this.i));
      if (kw) { this.i += kw[0].length; kwargs[kw[1]] = this.value(ctx); }
      else args.push(this.value(ctx));
      this.ws();
      if (this.src[this.i] === ',') this.i++;
      else if (this.src[this.i] !== ')') this.fail('expected "," or ")"');
      this.ws();
      if (this.i >= this.src.length) this.fail('unclosed "("');
    }
    this.i++;
    switch (name) {
      case 'ref': return ctx.ref(String(args[0]));
      case 'source': return ctx.source(String(args[0]), String(args[1]));
      case 'config': ctx.config(kwargs); return '';
      case 'var': return ctx.var(String(args[0]), args[1]);
      case 'is_incremental': return ctx.isIncremental();
      default: this.fail(`unknown function "${name}" (this miniature knows ref, source, config, var, is_incremental)`);
    }
  }
}

function truthy(v: TemplateValue): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return v !== null && v !== false && v !== '' && v !== 0;
}

function show(v: TemplateValue): string {
  if (v === null) return '';
  if (Array.isArray(v)) return v.map(show).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function render(src: string, ctx: TemplateContext, file: string): string {
  const tokens = tokenize(src, file);
  let out = '';
  // Each frame: is this branch active, and has any branch of this if been taken.
  const stack: { active: boolean; taken: boolean; line: number }[] = [];
  const active = () => stack.every((f) => f.active);
  for (const t of tokens) {
    if (t.kind === 'text') { if (active()) out += t.body; continue; }
    if (t.kind === 'expr') {
      if (active()) out += show(new ExprParser(t.body, file, t.line).parse(ctx));
      continue;
    }
    const [word, ...rest] = t.body.split(/\s+/);
    const cond = rest.join(' ');
    if (word === 'if') {
      const on = active() && truthy(new ExprParser(cond, file, t.line).parse(ctx));
      stack.push({ active: on, taken: on, line: t.line });
    } else if (word === 'elif') {
      const f = stack[stack.length - 1];
      if (!f) throw new TemplateError(file, t.line, '"elif" without "if"');
      stack.pop();
      const on = !f.taken && active() && truthy(new ExprParser(cond, file, t.line).parse(ctx));
      stack.push({ active: on, taken: f.taken || on, line: f.line });
    } else if (word === 'else') {
      const f = stack.pop();
      if (!f) throw new TemplateError(file, t.line, '"else" without "if"');
      stack.push({ active: !f.taken, taken: true, line: f.line });
    } else if (word === 'endif') {
      if (!stack.pop()) throw new TemplateError(file, t.line, '"endif" without "if"');
    } else {
      throw new TemplateError(file, t.line, `"{% ${word} %}" is not supported here (only if / elif / else / endif)`);
    }
  }
  if (stack.length) throw new TemplateError(file, stack[stack.length - 1].line, '"if" is never closed with "endif"');
  return out;
}

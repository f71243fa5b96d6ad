/**
 * apache-arrow's builders compile their "is this value null?" test with `new Function`
 * (builder/valid.mjs, createIsValidFunction). Our Content-Security-Policy has no
 * 'unsafe-eval', so in the browser every Arrow builder with null values throws, and the
 * pipeline's ingest step fails. We cannot change the library or the policy from here, so
 * this module replaces the global `Function` constructor with one that recognises exactly
 * that generated test (a `switch` over literal null values, an optional NaN check) and
 * returns an equivalent closure; every other use still goes to the real constructor (and
 * is refused by the policy as before). `instanceof Function` keeps working because the
 * replacement shares Function.prototype.
 */
type Literal = null | undefined | string | number | bigint | boolean;

function parseLiteral(text: string): Literal {
  const t = text.trim();
  if (t === 'undefined') return undefined;
  if (/^-?\d+n$/.test(t)) return BigInt(t.slice(0, -1));
  return JSON.parse(t) as Literal;
}

/** The null test Arrow would have compiled, or null when `body` is not one. */
export function nullTestFromSource(params: string, body: string): ((x: unknown) => boolean) | null {
  if (params.trim() !== 'x') return null;
  const stripped = body.replace(/\s+/g, ' ').trim();
  const m = /^(if \(x !== x\) return false; )?(switch \(x\) \{((?: case [^:]+:)+) return false; \} )?return true;$/.exec(stripped);
  if (!m) return null;
  const nanIsNull = !!m[1];
  const values = m[3] ? m[3].split(' case ').map((c) => c.replace(/:$/, '').trim()).filter(Boolean).map(parseLiteral) : [];
  return (x: unknown) => {
    if (nanIsNull && x !== x) return false;
    for (const v of values) if (x === v) return false;
    return true;
  };
}

let installed = false;

export function allowArrowNullTests(): void {
  if (installed) return;
  installed = true;
  const Original = globalThis.Function;
  const Safe = function (this: unknown, ...args: string[]) {
    if (args.length === 2) {
      const fn = nullTestFromSource(args[0]!, args[1]!);
      if (fn) return fn;
    }
    return Reflect.construct(Original, args);
  } as unknown as FunctionConstructor;
  Object.defineProperty(Safe, 'prototype', { value: Original.prototype });
  (globalThis as { Function: FunctionConstructor }).Function = Safe;
}

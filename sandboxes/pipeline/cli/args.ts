/** A small argv parser: positionals, `--flag`, `--key value`, `--key=value`, repeatable keys. */
export interface ParsedArgs { positional: string[]; flags: Map<string, string[]> }

const BOOLEAN = new Set(['downstream', 'no-merge', 'keep-branch', 'force', 'json', 'help', 'full-refresh', 'dry-run']);

export function parseArgs(argv: string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const key = eq > 0 ? a.slice(2, eq) : a.slice(2);
      let value = eq > 0 ? a.slice(eq + 1) : 'true';
      if (eq < 0 && !BOOLEAN.has(key) && i + 1 < argv.length && !argv[i + 1].startsWith('--')) value = argv[++i];
      flags.set(key, [...(flags.get(key) ?? []), value]);
    } else positional.push(a);
  }
  return { positional, flags };
}

export const flag = (a: ParsedArgs, k: string): string | undefined => a.flags.get(k)?.at(-1);
export const flags = (a: ParsedArgs, k: string): string[] => a.flags.get(k) ?? [];
export const has = (a: ParsedArgs, k: string): boolean => a.flags.has(k);

/**
 * The run clock a command asks for: --as-of fixes it, else the wall clock. Shared by the
 * Node CLI and the browser's pipeline host, so "what has the source received by then"
 * means the same in both.
 */
export function clockFromArgs(args: ParsedArgs): () => number {
  const asOf = flag(args, 'as-of');
  const fixed = asOf ? Date.parse(asOf) : null;
  if (asOf && !Number.isFinite(fixed)) throw new Error(`--as-of ${asOf} is not a time; write it like 2025-01-16T06:00:00Z.`);
  return () => fixed ?? Date.now();
}

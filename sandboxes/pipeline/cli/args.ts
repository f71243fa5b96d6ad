/**
 * A small argv parser: positionals, `--flag`, `--key value`, `--key=value`, repeatable keys,
 * and the typed reader of numeric flags. An empty value (`--ref ''`) is refused: it names
 * nothing, and was read as the default or as a name that does not exist.
 */
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
      if (value.trim() === '') throw new UsageError(`--${key} needs a value, not an empty string.`);
      flags.set(key, [...(flags.get(key) ?? []), value]);
    } else positional.push(a);
  }
  return { positional, flags };
}

/** A command line the CLI cannot act on: printed with a pointer to help, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const flag = (a: ParsedArgs, k: string): string | undefined => a.flags.get(k)?.at(-1);

/**
 * A flag holding a whole number in [min, max], else `fallback`. Only digits are accepted:
 * "abc", "-1", "1.5" and "1e20" would otherwise become NaN, negative, fractional or huge
 * counts that a command silently turns into "nothing" or "everything".
 */
export function wholeNumberFlag(a: ParsedArgs, k: string, { min = 0, max = Number.MAX_SAFE_INTEGER, fallback, unit = '' }: { min?: number; max?: number; fallback?: number; unit?: string } = {}): number | undefined {
  const text = flag(a, k);
  if (text === undefined) return fallback;
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`--${k} needs a whole number${unit ? ` of ${unit}` : ''} from ${min} to ${max}, not "${text}".`);
  }
  return value;
}
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

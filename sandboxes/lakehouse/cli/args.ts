/**
 * A small argument parser: positionals, `--flag value` and `--flag=value`, and the typed
 * readers of numeric flags. An empty argument or flag value is refused here, once for all
 * commands: '' names no branch, table or warehouse, and was read as "the default" or as a
 * name that does not exist.
 */

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string>;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Flags that take no value. */
const BOOLEAN_FLAGS = new Set(['help']);

export function parseArgs(argv: string[], known: Set<string>): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      if (!known.has(name) && !BOOLEAN_FLAGS.has(name)) throw new UsageError(`unknown option --${name}`);
      if (BOOLEAN_FLAGS.has(name)) {
        flags.set(name, 'true');
        continue;
      }
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`option --${name} needs a value`);
      if (value.trim() === '') throw new UsageError(`option --${name} needs a value, not an empty string`);
      flags.set(name, value);
    } else {
      if (arg.trim() === '') throw new UsageError(`argument ${positionals.length + 1} is empty; give a name (or leave the argument out)`);
      positionals.push(arg);
    }
  }
  return { positionals, flags };
}

/**
 * A flag holding a whole number in [min, max], or undefined when absent. Only digits are
 * accepted: "1e20", "-1", "1.5", "0x10" and "abc" would otherwise become a huge, negative,
 * fractional or NaN limit.
 */
export function wholeNumberFlag(flags: Map<string, string>, name: string, { min = 0, max = Number.MAX_SAFE_INTEGER, unit = '' } = {}): number | undefined {
  const text = flags.get(name);
  if (text === undefined) return undefined;
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} needs a whole number${unit ? ` of ${unit}` : ''} from ${min} to ${max}, not '${text}'`);
  }
  return value;
}

/** A small argument parser: positionals, `--flag value` and `--flag=value`. */

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
      flags.set(name, value);
    } else {
      positionals.push(arg);
    }
  }
  return { positionals, flags };
}

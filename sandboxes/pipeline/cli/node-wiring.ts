/**
 * Node-only wiring for the pipeline CLI: the warehouse in a directory, DuckDB-WASM in a
 * worker thread, PGlite persisted next to the warehouse, the glucose project from disk.
 */
import { join, dirname, resolve, basename } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openNodeLakehouse } from '../lakehouse/open-node.ts';
import { readProjectFiles, GLUCOSE_PROJECT_DIR } from '../transform/load-dir.ts';
import { glucoseDefinitions, type Definitions } from '../orchestrate/definitions.ts';
import { createDefaultRegistry } from '../plugins/builtin.ts';
import { createPluginApi, resolvePluginModule, applyPluginModules, type PluginApi, type PluginModule } from '../plugins/api.ts';
import { Pipeline } from '../orchestrate/pipeline.ts';
import { openPostgres, type PostgresLike } from '../publish/postgres.ts';
import { clockFromArgs, flag, flags, type ParsedArgs } from './args.ts';

export { clockFromArgs };
import type { CliWiring, CliIo } from './commands.ts';
import type { RunEvent, RunRecord } from '../orchestrate/runlog.ts';
import type { Lakehouse } from '../lakehouse/port.ts';

/** The same default as `npm run lakehouse`, so both CLIs see one warehouse. */
export const DEFAULT_WAREHOUSE = process.env.PHLO_WAREHOUSE ?? 'warehouse';

export function parseBadDays(values: string[]): Record<string, 'impossible' | 'sensor-fault'> {
  const out: Record<string, 'impossible' | 'sensor-fault'> = {};
  for (const v of values) {
    const [day, kind = 'impossible'] = v.split(':');
    if (kind !== 'impossible' && kind !== 'sensor-fault') throw new Error(`--bad-day ${v}: the kind must be "impossible" or "sensor-fault".`);
    out[day] = kind;
  }
  return out;
}

/** One line per interesting event, so a long backfill shows its progress partition by partition. */
export function progressPrinter(io: CliIo): (e: RunEvent, run: RunRecord) => void {
  let last = '';
  return (e, run) => {
    const where = [e.asset, e.partition].filter(Boolean).join(' @ ');
    const ms = e.ms != null ? ` (${e.ms} ms)` : '';
    if (e.type === 'MATERIALIZATION' && e.partition && run.partitions.length > 1) last = `${e.message}${ms}`;
    else if (e.type === 'PROGRESS') io.out(`  [${e.metadata?.done}/${e.metadata?.total}] ${where}: ${e.metadata?.failed ? 'FAILED (see above)' : last}`);
    else if (e.type === 'MATERIALIZATION' || e.type === 'STEP_FAILURE' || e.type === 'VALIDATION' || e.type.startsWith('BRANCH_')) io.out(`  ${e.type.toLowerCase().replace('_', ' ')}: ${where ? where + ': ' : ''}${e.message}${ms}`);
    else if (e.type === 'ASSET_CHECK' && !/^PASS/.test(e.message)) io.out(`  check: ${where}: ${e.message}`);
  };
}

function sourceFile(path: string | undefined): { name: string; text: string } | undefined {
  if (!path) return undefined;
  if (!existsSync(path)) throw new Error(`--source-file ${path}: no such file. Give the path of a Nightscout JSON export or a CSV with a header row.`);
  return { name: basename(path), text: readFileSync(path, 'utf8') };
}


/** A module named by --plugin, with the path it was given (see plugins/api.ts for the shapes it may export). */
export type { PluginModule };
export type NamedPluginModule = PluginModule & { origin?: string };

/** The helpers a plugin module's default function receives; sample data read from disk. */
export function nodePluginApi(): PluginApi {
  const sample = new URL('../plugins/examples/github-events.sample.json', import.meta.url);
  return createPluginApi({ githubEvents: JSON.parse(readFileSync(sample, 'utf8')) });
}

export async function loadPluginModules(paths: string[]): Promise<NamedPluginModule[]> {
  const out: NamedPluginModule[] = [];
  for (const p of paths) {
    const file = resolve(p);
    if (!existsSync(file)) throw new Error(`--plugin ${p}: no such file. Give the path of a .ts module that exports a default function (phlo) => ({ plugins, extend }), or \`plugins\` (and optionally \`extend\`).`);
    const mod = (await import(pathToFileURL(file).href)) as PluginModule;
    if (!mod.plugins && !mod.default && !mod.extend) throw new Error(`--plugin ${p}: the module exports neither a default function, \`plugins\`, a default plugin, nor \`extend\`.`);
    out.push({ ...mod, origin: p });
  }
  return out;
}

/** The glucose pipeline as the flags describe it (seed, bad days, clock, plugin modules). */
export function pipelineFromArgs(lake: Lakehouse, args: ParsedArgs, extra: { postgres?: () => Promise<PostgresLike>; onEvent?: (e: RunEvent, run: RunRecord) => void; modules?: NamedPluginModule[] } = {}): Pipeline {
  const registry = createDefaultRegistry();
  let definitions = glucoseDefinitions({
    project: readProjectFiles(GLUCOSE_PROJECT_DIR),
    seed: flag(args, 'seed') ?? 'phlo',
    badDays: parseBadDays(flags(args, 'bad-day')),
    file: sourceFile(flag(args, 'source-file')),
  });
  if (extra.modules?.length) {
    // A module named on the command line that does not load stops the command (you asked for it).
    const api = nodePluginApi();
    const loaded = extra.modules.map((m, i) => resolvePluginModule(m, `--plugin ${m.origin ?? `#${i + 1}`}`, api));
    definitions = applyPluginModules(registry, definitions, loaded);
  }
  return new Pipeline({
    lake,
    registry,
    definitions,
    clock: clockFromArgs(args),
    postgres: extra.postgres,
    onEvent: extra.onEvent,
  });
}

export function nodeWiring(io: CliIo, quiet = false): CliWiring & { close(): Promise<void> } {
  let pg: (PostgresLike & { close(): Promise<void> }) | null = null;
  return {
    async open(args: ParsedArgs) {
      const dir = resolve(flag(args, 'warehouse') ?? DEFAULT_WAREHOUSE);
      const modules = await loadPluginModules(flags(args, 'plugin'));
      const lake = await openNodeLakehouse({ dir, clock: clockFromArgs(args) });
      const pipeline = pipelineFromArgs(lake, args, {
        modules,
        // Postgres lives next to the warehouse folder, not inside it: the warehouse may be served.
        postgres: async () => (pg ??= await openPostgres(join(dir, '..', `${dir.split(/[\\/]/).pop()}-postgres`))),
        onEvent: quiet ? undefined : progressPrinter(io),
      });
      return { pipeline, lake, close: () => lake.close() };
    },
    async passThrough(argv, cliIo) {
      const main = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'lakehouse', 'cli', 'main.ts');
      if (!existsSync(main)) return null;
      return new Promise<number>((res) => {
        const child = spawn(process.execPath, [main, ...argv], { stdio: ['inherit', 'pipe', 'pipe'] });
        child.stdout.on('data', (b: Buffer) => b.toString().split('\n').filter(Boolean).forEach((l) => cliIo.out(l)));
        child.stderr.on('data', (b: Buffer) => b.toString().split('\n').filter(Boolean).forEach((l) => cliIo.err(l)));
        child.on('close', (code) => res(code ?? 1));
      });
    },
    async close() { await pg?.close(); },
  };
}

/**
 * Plugin modules: how a file of plugins is loaded, the same way by the Node CLI
 * (`--plugin FILE`) and by the browser sandbox (the learner's files under `plugins/`).
 *
 * A module may export
 *   - `default`: a function `(phlo: PluginApi) => { plugins?, extend? }` — the form the
 *     browser needs, because a learner's file cannot import anything: everything it uses
 *     (schema helpers, day arithmetic, SQL for checks, bundled sample data) arrives in `phlo`;
 *   - or, for Node modules that import what they need: `plugins` (or a default plugin or
 *     array) and an optional `extend(definitions)`.
 *
 * Phlo finds plugins through Python entry points (`phlo.plugins.sources`, `.quality`,
 * `.transforms`); here the list of modules plays the part of the installed packages. Every
 * plugin method is wrapped so an error it throws names the plugin and its file.
 */
import { col, defineSchema } from '../validate/schema.ts';
import { dayStart, dayOf, addDays } from '../util/dates.ts';
import { arrowToRows } from '../util/arrow.ts';
import type { CheckContext, Check, CheckOutcome } from '../checks/types.ts';
import type { Definitions } from '../orchestrate/definitions.ts';
import type { Plugin } from './types.ts';
import type { PluginRegistry } from './registry.ts';

/** The context a check's run() receives (re-exported so a plugin file needs one type import). */
export type { CheckContext };

/** What a plugin module receives: the helpers a plugin may use without importing. */
export interface PluginApi {
  /** Column constructors for a table schema (Pandera's Field ideas): `phlo.col.int64({ min: 0 })`. */
  col: typeof col;
  /** A table schema from columns: the staged rows are validated against it, and it creates the Iceberg table. */
  defineSchema: typeof defineSchema;
  /** Epoch ms of 00:00 UTC of a partition day "YYYY-MM-DD" (throws a readable error for a bad day). */
  dayStart: typeof dayStart;
  /** "YYYY-MM-DD" of an epoch-ms time (UTC). */
  dayOf: typeof dayOf;
  /** The day n days after a partition day. */
  addDays: typeof addDays;
  /** For quality checks: the rows of a SQL query on the check's branch (the table is `ctx.table`). */
  query(ctx: CheckContext, sql: string): Promise<Record<string, unknown>[]>;
  /** Bundled sample data a source may read (the sandbox has no network): `githubEvents`. */
  samples: Readonly<Record<string, unknown>>;
}

/** What a plugin module provides. */
export interface PluginModuleExports {
  plugins?: Plugin[];
  /** Adds assets, models and checks that use the plugins; returns the new definitions. */
  extend?: (definitions: Definitions) => Definitions;
}

export type PluginFactory = (phlo: PluginApi) => PluginModuleExports;

/** A module as `import()` returns it. */
export interface PluginModule extends PluginModuleExports {
  default?: Plugin | Plugin[] | PluginFactory;
}

/** A module resolved to its plugins, with the file it came from (for error messages). */
export interface LoadedPluginModule extends PluginModuleExports {
  origin: string;
  plugins: Plugin[];
}

export function createPluginApi(samples: Record<string, unknown> = {}): PluginApi {
  return Object.freeze({
    col,
    defineSchema,
    dayStart,
    dayOf,
    addDays,
    query: async (ctx: CheckContext, sql: string) => arrowToRows(await ctx.lake.query(sql, ctx.ref)),
    samples: Object.freeze({ ...samples }),
  });
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** An error that already names its plugin is passed on as it is. */
export class PluginModuleError extends Error {
  constructor(msg: string) { super(msg); this.name = 'PluginModuleError'; }
}

/** Call a plugin method; a throw becomes an error naming the plugin, the method and the file. */
function named<T>(what: string, origin: string, fn: () => T): T {
  try {
    const out = fn();
    if (out instanceof Promise) return out.catch((err) => { throw wrap(err, what, origin); }) as T;
    return out;
  } catch (err) {
    throw wrap(err, what, origin);
  }
}

function wrap(err: unknown, what: string, origin: string): Error {
  if (err instanceof PluginModuleError) return err;
  return new PluginModuleError(`${what} (${origin}) threw: ${message(err)}`);
}

/**
 * The plugin with every method wrapped: errors name it; a source's result is checked for
 * shape (`{ records: [...] }`), a check's outcome too, so a half-written plugin fails with a
 * sentence instead of a TypeError deep inside the pipeline.
 */
export function guardPlugin(plugin: Plugin, origin: string): Plugin {
  const label = `Plugin "${plugin.metadata?.name ?? '?'}"`;
  if (plugin.type === 'source') {
    const p = plugin;
    return {
      ...p,
      async fetchPartition(config, partition, ctx) {
        const out = await named(`${label} fetchPartition(${partition})`, origin, () => p.fetchPartition(config, partition, ctx));
        if (!out || !Array.isArray((out as { records?: unknown }).records)) {
          throw new PluginModuleError(`${label} fetchPartition(${partition}) (${origin}) must return { records: [...] }, an object with an array of rows; it returned ${JSON.stringify(out)?.slice(0, 80) ?? String(out)}.`);
        }
        return out;
      },
      getSchema(config) {
        const schema = named(`${label} getSchema()`, origin, () => p.getSchema(config));
        if (!schema || !Array.isArray((schema as { columns?: unknown }).columns)) throw new PluginModuleError(`${label} getSchema() (${origin}) must return a schema made with phlo.defineSchema(name, { column: phlo.col.string(), ... }).`);
        return schema;
      },
      testConnection: p.testConnection ? (config) => named(`${label} testConnection()`, origin, () => p.testConnection!(config)) : undefined,
    };
  }
  if (plugin.type === 'quality') {
    const p = plugin;
    return {
      ...p,
      createCheck(params, context) {
        const check: Check = named(`${label} createCheck()`, origin, () => p.createCheck(params, context));
        if (!check || typeof check.run !== 'function' || !check.name) throw new PluginModuleError(`${label} createCheck() (${origin}) must return a check: { name, kind, severity, async run(ctx) { ... } }.`);
        return {
          ...check,
          async run(ctx) {
            const o = await named(`${label} check ${check.name}`, origin, () => check.run(ctx));
            if (!o || typeof o.passed !== 'boolean') throw new PluginModuleError(`${label} check ${check.name} (${origin}) must return { passed: true|false, total, failures, observed, message, sample }.`);
            // A half-filled outcome gets neutral values for what it left out.
            const partial: Partial<CheckOutcome> = o;
            return { total: 0, failures: 0, observed: {}, message: '', sample: [], ...partial, passed: o.passed };
          },
        };
      },
    };
  }
  if (plugin.type === 'transform') {
    const p = plugin;
    return { ...p, transform: (rows, config, ctx) => named(`${label} transform()`, origin, () => p.transform(rows, config, ctx)) };
  }
  return plugin;
}

/** A module's exports turned into its plugins and extend (errors name the file). */
export function resolvePluginModule(mod: PluginModule, origin: string, api: PluginApi): LoadedPluginModule {
  let exports: PluginModuleExports = mod;
  if (typeof mod.default === 'function') {
    const made = named(`The default export`, origin, () => (mod.default as PluginFactory)(api));
    if (!made || typeof made !== 'object') throw new PluginModuleError(`${origin}: the default export must return { plugins: [...], extend(definitions) { ... } }.`);
    exports = made;
  } else if (!mod.plugins && !mod.default && !mod.extend) {
    throw new PluginModuleError(`${origin}: the module exports neither a default function, \`plugins\`, a default plugin, nor \`extend\`.`);
  }
  const list = exports.plugins ?? (Array.isArray(mod.default) ? mod.default : mod.default && typeof mod.default === 'object' ? [mod.default] : []);
  if (!Array.isArray(list)) throw new PluginModuleError(`${origin}: plugins must be an array of plugins.`);
  if (exports.extend !== undefined && typeof exports.extend !== 'function') throw new PluginModuleError(`${origin}: extend must be a function (definitions) => definitions.`);
  return { origin, plugins: list.map((p) => guardPlugin(p, origin)), extend: exports.extend };
}

/**
 * Register every module's plugins, then let each module extend the definitions, in order.
 * `onError` decides what a broken module does: the Node CLI throws (you named the file);
 * the sandbox reports it and skips the module, as Phlo logs and skips a bad plugin.
 */
export function applyPluginModules(registry: PluginRegistry, definitions: Definitions, modules: LoadedPluginModule[], onError: (err: Error, origin: string) => void = (e) => { throw e; }): Definitions {
  const usable: LoadedPluginModule[] = [];
  for (const m of modules) {
    try {
      for (const p of m.plugins) {
        try {
          registry.register(p);
        } catch (err) {
          throw new PluginModuleError(`${m.origin}: ${message(err)}`);
        }
      }
      usable.push(m);
    } catch (err) {
      onError(err as Error, m.origin);
    }
  }
  let defs = definitions;
  for (const m of usable) {
    if (!m.extend) continue;
    try {
      const next = named(`extend()`, m.origin, () => m.extend!(defs));
      if (!next || !Array.isArray(next.ingestion) || !Array.isArray(next.checks) || typeof next.project !== 'object') {
        throw new PluginModuleError(`extend() (${m.origin}) must return the definitions it was given, with your additions: return { ...definitions, ingestion: [...definitions.ingestion, yourAsset] }.`);
      }
      defs = next;
    } catch (err) {
      onError(err as Error, m.origin);
    }
  }
  return defs;
}

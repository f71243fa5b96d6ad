/** The built-in plugins, registered the same way a third-party plugin is. */
import { PluginRegistry } from './registry.ts';
import type { SourceConnectorPlugin, QualityCheckPlugin, TransformationPlugin, PluginMetadata } from './types.ts';
import { fetchDay, type SourceOptions, type BadDataKind } from '../source/nightscout.ts';
import { readEntriesFile } from '../source/file-reader.ts';
import { RawGlucoseEntries } from '../validate/glucose-schemas.ts';
import { snakeCase } from '../stage/staging.ts';
import { nullCheck, rangeCheck, uniqueCheck, freshnessCheck, countCheck, customSqlCheck } from '../checks/builtin.ts';
import { dayStart } from '../util/dates.ts';
import { hashString } from '../util/prng.ts';

const meta = (name: string, description: string, tags: string[]): PluginMetadata => ({
  name, version: '1.0.0', description, author: 'Phlo miniature', license: 'MIT', tags,
});

/** The Nightscout API stand-in: config { seed, badDays, lateRate, duplicateRate }. */
export const nightscoutSource: SourceConnectorPlugin = {
  type: 'source',
  metadata: meta('nightscout', 'Nightscout CGM entries (deterministic, bundled; no network)', ['api', 'cgm']),
  async fetchPartition(config, partition, ctx) {
    const options: SourceOptions = {
      seed: String(config.seed ?? 'phlo'),
      badDays: (config.badDays ?? {}) as Record<string, BadDataKind>,
      lateRate: config.lateRate as number | undefined,
      duplicateRate: config.duplicateRate as number | undefined,
    };
    const r = fetchDay(options, partition, ctx.asOf);
    return { records: r.entries as unknown as Record<string, unknown>[], stats: { not_yet_arrived: r.notYetArrived, sensor_gap: r.sensorGap } };
  },
  getSchema: () => RawGlucoseEntries,
  async testConnection() { return true; },
};

/** A learner's own export: config { name, text } (JSON array or CSV); rows of the partition's day. */
export const entriesFileSource: SourceConnectorPlugin = {
  type: 'source',
  metadata: meta('entries_file', 'Nightscout entries from a JSON or CSV file you provide', ['file', 'cgm']),
  async fetchPartition(config, partition) {
    const { entries, problems } = readEntriesFile(String(config.name ?? 'entries.json'), String(config.text ?? '[]'));
    if (problems.length) {
      throw new Error(`Could not read ${config.name}: ${problems.slice(0, 5).map((p) => `${p.where}: ${p.message}`).join('; ')}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}.`);
    }
    const start = dayStart(partition);
    const records = entries.filter((e) => e.date >= start && e.date < start + 86_400_000);
    return { records: records as unknown as Record<string, unknown>[], stats: { in_file: entries.length } };
  },
  getSchema: () => RawGlucoseEntries,
};

/**
 * DLT's normalisation: snake_case names, `_dlt_load_id` / `_dlt_id`, ISO time strings to
 * timestamps for the columns named in config.timestamps.
 */
function contentId(row: Record<string, unknown>): string {
  const text = JSON.stringify(Object.keys(row).sort().filter((k) => !k.startsWith('_dlt_')).map((k) => [k, row[k]]));
  return hashString(text).toString(16).padStart(8, '0') + hashString(`~${text}`).toString(16).padStart(8, '0');
}

export const dltNormalize: TransformationPlugin = {
  type: 'transform',
  metadata: meta('dlt_normalize', 'camelCase to snake_case, load ids, timestamps (the ideas of DLT)', ['normalize']),
  transform(rows, config, ctx) {
    const timestamps = new Set((config.timestamps as string[] | undefined) ?? []);
    return rows.map((r) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r)) {
        const name = snakeCase(k);
        if (timestamps.has(name) && typeof v === 'string') {
          const t = Date.parse(v);
          out[name] = Number.isFinite(t) ? t : v;
        } else out[name] = v ?? null;
      }
      // Both ids are stable for the same content, so re-loading an unchanged day rewrites nothing.
      out._dlt_load_id = ctx.loadId;
      out._dlt_id = contentId(out);
      return out;
    });
  },
};

function qualityPlugin(name: string, description: string, create: QualityCheckPlugin['createCheck']): QualityCheckPlugin {
  return { type: 'quality', metadata: meta(name, description, ['quality']), createCheck: create };
}

export const builtinChecks: QualityCheckPlugin[] = [
  qualityPlugin('null_check', 'No nulls in the given columns (NullCheck)', (p) => nullCheck(p as never)),
  qualityPlugin('range_check', 'Values within min_value..max_value (RangeCheck)', (p) => rangeCheck(p as never)),
  qualityPlugin('unique_check', 'No duplicate values (UniqueCheck)', (p) => uniqueCheck(p as never)),
  qualityPlugin('freshness_check', 'Newest row recent enough (FreshnessCheck)', (p) => freshnessCheck(p as never)),
  qualityPlugin('count_check', 'Row count within bounds (CountCheck)', (p, ctx) => countCheck(p as never, ctx.partitionColumn)),
  qualityPlugin('custom_sql_check', 'Your SQL over `data` returns the bad rows (CustomSQLCheck)', (p) => customSqlCheck(p as never)),
];

export function createDefaultRegistry(options: { whitelist?: string[]; blacklist?: string[] } = {}): PluginRegistry {
  const registry = new PluginRegistry(options);
  registry.register(nightscoutSource);
  registry.register(entriesFileSource);
  registry.register(dltNormalize);
  for (const c of builtinChecks) registry.register(c);
  return registry;
}

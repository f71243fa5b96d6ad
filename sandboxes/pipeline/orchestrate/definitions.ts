/**
 * What a pipeline is made of, declared as data: ingestion assets (like @phlo.ingestion),
 * a dbt-like project, asset checks (like @phlo.quality), and publishing to Postgres.
 * glucoseDefinitions() is Phlo's glucose platform with its real names.
 */
import type { PluginRegistry } from '../plugins/registry.ts';
import type { AssetCheckDef, Severity } from '../checks/types.ts';
import { parseDeclaredChecks, CHECKS_FILE } from '../checks/declared.ts';

export interface IngestionAssetDef {
  /** Asset key: "dlt_glucose_entries". */
  name: string;
  /** Iceberg table: "raw.glucose_entries". */
  table: string;
  group: string;
  source: { plugin: string; config: Record<string, unknown> };
  /** Transform plugins applied in order before staging. */
  transforms: { plugin: string; config: Record<string, unknown> }[];
  uniqueKey: string[];
  /** "merge" upserts on the key (idempotent); "append" adds every row. */
  mergeStrategy: 'merge' | 'append';
  /** Which column places a row in a daily partition (a timestamp). */
  partitionColumn: string;
  description: string;
  /** @phlo.ingestion(cron=...): an on_cron automation condition on the asset (see automation.ts). */
  cron?: string;
}

export interface CheckDecl { plugin: string; params: Record<string, unknown> }

export interface AssetChecksDecl {
  name: string;
  asset: string;
  table: string;
  partitionColumn: string | null;
  blocking: boolean;
  description: string;
  checks: CheckDecl[];
}

export interface PublishDef {
  name: string;
  /** Asset keys (dbt models) whose tables are copied. */
  deps: string[];
  /** Postgres schema, "marts" in Phlo. */
  schema: string;
}

export interface Definitions {
  /** First daily partition (Phlo: 2025-01-01). */
  partitionStart: string;
  ingestion: IngestionAssetDef[];
  /** dbt project files: path -> text. */
  project: Record<string, string>;
  /** Maps a dbt source ("dagster_assets.glucose_entries") to the ingestion asset that writes it. */
  sourceAssets: Record<string, string>;
  checks: AssetChecksDecl[];
  publish: PublishDef[];
}

export interface GlucoseOptions {
  seed?: string;
  badDays?: Record<string, 'impossible' | 'sensor-fault'>;
  lateRate?: number;
  duplicateRate?: number;
  /** Ingest a learner's own export (JSON array or CSV) instead of the generated source. */
  file?: { name: string; text: string };
  project: Record<string, string>;
}

/** Phlo's glucose platform: asset and model names, checks and thresholds from its code. */
export function glucoseDefinitions(o: GlucoseOptions): Definitions {
  const sev = (s: Severity) => s;
  const defs: Definitions = {
    partitionStart: '2025-01-01',
    ingestion: [{
      name: 'dlt_glucose_entries',
      table: 'raw.glucose_entries',
      group: 'nightscout',
      source: o.file
        ? { plugin: 'entries_file', config: { name: o.file.name, text: o.file.text } }
        : { plugin: 'nightscout', config: { seed: o.seed ?? 'phlo', badDays: o.badDays ?? {}, lateRate: o.lateRate, duplicateRate: o.duplicateRate } },
      transforms: [{ plugin: 'dlt_normalize', config: { timestamps: ['date_string'] } }],
      uniqueKey: ['_id'],
      mergeStrategy: 'merge',
      partitionColumn: 'date_string',
      description: 'Nightscout CGM entries, one daily partition at a time, merged on _id.',
      // Phlo's glucose_entries decorator: hourly, at minute 0.
      cron: '0 */1 * * *',
    }],
    project: o.project,
    sourceAssets: { 'dagster_assets.glucose_entries': 'dlt_glucose_entries' },
    checks: [
      {
        // Not in Phlo (its raw table has no runtime checks): a sensor reporting values no
        // body produces for hours is the kind of day the audit step exists to stop.
        name: 'glucose_entries_quality', asset: 'dlt_glucose_entries', table: 'raw.glucose_entries', partitionColumn: 'date_string', blocking: true,
        description: 'Raw entries: unique ids, physiological values, enough readings per day.',
        checks: [
          { plugin: 'unique_check', params: { columns: ['_id'], severity: sev('ERROR') } },
          { plugin: 'range_check', params: { column: 'sgv', min_value: 20, max_value: 600, allow_threshold: 0.02, severity: sev('ERROR') } },
          { plugin: 'count_check', params: { min_rows: 200, max_rows: 288, per_partition: true, severity: sev('WARN') } },
        ],
      },
      {
        name: 'glucose_readings_quality', asset: 'fct_glucose_readings', table: 'silver.fct_glucose_readings', partitionColumn: 'reading_timestamp', blocking: true,
        description: "Phlo's checks on silver.fct_glucose_readings.",
        checks: [
          { plugin: 'null_check', params: { columns: ['entry_id', 'glucose_mg_dl', 'reading_timestamp'] } },
          { plugin: 'range_check', params: { column: 'glucose_mg_dl', min_value: 20, max_value: 600 } },
          { plugin: 'range_check', params: { column: 'hour_of_day', min_value: 0, max_value: 23 } },
          { plugin: 'freshness_check', params: { timestamp_column: 'reading_timestamp', max_age_hours: 24, severity: sev('WARN') } },
        ],
      },
      {
        name: 'daily_metrics_quality', asset: 'fct_daily_glucose_metrics', table: 'gold.fct_daily_glucose_metrics', partitionColumn: 'reading_date', blocking: true,
        description: "Phlo's checks on gold.fct_daily_glucose_metrics.",
        checks: [
          { plugin: 'null_check', params: { columns: ['reading_date', 'reading_count', 'avg_glucose_mg_dl'] } },
          { plugin: 'range_check', params: { column: 'avg_glucose_mg_dl', min_value: 20, max_value: 600 } },
          { plugin: 'range_check', params: { column: 'time_in_range_pct', min_value: 0, max_value: 100 } },
          { plugin: 'custom_sql_check', params: { name_: 'glucose_variability_cv', sql: 'select reading_date, round(100.0 * stddev_glucose_mg_dl / avg_glucose_mg_dl, 1) as cv from data where 100.0 * stddev_glucose_mg_dl / avg_glucose_mg_dl > 40', severity: sev('WARN') } },
        ],
      },
    ],
    publish: [{ name: 'publish_marts_to_postgres', deps: ['mrt_glucose_overview', 'mrt_glucose_hourly_patterns'], schema: 'marts' }],
  };
  // Check groups the project declares in checks.yml run after the ones above (Part 9).
  defs.checks.push(...parseDeclaredChecks(o.project[CHECKS_FILE], { ingestion: defs.ingestion, project: o.project, builtin: defs.checks }));
  return defs;
}

/** Turn check declarations into runnable checks through the plugin registry. */
export function resolveChecks(defs: Definitions, registry: PluginRegistry): AssetCheckDef[] {
  return defs.checks.map((d) => ({
    name: d.name, asset: d.asset, table: d.table, partitionColumn: d.partitionColumn, blocking: d.blocking, description: d.description,
    checks: d.checks.map((c) => registry.quality(c.plugin).createCheck(c.params, { partitionColumn: d.partitionColumn })),
  }));
}

/**
 * One ingestion asset for one daily partition (the ideas of @phlo.ingestion, DLT and
 * PyIceberg): fetch -> normalise -> stage as Parquet -> validate -> create the table if
 * needed -> merge on the unique key -> commit a snapshot -> record what happened.
 *
 * Idempotent: rows already in the table with the same content are left alone, so running
 * a day twice writes no second snapshot. A row that arrived late (or was corrected) is an
 * insert (or update) into its own day, whichever day's run brings it.
 */
import type { Lakehouse } from '../lakehouse/port.ts';
import type { PluginRegistry } from '../plugins/registry.ts';
import type { IngestionAssetDef } from './definitions.ts';
import { writeStagingParquet, readStagingParquet } from '../stage/staging.ts';
import { validateRows, describeReport, type ValidationReport } from '../validate/validate.ts';
import { rowsToArrow } from '../util/arrow.ts';
import { dayOf } from '../util/dates.ts';

export interface IngestOutcome {
  asset: string;
  table: string;
  partition: string;
  rowsFetched: number;
  duplicatesSkipped: number;
  rowsInserted: number;
  rowsUpdated: number;
  rowsUnchanged: number;
  snapshotId: string | null;
  stagingFile: string;
  stagingBytes: number;
  /** Days the written rows belong to (a late reading can touch an earlier day). */
  partitionsTouched: string[];
  sourceStats: Record<string, number>;
  validation: ValidationReport;
}

export class ValidationFailedError extends Error {
  readonly report: ValidationReport;
  constructor(asset: string, partition: string, report: ValidationReport) {
    super(`${asset} for ${partition} did not pass validation, so nothing was written to the table.\n${describeReport(report, 8)}\nFix the source data (or the schema, if the rule is wrong) and run the partition again.`);
    this.name = 'ValidationFailedError';
    this.report = report;
  }
}


export async function ingestPartition(args: {
  lake: Lakehouse;
  registry: PluginRegistry;
  asset: IngestionAssetDef;
  partition: string;
  ref: string;
  runId: string;
  asOf: number;
  /** Each phase's log line carries its duration in ms. */
  log: (message: string, metadata?: Record<string, unknown>, ms?: number) => void;
  timer?: () => number;
}): Promise<IngestOutcome> {
  const { lake, registry, asset, partition, ref, runId } = args;
  const timer = args.timer ?? (() => Math.round(globalThis.performance.now()));
  let phase = timer();
  const log = (message: string, metadata?: Record<string, unknown>) => {
    const t = timer();
    args.log(message, metadata, t - phase);
    phase = t;
  };
  const source = registry.source(asset.source.plugin);
  const schema = source.getSchema(asset.source.config);

  const fetched = await source.fetchPartition(asset.source.config, partition, { asOf: args.asOf });
  log(`fetched ${fetched.records.length} records from ${source.metadata.name}`, { rows_fetched: fetched.records.length, ...fetched.stats });

  // DLT's pipeline name in Phlo: <table>_<YYYY_MM_DD>; stable across re-runs of the day.
  const loadId = `${asset.table.split('.').pop()}_${partition.replace(/-/g, '_')}`;
  let rows = fetched.records;
  for (const t of asset.transforms) {
    rows = await registry.transform(t.plugin).transform(rows, t.config, { loadId, partition });
  }

  // Duplicates on the key within one batch: keep the last (Phlo's default dedup "last").
  let duplicatesSkipped = 0;
  if (asset.mergeStrategy === 'merge') {
    const byKey = new Map<string, number>();
    const kept: Record<string, unknown>[] = [];
    for (const r of rows) {
      const k = asset.uniqueKey.map((c) => String(r[c] ?? '')).join('\u0000');
      const at = byKey.get(k);
      if (at !== undefined && asset.uniqueKey.every((c) => r[c] != null)) { kept[at] = r; duplicatesSkipped++; continue; }
      byKey.set(k, kept.length);
      kept.push(r);
    }
    rows = kept;
  }

  // Stage: the batch becomes a typed Parquet file before the table is touched.
  const stagingFile = `stage/${asset.table.replace('.', '/')}/${partition}/${runId}.parquet`;
  const bytes = writeStagingParquet(schema, rows);
  await lake.storage.write(stagingFile, bytes);
  const staged = await readStagingParquet(await lake.storage.read(stagingFile));
  // Parquet cannot hold a value of the wrong type: check the original rows, which still have it.
  const validation = validateRows(schema, rows);
  log(`staged ${staged.length} rows (${bytes.length} bytes) at ${stagingFile}; ${duplicatesSkipped} duplicate(s) skipped`, { staging_file: stagingFile, duplicates_skipped: duplicatesSkipped });
  if (!validation.passed) {
    await lake.storage.delete(stagingFile);
    throw new ValidationFailedError(asset.name, partition, validation);
  }
  log(`validation passed for ${validation.rowsChecked} rows (${schema.name})`);

  if (!(await lake.tableExists(ref, asset.table))) {
    await lake.createTable(ref, asset.table, schema.columns, `create ${asset.table} for ${asset.name}`);
    log(`created table ${asset.table}`);
  }

  // The merge compares each incoming row with the stored one: identical rows are left
  // alone, so a re-run of a day writes no snapshot at all.
  let snapshotId: string | null = null;
  let inserted = 0;
  let updated = 0;
  let unchanged = 0;
  if (staged.length) {
    const data = rowsToArrow(schema.columns, staged);
    const message = `${asset.name}: partition ${partition} (run ${runId})`;
    const key = asset.mergeStrategy === 'merge' ? asset.uniqueKey : ['_dlt_id'];
    const w = await lake.merge(ref, asset.table, data, key, message);
    snapshotId = w.snapshotId;
    inserted = w.inserted;
    updated = w.updated;
    unchanged = w.unchanged;
  }
  await lake.storage.delete(stagingFile);

  const touched = [...new Set(staged.map((r) => dayOf(Number(r[asset.partitionColumn]))))].sort();
  log(
    snapshotId
      ? `merged into ${asset.table}: ${inserted} inserted, ${updated} updated, ${unchanged} unchanged; snapshot ${snapshotId}`
      : staged.length === 0
        ? `the source returned no rows for ${partition}; nothing to merge, no snapshot written`
        : `nothing new: all ${unchanged} rows already in ${asset.table}, no snapshot written`,
    { rows_inserted: inserted, rows_updated: updated, rows_unchanged: unchanged, snapshot_id: snapshotId },
  );
  return {
    asset: asset.name, table: asset.table, partition,
    rowsFetched: fetched.records.length, duplicatesSkipped, rowsInserted: inserted, rowsUpdated: updated, rowsUnchanged: unchanged,
    snapshotId, stagingFile, stagingBytes: bytes.length, partitionsTouched: touched, sourceStats: fetched.stats ?? {}, validation,
  };
}

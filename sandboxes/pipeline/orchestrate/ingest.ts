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
import { rowsToArrow, arrowToRows } from '../util/arrow.ts';
import { dayStart, dayOf } from '../util/dates.ts';

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

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

function comparable(row: Record<string, unknown>): string {
  const o: Record<string, unknown> = {};
  for (const k of Object.keys(row).sort()) if (!k.startsWith('_dlt_')) o[k] = row[k] ?? null;
  return JSON.stringify(o);
}

export async function ingestPartition(args: {
  lake: Lakehouse;
  registry: PluginRegistry;
  asset: IngestionAssetDef;
  partition: string;
  ref: string;
  runId: string;
  asOf: number;
  log: (message: string, metadata?: Record<string, unknown>) => void;
}): Promise<IngestOutcome> {
  const { lake, registry, asset, partition, ref, runId } = args;
  const source = registry.source(asset.source.plugin);
  const schema = source.getSchema(asset.source.config);

  const fetched = await source.fetchPartition(asset.source.config, partition, { asOf: args.asOf });
  args.log(`fetched ${fetched.records.length} records from ${source.metadata.name}`, { rows_fetched: fetched.records.length, ...fetched.stats });

  const loadId = `${runId}.${partition.replace(/-/g, '')}`;
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
      if (at !== undefined && asset.uniqueKey.every((c) => r[c] != null)) { kept[at] = { ...r, _dlt_id: kept[at]._dlt_id }; duplicatesSkipped++; continue; }
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
  args.log(`staged ${staged.length} rows (${bytes.length} bytes) at ${stagingFile}; ${duplicatesSkipped} duplicate(s) skipped`, { staging_file: stagingFile, duplicates_skipped: duplicatesSkipped });
  if (!validation.passed) {
    await lake.storage.delete(stagingFile);
    throw new ValidationFailedError(asset.name, partition, validation);
  }
  args.log(`validation passed for ${validation.rowsChecked} rows (${schema.name})`);

  if (!(await lake.tableExists(ref, asset.table))) {
    await lake.createTable(ref, asset.table, schema.columns, `create ${asset.table} for ${asset.name}`);
    args.log(`created table ${asset.table}`);
  }

  // Compare with what the table holds for these keys, so unchanged rows are not rewritten.
  let toWrite = staged;
  let unchanged = 0;
  let updatedKeys = 0;
  if (asset.mergeStrategy === 'merge' && staged.length) {
    const key = asset.uniqueKey[0];
    const start = dayStart(partition);
    const keys = staged.map((r) => sqlString(String(r[key])));
    const existing = arrowToRows(await lake.query(
      `select * from ${asset.table} where "${key}" in (${keys.join(', ')}) or ("${asset.partitionColumn}" >= epoch_ms(${start}) and "${asset.partitionColumn}" < epoch_ms(${start + 86_400_000}))`,
      ref,
    ));
    const have = new Map(existing.map((r) => [String(r[key]), comparable(r)]));
    toWrite = staged.filter((r) => {
      const old = have.get(String(r[key]));
      if (old === undefined) return true;
      if (old === comparable(r)) { unchanged++; return false; }
      updatedKeys++;
      return true;
    });
  }

  let snapshotId: string | null = null;
  let inserted = 0;
  let updated = 0;
  if (toWrite.length) {
    const data = rowsToArrow(schema.columns, toWrite);
    const message = `${asset.name}: partition ${partition} (run ${runId})`;
    if (asset.mergeStrategy === 'merge') {
      const w = await lake.merge(ref, asset.table, data, asset.uniqueKey, message);
      snapshotId = w.snapshotId;
      inserted = toWrite.length - updatedKeys;
      updated = updatedKeys;
    } else {
      const w = await lake.merge(ref, asset.table, data, ['_dlt_id'], message);
      snapshotId = w.snapshotId;
      inserted = toWrite.length;
    }
  }
  await lake.storage.delete(stagingFile);

  const touched = [...new Set(toWrite.map((r) => dayOf(Number(r[asset.partitionColumn]))))].sort();
  args.log(
    snapshotId
      ? `merged into ${asset.table}: ${inserted} inserted, ${updated} updated, ${unchanged} unchanged; snapshot ${snapshotId}`
      : `nothing new: all ${unchanged} rows already in ${asset.table}, no snapshot written`,
    { rows_inserted: inserted, rows_updated: updated, rows_unchanged: unchanged, snapshot_id: snapshotId },
  );
  return {
    asset: asset.name, table: asset.table, partition,
    rowsFetched: fetched.records.length, duplicatesSkipped, rowsInserted: inserted, rowsUpdated: updated, rowsUnchanged: unchanged,
    snapshotId, stagingFile, stagingBytes: bytes.length, partitionsTouched: touched, sourceStats: fetched.stats ?? {}, validation,
  };
}

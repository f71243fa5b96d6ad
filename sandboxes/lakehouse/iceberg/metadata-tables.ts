/**
 * Metadata tables, as engines expose them (`SELECT * FROM t.snapshots` in Spark/Trino):
 * snapshots, history, manifests, files, entries, refs, partitions. Rows are plain objects
 * (ids as bigint, times as epoch ms), ready to print or to turn into Arrow.
 */
import type { TableContext } from './scan.ts';
import { manifestEntries, snapshotManifests, resolveSnapshot, allFieldsSchema } from './scan.ts';
import { partitionType } from './manifest.ts';
import { specById } from './metadata.ts';
import { fromBytes, formatValue, type Value } from './values.ts';
import { EntryStatus, type DataFile } from './types.ts';
import { IcebergError } from './errors.ts';

export const METADATA_TABLES = ['snapshots', 'history', 'manifests', 'files', 'entries', 'refs', 'partitions'] as const;
export type MetadataTableName = (typeof METADATA_TABLES)[number];

function isAncestor(ctx: TableContext, id: bigint): boolean {
  let cur = ctx.metadata['current-snapshot-id'];
  // Bounded: a parent chain is never longer than the snapshot list (parseMetadata refuses loops).
  for (let steps = 0; cur !== null && cur !== undefined && steps <= ctx.metadata.snapshots.length; steps++) {
    if (cur === id) return true;
    cur = ctx.metadata.snapshots.find((s) => s['snapshot-id'] === cur)?.['parent-snapshot-id'] ?? null;
  }
  return false;
}

function readableBounds(ctx: TableContext, m: Map<number, Uint8Array> | null): Record<string, string> | null {
  if (!m) return null;
  const fields = allFieldsSchema(ctx.metadata).fields;
  const out: Record<string, string> = {};
  for (const [id, b] of m) {
    const f = fields.find((x) => x.id === id);
    if (f && typeof f.type === 'string') out[f.name] = formatValue(f.type, fromBytes(f.type, b));
  }
  return out;
}

function fileRow(ctx: TableContext, f: DataFile, specId: number): Record<string, unknown> {
  const spec = specById(ctx.metadata, specId);
  const ptypes = partitionType(spec, allFieldsSchema(ctx.metadata));
  const partition: Record<string, string> = {};
  for (const p of ptypes) partition[p.name] = formatValue(p.type, (f.partition[p.name] ?? null) as Value);
  const counts = (m: Map<number, bigint> | null) => (m ? Object.fromEntries([...m].map(([k, v]) => [k, v])) : null);
  return {
    content: f.content,
    file_path: f.filePath,
    file_format: f.fileFormat,
    spec_id: specId,
    partition,
    record_count: f.recordCount,
    file_size_in_bytes: f.fileSizeInBytes,
    value_counts: counts(f.valueCounts),
    null_value_counts: counts(f.nullValueCounts),
    lower_bounds: readableBounds(ctx, f.lowerBounds),
    upper_bounds: readableBounds(ctx, f.upperBounds),
    equality_ids: f.equalityIds,
  };
}

export async function metadataTable(ctx: TableContext, name: MetadataTableName, sel: { snapshotId?: bigint } = {}): Promise<Record<string, unknown>[]> {
  const m = ctx.metadata;
  switch (name) {
    case 'snapshots':
      return m.snapshots.map((s) => ({
        committed_at: s['timestamp-ms'],
        snapshot_id: s['snapshot-id'],
        parent_id: s['parent-snapshot-id'] ?? null,
        operation: s.summary.operation,
        manifest_list: s['manifest-list'] ?? null,
        summary: { ...s.summary },
      }));
    case 'history':
      return m['snapshot-log'].map((e) => ({
        made_current_at: e['timestamp-ms'],
        snapshot_id: e['snapshot-id'],
        parent_id: m.snapshots.find((s) => s['snapshot-id'] === e['snapshot-id'])?.['parent-snapshot-id'] ?? null,
        is_current_ancestor: isAncestor(ctx, e['snapshot-id']),
      }));
    case 'refs':
      return Object.entries(m.refs).map(([n, r]) => ({
        name: n,
        type: r.type.toUpperCase(),
        snapshot_id: r['snapshot-id'],
        max_reference_age_in_ms: r['max-ref-age-ms'] ?? null,
        min_snapshots_to_keep: r['min-snapshots-to-keep'] ?? null,
        max_snapshot_age_in_ms: r['max-snapshot-age-ms'] ?? null,
      }));
  }
  const snap = resolveSnapshot(ctx, sel.snapshotId !== undefined ? { snapshotId: sel.snapshotId } : {});
  if (!snap) return [];
  const manifests = await snapshotManifests(ctx, snap);
  if (name === 'manifests') {
    return manifests.map((mf) => ({
      content: mf.content,
      path: mf.manifestPath,
      length: mf.manifestLength,
      partition_spec_id: mf.partitionSpecId,
      added_snapshot_id: mf.addedSnapshotId,
      added_data_files_count: mf.addedFilesCount,
      existing_data_files_count: mf.existingFilesCount,
      deleted_data_files_count: mf.deletedFilesCount,
      added_rows_count: mf.addedRowsCount,
      existing_rows_count: mf.existingRowsCount,
      deleted_rows_count: mf.deletedRowsCount,
      sequence_number: mf.sequenceNumber,
    }));
  }
  const rows: Record<string, unknown>[] = [];
  const partitions = new Map<string, Record<string, unknown>>();
  for (const mf of manifests) {
    const { specId, entries } = await manifestEntries(ctx, mf, snap);
    for (const e of entries) {
      if (name === 'entries') {
        rows.push({ status: e.status, snapshot_id: e.snapshotId, sequence_number: e.sequenceNumber, file_sequence_number: e.fileSequenceNumber, data_file: fileRow(ctx, e.dataFile, specId) });
        continue;
      }
      if (e.status === EntryStatus.DELETED) continue;
      const row = fileRow(ctx, e.dataFile, specId);
      if (name === 'files') { rows.push(row); continue; }
      const key = JSON.stringify([specId, row.partition]);
      let p = partitions.get(key);
      if (!p) {
        p = { partition: row.partition, spec_id: specId, record_count: 0n, file_count: 0, total_data_file_size_in_bytes: 0n, position_delete_record_count: 0n, position_delete_file_count: 0, equality_delete_record_count: 0n, equality_delete_file_count: 0, last_updated_at: null, last_updated_snapshot_id: null };
        partitions.set(key, p);
      }
      const f = e.dataFile;
      if (f.content === 0) { p.record_count = (p.record_count as bigint) + f.recordCount; p.file_count = (p.file_count as number) + 1; p.total_data_file_size_in_bytes = (p.total_data_file_size_in_bytes as bigint) + f.fileSizeInBytes; }
      else if (f.content === 1) { p.position_delete_record_count = (p.position_delete_record_count as bigint) + f.recordCount; p.position_delete_file_count = (p.position_delete_file_count as number) + 1; }
      else { p.equality_delete_record_count = (p.equality_delete_record_count as bigint) + f.recordCount; p.equality_delete_file_count = (p.equality_delete_file_count as number) + 1; }
      const s = m.snapshots.find((x) => x['snapshot-id'] === e.snapshotId);
      if (s && (p.last_updated_at === null || s['timestamp-ms'] > (p.last_updated_at as number))) { p.last_updated_at = s['timestamp-ms']; p.last_updated_snapshot_id = s['snapshot-id']; }
    }
  }
  if (name === 'partitions') return [...partitions.values()];
  if (name === 'files' || name === 'entries') return rows;
  throw new IcebergError(`Unknown metadata table "${name as string}"; choose one of ${METADATA_TABLES.join(', ')}.`);
}

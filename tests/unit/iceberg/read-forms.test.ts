/**
 * Forms the spec allows that our fixtures do not all show: v1 metadata with the deprecated
 * `schema` / `partition-spec` fields and snapshots that list manifests directly, files
 * without Parquet field ids (name mapping), gzip metadata.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as arrow from 'apache-arrow';
import { MemoryStorage } from '../../../sandboxes/lakehouse/storage/index.ts';
import { createTable, loadTable, rowsToArrow, arrowToRows, deterministicIds, readManifestList, eq } from '../../../sandboxes/lakehouse/iceberg/index.ts';
import { projectFile } from '../../../sandboxes/lakehouse/iceberg/scan.ts';

async function written() {
  const storage = new MemoryStorage();
  let clock = Date.UTC(2024, 2, 1);
  const t = await createTable(null, storage, 'wh/v1', {
    now: () => (clock += 1000), ids: deterministicIds('v1'),
    schema: [{ name: 'id', type: 'long', required: true }, { name: 'city', type: 'string' }],
    partitionSpec: [{ source: 'city', transform: 'identity' }],
  });
  const snap = (await t.append(rowsToArrow([{ id: 1, city: 'Oslo' }, { id: 2, city: 'Rome' }, { id: 3, city: 'Oslo' }], t.schema())))!;
  return { storage, t, snap };
}

test('v1 metadata in its deprecated forms, with manifests listed on the snapshot', async () => {
  const { storage, t, snap } = await written();
  const manifests = await readManifestList(await storage.read(t.resolve(snap['manifest-list']!)), 'list');
  const v1 = {
    'format-version': 1,
    location: t.metadata.location,
    'last-updated-ms': 1709251200000,
    'last-column-id': 2,
    schema: { type: 'struct', fields: t.schema().fields },
    'partition-spec': [{ name: 'city', transform: 'identity', 'source-id': 2 }],
    properties: {},
    'current-snapshot-id': snap['snapshot-id'].toString(),
    snapshots: [{ 'snapshot-id': snap['snapshot-id'].toString(), 'timestamp-ms': 1709251200000, manifests: manifests.map((m) => m.manifestPath) }],
  };
  // Snapshot ids are 64-bit: write them as bare JSON integers.
  const text = JSON.stringify(v1).replace(/"(\d{12,})"/g, '$1');
  await storage.write('wh/v1/metadata/v9.metadata.json', new TextEncoder().encode(text));
  const old = await loadTable(storage, 'wh/v1', { metadataFile: 'v9.metadata.json' });
  assert.equal(old.metadata['format-version'], 1);
  assert.equal(old.metadata['last-sequence-number'], 0);
  assert.deepEqual(old.spec().fields.map((f) => f['field-id']), [1000], 'v1 partition field ids start at 1000');
  assert.equal(old.metadata.refs.main['snapshot-id'], snap['snapshot-id'], 'main is implied by current-snapshot-id');
  const rows = arrowToRows((await old.scan()).table, old.schema()).map((r) => Number(r.id)).sort();
  assert.deepEqual(rows, [1, 2, 3]);
  const pruned = await old.scan({ filter: eq('city', 'Rome') });
  assert.equal(pruned.table.numRows, 1);
  assert.equal(pruned.plan.skippedFiles.length, 1);

  // current-snapshot-id -1 means "no snapshot".
  await storage.write('wh/v1/metadata/v10.metadata.json', new TextEncoder().encode(text.replace(/"current-snapshot-id":\d+/, '"current-snapshot-id":-1')));
  const empty = await loadTable(storage, 'wh/v1', { metadataFile: 'v10.metadata.json' });
  assert.equal(empty.currentSnapshot(), null);
  assert.equal((await empty.scan()).table.numRows, 0);
});

test('gzip-compressed metadata reads like plain JSON', async () => {
  const { storage, t } = await written();
  const json = await storage.read(t.metadataLocation);
  const gz = new Uint8Array(await new Response(new Blob([json as BlobPart]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer());
  await storage.write('wh/v1/metadata/v7.gz.metadata.json', gz);
  const again = await loadTable(storage, 'wh/v1', { metadataFile: 'v7.gz.metadata.json' });
  assert.equal((await again.scan()).table.numRows, 3);
});

test('files without Parquet field ids are read through schema.name-mapping.default; identity partition values fill missing columns', async () => {
  const { t } = await written();
  const ctx = {
    ...t,
    storage: t.storage, tableDir: t.tableDir, name: t.name, resolve: t.resolve, metadataLocation: t.metadataLocation,
    metadata: { ...t.metadata, properties: { 'schema.name-mapping.default': JSON.stringify([{ 'field-id': 1, names: ['ID', 'id'] }, { 'field-id': 2, names: ['town'] }]) } },
  };
  // A file from an engine that wrote no field ids and used other column names.
  const noIds = new arrow.Table({ ID: arrow.vectorFromArray([7n, 8n], new arrow.Int64()), town: arrow.vectorFromArray(['Bergen', null], new arrow.Utf8()) });
  const projected = projectFile(noIds, t.schema().fields, ctx, { file: { partition: {} } as never, specId: 0 });
  assert.deepEqual(arrowToRows(projected, t.schema()), [{ id: 7n, city: 'Bergen' }, { id: 8n, city: null }]);
  // The partition column is absent from the file: its value comes from the manifest.
  const idsOnly = new arrow.Table({ ID: arrow.vectorFromArray([9n], new arrow.Int64()) });
  const filled = projectFile(idsOnly, t.schema().fields, ctx, { file: { partition: { city: 'Oslo' } } as never, specId: 0 });
  assert.deepEqual(arrowToRows(filled, t.schema()), [{ id: 9n, city: 'Oslo' }]);
});

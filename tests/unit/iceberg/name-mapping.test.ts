/**
 * Name mapping as the Iceberg spec defines it (Column Projection; Name Mapping Serialization),
 * built from the spec rather than from one table's output: a table whose data file carries no
 * Parquet field ids (as Hive imports, DuckDB or pandas write them), read under metadata variants
 * whose `schema.name-mapping.default` maps every column, lacks one, is empty, maps a dropped
 * field, or maps a re-added field under its new id.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as arrow from 'apache-arrow';
import { MemoryStorage } from '../../../sandboxes/lakehouse/storage/index.ts';
import { createTable, loadTable, rowsToArrow, arrowToRows, deterministicIds, writeParquet, readParquet, serializeMetadata, IcebergError, FIELD_ID_KEY, eq, type Table, type TableMetadata } from '../../../sandboxes/lakehouse/iceberg/index.ts';

const MAPPING = 'schema.name-mapping.default';

/**
 * A table `id long, city string, score int` (ids 1, 2, 3) with one data file, whose bytes are
 * then replaced by a Parquet file with the same rows and no field ids at all.
 */
async function tableWithoutFieldIds(columns: Record<string, arrow.Vector>, properties: Record<string, string> = {}) {
  const storage = new MemoryStorage();
  let clock = Date.UTC(2024, 2, 1);
  const t = await createTable(null, storage, 'wh/imported', {
    now: () => (clock += 1000), ids: deterministicIds('name-mapping'), properties,
    schema: [{ name: 'id', type: 'long' }, { name: 'city', type: 'string' }, { name: 'score', type: 'int' }],
  });
  // The same rows as every replacement file below, so the manifest's column bounds stay true.
  await t.append(rowsToArrow([{ id: 1, city: 'Oslo', score: 10 }, { id: 2, city: 'Rome', score: 20 }], t.schema()));
  const [file] = (await t.plan()).tasks;
  const noIds = new arrow.Table(columns);
  const bytes = await writeParquet(noIds);
  // The premise of every test below: the file really has no field ids.
  assert.ok((await readParquet(bytes)).schema.fields.every((f) => f.metadata.get(FIELD_ID_KEY) === undefined));
  await storage.delete(file.path);
  await storage.write(file.path, bytes);
  return { storage, t };
}

const importedColumns = () => ({
  id: arrow.vectorFromArray([1n, 2n], new arrow.Int64()),
  city: arrow.vectorFromArray(['Oslo', 'Rome'], new arrow.Utf8()),
  score: arrow.vectorFromArray([10, 20], new arrow.Int32()),
});

/** Load the table through a new metadata file that is `t`'s metadata changed by `change`. */
async function variant(storage: MemoryStorage, t: Table, name: string, change: (m: TableMetadata) => TableMetadata): Promise<Table> {
  const m = change(structuredClone(t.metadata));
  await storage.write(`wh/imported/metadata/${name}.metadata.json`, new TextEncoder().encode(serializeMetadata(m)));
  return loadTable(storage, 'wh/imported', { metadataFile: `${name}.metadata.json` });
}

const withMapping = (mapping: unknown) => (m: TableMetadata) => ({ ...m, properties: { ...m.properties, [MAPPING]: JSON.stringify(mapping) } });

async function rows(t: Table, opts = {}) {
  return arrowToRows((await t.scan(opts)).table, t.schema());
}

test('a file without field ids is read through the mapping, which may give a column another name', async () => {
  const { storage, t } = await tableWithoutFieldIds({
    ID: arrow.vectorFromArray([1n, 2n], new arrow.Int64()),
    town: arrow.vectorFromArray(['Oslo', 'Rome'], new arrow.Utf8()),
    score: arrow.vectorFromArray([10, 20], new arrow.Int32()),
  });
  const mapped = await variant(storage, t, 'full', withMapping([{ 'field-id': 1, names: ['id', 'ID'] }, { 'field-id': 2, names: ['city', 'town'] }, { 'field-id': 3, names: ['score'] }]));
  assert.deepEqual(await rows(mapped), [{ id: 1n, city: 'Oslo', score: 10 }, { id: 2n, city: 'Rome', score: 20 }]);
  // Filters bind to the mapped columns too.
  assert.deepEqual(await rows(mapped, { filter: eq('city', 'Rome') }), [{ id: 2n, city: 'Rome', score: 20 }]);
});

test('a column whose name the mapping does not list has no id and is not read, even when its name matches the schema', async () => {
  const { storage, t } = await tableWithoutFieldIds(importedColumns());
  const partial = await variant(storage, t, 'partial', withMapping([{ 'field-id': 1, names: ['id'] }, { 'field-id': 3, names: ['score'] }]));
  assert.deepEqual(await rows(partial), [{ id: 1n, city: null, score: 10 }, { id: 2n, city: null, score: 20 }]);
  // An entry without a field-id maps nothing either.
  const noId = await variant(storage, t, 'no-id', withMapping([{ 'field-id': 1, names: ['id'] }, { names: ['city'] }, { 'field-id': 3, names: ['score'] }]));
  assert.deepEqual((await rows(noId)).map((r) => r.city), [null, null]);
});

test('an empty mapping maps nothing: every field reads as null', async () => {
  const { storage, t } = await tableWithoutFieldIds(importedColumns());
  const empty = await variant(storage, t, 'empty', withMapping([]));
  assert.deepEqual(await rows(empty), [{ id: null, city: null, score: null }, { id: null, city: null, score: null }]);
});

test('without any mapping a file without field ids resolves no column (null in all other cases)', async () => {
  const { t } = await tableWithoutFieldIds(importedColumns());
  assert.deepEqual(await rows(t), [{ id: null, city: null, score: null }, { id: null, city: null, score: null }]);
});

test('an unmapped column falls back to its initial-default, not to a same-named file column', async () => {
  const { storage, t } = await tableWithoutFieldIds({ ...importedColumns(), note: arrow.vectorFromArray(['from the file', 'from the file'], new arrow.Utf8()) });
  await t.updateSchema().addColumn('note', 'string', { initialDefault: 'default' }).commit();
  const mapped = await variant(storage, t, 'default', withMapping([{ 'field-id': 1, names: ['id'] }, { 'field-id': 2, names: ['city'] }, { 'field-id': 3, names: ['score'] }]));
  assert.deepEqual((await rows(mapped)).map((r) => r.note), ['default', 'default']);
});

test('a field id the mapping assigns that the schema being read no longer has is ignored; a re-added field does not pick up the old column', async () => {
  const { storage, t } = await tableWithoutFieldIds(importedColumns());
  const mapping = [{ 'field-id': 1, names: ['id'] }, { 'field-id': 2, names: ['city'] }, { 'field-id': 3, names: ['score'] }];
  await t.updateSchema().dropColumn('score').commit();
  const dropped = await variant(storage, t, 'dropped', withMapping(mapping));
  assert.deepEqual(await rows(dropped), [{ id: 1n, city: 'Oslo' }, { id: 2n, city: 'Rome' }]);

  await t.updateSchema().addColumn('score', 'int').commit();
  const newId = t.schema().fields.find((f) => f.name === 'score')!.id;
  assert.notEqual(newId, 3, 'a re-added column gets a new id');
  // The mapping still says score -> 3: the new field (another id) stays null.
  const readded = await variant(storage, t, 'readded', withMapping(mapping));
  assert.deepEqual((await rows(readded)).map((r) => r.score), [null, null]);
  // A mapping that maps the name to the new id reads the column for the new field.
  const remapped = await variant(storage, t, 'remapped', withMapping([...mapping.slice(0, 2), { 'field-id': newId, names: ['score'] }]));
  assert.deepEqual((await rows(remapped)).map((r) => r.score), [10, 20]);
  // Time travel to the snapshot written before the drop reads its own schema: id 3 is there.
  const first = t.metadata.snapshots[0]['snapshot-id'];
  const old = await variant(storage, t, 'old', withMapping(mapping));
  const before = await old.scan({ snapshotId: first });
  assert.deepEqual(arrowToRows(before.table, before.plan.schema).map((r) => r.score), [10, 20]);
});

test('files with field ids ignore the mapping entirely', async () => {
  const storage = new MemoryStorage();
  const t = await createTable(null, storage, 'wh/ids', {
    ids: deterministicIds('ids'), properties: { [MAPPING]: JSON.stringify([{ 'field-id': 2, names: ['id'] }, { 'field-id': 1, names: ['city'] }]) },
    schema: [{ name: 'id', type: 'long' }, { name: 'city', type: 'string' }],
  });
  await t.append(rowsToArrow([{ id: 1, city: 'Oslo' }], t.schema()));
  assert.deepEqual(arrowToRows((await t.scan()).table, t.schema()), [{ id: 1n, city: 'Oslo' }]);
});

test('a malformed mapping fails with an error naming the property, not a silent fallback to names', async () => {
  const { storage, t } = await tableWithoutFieldIds(importedColumns());
  for (const [name, raw] of [['not-json', '[{"names":'], ['not-list', '{"names":["id"],"field-id":1}'], ['bad-names', '[{"names":"id","field-id":1}]'], ['bad-id', '[{"names":["id"],"field-id":"1"}]']]) {
    const bad = await variant(storage, t, name, (m) => ({ ...m, properties: { ...m.properties, [MAPPING]: raw } }));
    await assert.rejects(bad.scan(), (err: Error) => err instanceof IcebergError && err.message.includes(MAPPING), name);
  }
});

test('equality delete files without field ids: keys come from the mapping; a key the file cannot supply fails rather than deleting null keys', async () => {
  const { readdir, readFile } = await import('node:fs/promises');
  const path = await import('node:path');
  const { fixturesRoot } = await import('../iceberg-fixtures.ts');
  const dir = 'apache+impala/testdata/data/iceberg_test/hadoop_catalog/ice/iceberg_v2_delete_equality';
  const storage = new MemoryStorage();
  for (const f of await readdir(path.join(fixturesRoot, dir), { recursive: true, withFileTypes: true })) {
    if (!f.isFile()) continue;
    const full = path.join(f.parentPath, f.name);
    await storage.write(path.relative(fixturesRoot, full), await readFile(full));
  }
  const t = await loadTable(storage, dir);
  const expected = arrowToRows((await t.scan()).table, t.schema());
  assert.deepEqual(expected.map((r) => [Number(r.id), r.data]).sort(), [[1, 'test_1_base'], [2, 'test_2_updated']]);
  // Strip the field ids from every equality delete file (same columns, same rows).
  const plan = await t.plan();
  const deletes = new Set(plan.tasks.flatMap((task) => task.deletes.filter((d) => d.file.content === 2).map((d) => t.resolve(d.file.filePath))));
  assert.ok(deletes.size > 0);
  for (const p of deletes) {
    const withIds = await readParquet(await storage.read(p));
    const stripped = new arrow.Table(Object.fromEntries(withIds.schema.fields.map((f, i) => [f.name, withIds.getChildAt(i)!])));
    await storage.delete(p);
    await storage.write(p, await writeParquet(stripped));
  }
  const unmapped = await loadTable(storage, dir);
  await assert.rejects(unmapped.scan(), (err: Error) => err instanceof IcebergError && /equality field id/.test(err.message) && err.message.includes(MAPPING));
  const ids = t.schema().fields.map((f) => ({ 'field-id': f.id, names: [f.name] }));
  const m = { ...unmapped.metadata, properties: { ...unmapped.metadata.properties, [MAPPING]: JSON.stringify(ids) } };
  await storage.write(`${dir}/metadata/v99.metadata.json`, new TextEncoder().encode(serializeMetadata(m)));
  const mapped = await loadTable(storage, dir, { metadataFile: 'v99.metadata.json' });
  assert.deepEqual(arrowToRows((await mapped.scan()).table, mapped.schema()), expected);
});

test('not supported: a nested column in a file without field ids is refused by name, not matched by position', async () => {
  const storage = new MemoryStorage();
  const t = await createTable(null, storage, 'wh/nested', {
    ids: deterministicIds('nested'), properties: { [MAPPING]: JSON.stringify([{ 'field-id': 1, names: ['id'] }, { 'field-id': 2, names: ['loc'], fields: [{ 'field-id': 3, names: ['lat'] }] }]) },
    schema: [{ name: 'id', type: 'long' }, { name: 'loc', type: { type: 'struct', fields: [{ id: 0, name: 'lat', type: 'double', required: false }] } as never }],
  });
  await t.append(rowsToArrow([{ id: 1 }], { ...t.schema(), fields: t.schema().fields.slice(0, 1) }));
  const [file] = (await t.plan()).tasks;
  const noIds = new arrow.Table({
    id: arrow.vectorFromArray([1n], new arrow.Int64()),
    loc: arrow.vectorFromArray([{ lat: 1.5 }], new arrow.Struct([new arrow.Field('lat', new arrow.Float64(), true)])),
  });
  await storage.delete(file!.path);
  await storage.write(file!.path, await writeParquet(noIds));
  await assert.rejects(t.scan(), (e: Error) => e instanceof IcebergError && /name mapping of nested fields/.test(e.message));
  // Reading only the flat column works.
  const flat = await t.scan({ columns: ['id'] });
  assert.deepEqual(arrowToRows(flat.table, { ...t.schema(), fields: t.schema().fields.slice(0, 1) }), [{ id: 1n }]);
});

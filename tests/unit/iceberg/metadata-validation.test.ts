/**
 * Hostile table metadata (issue 13, items 1 and 2): a metadata file whose snapshot pointers
 * dangle, or whose fields have the wrong type, must stop reads and writes with an error that
 * names the file, the field and what was expected. Before, a dangling `current-snapshot-id`
 * read as an empty table and the next write committed a parentless snapshot that replaced
 * main's data; wrong types gave raw JavaScript errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage } from '../../../sandboxes/lakehouse/storage/index.ts';
import { createTable, loadTable, rowsToArrow, arrowToRows, deterministicIds, IcebergError, parseMetadata } from '../../../sandboxes/lakehouse/iceberg/index.ts';
import { MetadataValidationError } from '../../../sandboxes/lakehouse/iceberg/metadata-schema.ts';

const schema = [
  { name: 'id', type: 'long' as const, required: true },
  { name: 'mgdl', type: 'int' as const },
];

/** A table with two appends in memory; returns the storage and its current metadata path. */
async function twoSnapshots() {
  const storage = new MemoryStorage();
  let clock = Date.UTC(2024, 0, 10);
  const t = await createTable(null, storage, 'wh/t', { now: () => (clock += 60_000), ids: deterministicIds('v'), schema });
  await t.append(rowsToArrow([{ id: 1, mgdl: 90 }, { id: 2, mgdl: 95 }], t.schema()));
  await t.append(rowsToArrow([{ id: 3, mgdl: 100 }], t.schema()));
  return { storage, location: t.metadataLocation, text: t.metadataJson(), t };
}

/** Replace the current metadata file's JSON in place (memory storage: files are a Map). */
function tamper(storage: MemoryStorage, location: string, edit: (raw: Record<string, unknown>) => void) {
  const raw = JSON.parse(new TextDecoder().decode(storage.files.get(location)!));
  edit(raw);
  storage.files.set(location, new TextEncoder().encode(JSON.stringify(raw)));
}

const namesFileAnd = (file: string, ...parts: (string | RegExp)[]) => (err: unknown) => {
  assert.ok(err instanceof IcebergError, `expected an IcebergError, got ${(err as Error)?.name}: ${(err as Error)?.message}`);
  assert.ok(err.message.includes(file), `message names the file: ${err.message}`);
  for (const p of parts) assert.match(err.message, typeof p === 'string' ? new RegExp(p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : p);
  return true;
};

test('a current-snapshot-id that names no snapshot fails reads and writes, naming the file and the id', async () => {
  const { storage, location } = await twoSnapshots();
  tamper(storage, location, (raw) => { raw['current-snapshot-id'] = 4242; delete raw.refs; });
  await assert.rejects(async () => { const t = await loadTable(storage, 'wh/t'); await t.scan(); }, namesFileAnd(location, 'current-snapshot-id', '4242'));
  // The write must not start from a state it could not read: nothing is committed.
  const before = [...storage.files.keys()].length;
  await assert.rejects(async () => {
    const t = await loadTable(storage, 'wh/t');
    await t.append(rowsToArrow([{ id: 9, mgdl: 1 }], t.schema()));
  }, namesFileAnd(location, '4242'));
  assert.equal([...storage.files.keys()].length, before, 'no file was written by the refused write');
});

test('a ref whose snapshot-id names no snapshot fails, naming the ref, file and id', async () => {
  const { storage, location } = await twoSnapshots();
  tamper(storage, location, (raw) => { (raw.refs as Record<string, { 'snapshot-id': number }>).audit = { 'snapshot-id': 777, type: 'tag' } as never; });
  await assert.rejects(loadTable(storage, 'wh/t'), namesFileAnd(location, 'refs.audit', '777'));
  tamper(storage, location, (raw) => { delete (raw.refs as Record<string, unknown>).audit; (raw.refs as Record<string, { 'snapshot-id': number }>).main['snapshot-id'] = 555; });
  await assert.rejects(loadTable(storage, 'wh/t'), namesFileAnd(location, 'refs.main', '555'));
});

test('a v2 snapshot without a manifest-list fails instead of reading as empty', async () => {
  const { storage, location } = await twoSnapshots();
  tamper(storage, location, (raw) => { delete (raw.snapshots as Record<string, unknown>[])[1]['manifest-list']; });
  await assert.rejects(async () => { const t = await loadTable(storage, 'wh/t'); await t.scan(); }, namesFileAnd(location, 'manifest-list'));
});

test('the untouched table still reads all its rows (the checks refuse nothing valid)', async () => {
  const { storage } = await twoSnapshots();
  const t = await loadTable(storage, 'wh/t');
  const { table } = await t.scan();
  assert.deepEqual(arrowToRows(table, t.schema()).map((r) => Number(r.id)).sort(), [1, 2, 3]);
});

const wrongTypes: [string, (raw: Record<string, unknown>) => void, RegExp][] = [
  ['snapshots: {}', (r) => { r.snapshots = {}; }, /snapshots: expected an array/],
  ['schemas: "abc"', (r) => { r.schemas = 'abc'; }, /schemas: expected an array/],
  ['a snapshot id that is not an integer', (r) => { (r.snapshots as Record<string, unknown>[])[0]['snapshot-id'] = 1.5; }, /snapshots\[0\]\.snapshot-id: expected a 64-bit integer/],
  ['a snapshot id given as text', (r) => { (r.snapshots as Record<string, unknown>[])[0]['snapshot-id'] = 'abc'; }, /snapshots\[0\]\.snapshot-id: expected a 64-bit integer.*, got the string "abc"/],
  ['refs.main: null', (r) => { (r.refs as Record<string, unknown>).main = null; }, /refs\.main: expected an object/],
  ['a numeric manifest-list', (r) => { (r.snapshots as Record<string, unknown>[])[0]['manifest-list'] = 12; }, /snapshots\[0\]\.manifest-list: expected a string/],
  ['a bad timestamp-ms', (r) => { (r.snapshots as Record<string, unknown>[])[1]['timestamp-ms'] = 'yesterday'; }, /snapshots\[1\]\.timestamp-ms: expected .*milliseconds/],
  ['current-snapshot-id as text', (r) => { r['current-snapshot-id'] = '12'; }, /current-snapshot-id: expected a 64-bit integer/],
  ['partition-specs: 7', (r) => { r['partition-specs'] = 7; }, /partition-specs: expected an array/],
  ['a schema field without a name', (r) => { delete ((r.schemas as { fields: Record<string, unknown>[] }[])[0].fields[0]).name; }, /schemas\[0\]\.fields\[0\]\.name: expected a string, got nothing/],
];

for (const [what, edit, expected] of wrongTypes) {
  test(`wrong type in metadata (${what}) gives one message naming file, field and expected type`, async () => {
    const { storage, location } = await twoSnapshots();
    tamper(storage, location, edit);
    await assert.rejects(async () => { const t = await loadTable(storage, 'wh/t'); await t.scan(); }, (err: unknown) => {
      assert.ok(err instanceof MetadataValidationError, `a MetadataValidationError, got ${(err as Error)?.name}: ${(err as Error)?.message}`);
      assert.ok(err.message.includes(location), err.message);
      assert.match(err.message, expected);
      return true;
    });
  });
}

test('an out-of-range snapshot id and several problems at once: one line per problem', () => {
  const raw = {
    'format-version': 2, location: 'wh/t', 'current-snapshot-id': -1,
    schemas: [{ 'schema-id': 0, type: 'struct', fields: [] }],
    snapshots: [{ 'snapshot-id': '9223372036854775808', 'timestamp-ms': -5, 'manifest-list': 3 }],
  };
  // 2^63 is one past the largest long.
  const text = JSON.stringify(raw).replace('"9223372036854775808"', '9223372036854775808');
  assert.throws(() => parseMetadata(text, 'f.metadata.json'), (err: unknown) => {
    assert.ok(err instanceof MetadataValidationError);
    assert.equal(err.problems.length, 3, err.message);
    assert.match(err.message, /snapshots\[0\]\.snapshot-id: expected a 64-bit integer.*9223372036854775808/);
    assert.match(err.message, /snapshots\[0\]\.timestamp-ms/);
    assert.match(err.message, /snapshots\[0\]\.manifest-list: expected a string, got the number 3/);
    assert.equal(err.file, 'f.metadata.json');
    return true;
  });
});

test('v1 metadata (a single schema and partition-spec, manifests listed inline) still parses', () => {
  const v1 = {
    'format-version': 1, location: 's3://b/t', 'last-updated-ms': 1, 'last-column-id': 1,
    schema: { type: 'struct', fields: [{ id: 1, name: 'a', required: false, type: 'int' }] },
    'partition-spec': [], 'current-snapshot-id': 5,
    snapshots: [{ 'snapshot-id': 5, 'timestamp-ms': 1, manifests: ['s3://b/t/metadata/m.avro'] }],
  };
  const m = parseMetadata(JSON.stringify(v1), 'v1.json');
  assert.equal(m['current-snapshot-id'], 5n);
  assert.equal(m.refs.main['snapshot-id'], 5n);
});

test('metadata that dangles in memory (not read from a file) still stops scans and writes', async () => {
  const { storage, t } = await twoSnapshots();
  const before = storage.files.size;
  t.metadata = { ...t.metadata, 'current-snapshot-id': 31337n, refs: {} };
  await assert.rejects(t.scan(), namesFileAnd(t.metadataLocation, '31337'));
  await assert.rejects(t.append(rowsToArrow([{ id: 9, mgdl: 1 }], t.schema())), namesFileAnd(t.metadataLocation, '31337'));
  assert.equal(storage.files.size, before, 'the refused write left no file behind');
});

test('snapshot parents that loop are refused (walking the history would never end)', async () => {
  const { storage, location } = await twoSnapshots();
  tamper(storage, location, (raw) => {
    const snaps = raw.snapshots as Record<string, unknown>[];
    snaps[0]['parent-snapshot-id'] = snaps[1]['snapshot-id'];
  });
  await assert.rejects(loadTable(storage, 'wh/t'), namesFileAnd(location, /snapshots\[0\]\.parent-snapshot-id: the parents of snapshot \d+ loop back to it/));
});

/**
 * Rules of the Iceberg table spec checked from the spec's own numbers, for the rows of the
 * conformance table (sandboxes/lakehouse/CONFORMANCE.md) that no fixture or writer test
 * covers: the bucket hash test vectors of Appendix B, truncate widths, time transforms before
 * 1970, void; and the rules the miniature does not support, each of which must fail with a
 * message naming the rule instead of answering wrongly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage } from '../../../sandboxes/lakehouse/storage/index.ts';
import { createTable, loadTable, rowsToArrow, deterministicIds, serializeMetadata, IcebergError, gt } from '../../../sandboxes/lakehouse/iceberg/index.ts';
import { applyTransform } from '../../../sandboxes/lakehouse/iceberg/transforms.ts';
import { readTask } from '../../../sandboxes/lakehouse/iceberg/scan.ts';
import { fromJsonSingleValue } from '../../../sandboxes/lakehouse/iceberg/json-single-value.ts';
import type { IcebergType } from '../../../sandboxes/lakehouse/iceberg/types.ts';

const v = (type: IcebergType, json: unknown) => fromJsonSingleValue(type, json);

test('bucket[N] hashes the spec\'s test values (Appendix B) to the spec\'s Murmur3 results', () => {
  const N = 2147483647;
  const cases: [IcebergType, unknown, number][] = [
    ['int', 34, 2017239379],
    ['long', 34, 2017239379],
    ['decimal(4,2)', '14.20', -500754589],
    ['date', '2017-11-16', -653330422],
    ['time', '22:31:08.000000', -662762989],
    ['timestamp', '2017-11-16T22:31:08.000000', -2047944441],
    ['timestamptz', '2017-11-16T14:31:08-08:00', -2047944441],
    ['string', 'iceberg', 1210000089],
    ['uuid', 'f79c3e09-677c-4bbd-a479-3f349cb785e7', 1488055340],
    ['fixed[4]', '00010203', -188683207],
    ['binary', '00010203', -188683207],
  ];
  for (const [type, json, hash] of cases) {
    assert.equal(applyTransform(`bucket[${N}]`, type, v(type, json)), (hash & 0x7fffffff) % N, `${type} ${String(json)}`);
  }
  assert.equal(applyTransform('bucket[16]', 'string', null), null, 'null maps to null');
});

test('truncate[W] floors toward negative infinity; strings by code points, binary by bytes', () => {
  assert.equal(applyTransform('truncate[10]', 'int', 1), 0);
  assert.equal(applyTransform('truncate[10]', 'int', -1), -10);
  assert.equal(applyTransform('truncate[10]', 'long', -1n), -10n);
  assert.equal(applyTransform('truncate[50]', 'decimal(9,2)', v('decimal(9,2)', '10.65')), v('decimal(9,2)', '10.50'));
  assert.equal(applyTransform('truncate[3]', 'string', 'iceberg'), 'ice');
  assert.equal(applyTransform('truncate[2]', 'string', '❄😀x'), '❄😀', 'code points, not UTF-16 units');
  assert.deepEqual(applyTransform('truncate[2]', 'binary', new Uint8Array([1, 2, 3])), new Uint8Array([1, 2]));
});

test('year, month, day and hour count from 1970 with floor division, so values before 1970 are negative', () => {
  const ts = v('timestamp', '1969-12-31T23:59:59.999999');
  assert.deepEqual(['year', 'month', 'day', 'hour'].map((t) => applyTransform(t, 'timestamp', ts)), [-1, -1, -1, -1]);
  const date = v('date', '1969-12-31');
  assert.deepEqual(['year', 'month', 'day'].map((t) => applyTransform(t, 'date', date)), [-1, -1, -1]);
  // Impala's fixture: 1969-01-01 01:15 -> hour -8759.
  assert.equal(applyTransform('hour', 'timestamp', v('timestamp', '1969-01-01T01:15:00')), -8759);
  assert.equal(applyTransform('month', 'timestamptz', v('timestamptz', '2017-11-16T22:31:08+00:00')), 47 * 12 + 10);
  assert.equal(applyTransform('void', 'string', 'anything'), null);
});

test('bounds written before a type promotion decode by their length: int bounds still prune a long column', async () => {
  const t = await createTable(null, new MemoryStorage(), 'wh/p', { ids: deterministicIds('promotion'), schema: [{ name: 'n', type: 'int' }, { name: 'x', type: 'float' }] });
  await t.append(rowsToArrow(Array.from({ length: 10 }, (_, i) => ({ n: i + 1, x: i + 0.5 })), t.schema()));
  await t.updateSchema().widen('n', 'long').widen('x', 'double').commit();
  assert.equal((await t.scan({ filter: gt('n', 5) })).table.numRows, 5);
  const none = await t.scan({ filter: gt('n', 100) });
  assert.equal(none.table.numRows, 0);
  assert.equal(none.plan.skippedFiles.length, 1, 'the 4-byte upper bound (10) read as a long prunes the file');
  assert.equal((await t.scan({ filter: gt('x', 100) })).plan.skippedFiles.length, 1, 'a 4-byte float bound read as a double');
  assert.equal((await t.scan({ filter: gt('x', 5) })).table.numRows, 5);
});

async function small() {
  const storage = new MemoryStorage();
  const t = await createTable(null, storage, 'wh/t', { ids: deterministicIds('conformance'), now: () => Date.UTC(2024, 0, 1), schema: [{ name: 'id', type: 'long' }] });
  await t.append(rowsToArrow([{ id: 1 }], t.schema()));
  return { storage, t };
}

test('not supported: format version 3 (row lineage, deletion vectors, v3 types) is refused by name', async () => {
  const { storage, t } = await small();
  const v3 = serializeMetadata(t.metadata).replace(/"format-version": 2/, '"format-version": 3');
  await storage.write('wh/t/metadata/v99.metadata.json', new TextEncoder().encode(v3));
  await assert.rejects(loadTable(storage, 'wh/t', { metadataFile: 'v99.metadata.json' }), (e: Error) => e instanceof IcebergError && /format-version 3/.test(e.message));
});

test('not supported: data and delete files other than Parquet are refused by name', async () => {
  const { t } = await small();
  const [task] = (await t.plan()).tasks;
  const orc = { ...task!, file: { ...task!.file, fileFormat: 'ORC' } };
  await assert.rejects(readTask(t, orc, t.schema()), (e: Error) => e instanceof IcebergError && /is ORC; this reader handles Parquet files only/.test(e.message));
});

test('not supported: per-ref snapshot retention; expiry refuses rather than dropping snapshots a branch keeps', async () => {
  const { storage, t } = await small();
  await t.append(rowsToArrow([{ id: 2 }], t.schema()));
  const m = structuredClone(t.metadata);
  m.refs.audit = { 'snapshot-id': m.snapshots[1]!['snapshot-id'], type: 'branch', 'min-snapshots-to-keep': 2 };
  await storage.write('wh/t/metadata/v50.metadata.json', new TextEncoder().encode(serializeMetadata(m)));
  const withRetention = await loadTable(storage, 'wh/t', { metadataFile: 'v50.metadata.json' });
  await assert.rejects(withRetention.expireSnapshots({ olderThanMs: Date.UTC(2030, 0, 1) }), (e: Error) => e instanceof IcebergError && /Snapshot Retention Policy/.test(e.message) && /"audit"/.test(e.message));
  assert.equal(withRetention.metadata.snapshots.length, 2, 'nothing expired');
});

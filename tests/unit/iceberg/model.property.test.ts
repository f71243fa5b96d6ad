/**
 * Property: after any sequence of appends, overwrites, merges, deletes, schema changes and
 * racing writers, the table equals a simple in-memory model, and time travel to every
 * earlier snapshot returns exactly the rows that snapshot held.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MemoryStorage } from '../../../sandboxes/lakehouse/storage/index.ts';
import { createTable, loadTable, rowsToArrow, arrowToRows, deterministicIds, CommitConflictError, and, gte, lt, type Table, type Snapshot } from '../../../sandboxes/lakehouse/iceberg/index.ts';

type Row = Record<string, unknown>;
const rowArb = fc.record({ id: fc.integer({ min: 0, max: 15 }), v: fc.option(fc.integer({ min: -3, max: 3 }), { nil: null }) });
const rowsArb = fc.array(rowArb, { minLength: 1, maxLength: 6 });
const rangeArb = fc.tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 1, max: 6 })).map(([a, w]) => [a, a + w] as const);

const opArb = fc.oneof(
  fc.record({ kind: fc.constant('append' as const), rows: rowsArb }),
  fc.record({ kind: fc.constant('merge' as const), rows: rowsArb }),
  fc.record({ kind: fc.constant('delete' as const), range: rangeArb }),
  fc.record({ kind: fc.constant('overwrite' as const), range: rangeArb, rows: rowsArb }),
  fc.record({ kind: fc.constant('addColumn' as const) }),
  fc.record({ kind: fc.constant('rename' as const) }),
  fc.record({ kind: fc.constant('race' as const), a: rowsArb, b: rowsArb }),
);

const canon = (rows: Row[]) => rows.map((r) => JSON.stringify(Object.keys(r).sort().map((k) => [k, r[k]]))).sort();

function fromTable(rows: Record<string, unknown>[]): Row[] {
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
}

test('random write sequences match an in-memory model, and every snapshot time-travels exactly', async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 7 }), async (ops) => {
      run++;
      const storage = new MemoryStorage();
      let clock = Date.UTC(2024, 0, 1);
      const now = () => (clock += 1000);
      const t: Table = await createTable(null, storage, 'wh/m', {
        now, ids: deterministicIds(`run${run}`),
        schema: [{ name: 'id', type: 'long', required: true }, { name: 'v', type: 'int' }],
        partitionSpec: [{ source: 'id', transform: 'truncate[4]' }],
      });
      let model: Row[] = [];
      let cols = ['id', 'v'];
      let extra = 0;
      const history: { snap: Snapshot; rows: Row[] }[] = [];
      const shape = (rows: { id: number; v: number | null }[]) => rows.map((r) => {
        const o: Row = {};
        for (const c of cols) o[c] = c === 'id' ? r.id : c === cols[1] ? r.v : null;
        return o;
      });
      const record = (snap: Snapshot | null) => { if (snap && !history.some((h) => h.snap['snapshot-id'] === snap['snapshot-id'])) history.push({ snap, rows: model.map((r) => ({ ...r })) }); };
      const inRange = (r: Row, [a, b]: readonly [number, number]) => (r.id as number) >= a && (r.id as number) < b;

      for (const op of ops) {
        if (op.kind === 'append') {
          const rows = shape(op.rows);
          const snap = await t.append(rowsToArrow(rows, t.schema()));
          model.push(...rows);
          record(snap);
        } else if (op.kind === 'delete') {
          const snap = await t.delete(and(gte('id', op.range[0]), lt('id', op.range[1])));
          model = model.filter((r) => !inRange(r, op.range));
          record(snap);
        } else if (op.kind === 'overwrite') {
          const rows = shape(op.rows);
          const snap = await t.overwrite(and(gte('id', op.range[0]), lt('id', op.range[1])), rowsToArrow(rows, t.schema()));
          model = model.filter((r) => !inRange(r, op.range)).concat(rows);
          record(snap);
        } else if (op.kind === 'merge') {
          const rows = shape(op.rows);
          const last = new Map<number, Row>();
          for (const r of rows) last.set(r.id as number, r);
          const res = await t.merge(rowsToArrow(rows, t.schema()), { key: 'id' });
          let inserted = 0, updated = 0, unchanged = 0;
          for (const [id, r] of last) {
            const existing = model.filter((m) => m.id === id);
            if (existing.length === 0) { inserted++; model.push(r); }
            else if (existing.length === 1 && JSON.stringify(existing[0]) === JSON.stringify(r)) unchanged++;
            else { updated++; model = model.filter((m) => m.id !== id).concat([r]); }
          }
          assert.deepEqual([res.inserted, res.updated, res.unchanged], [inserted, updated, unchanged]);
          record(res.snapshot);
        } else if (op.kind === 'addColumn') {
          const name = `c${++extra}`;
          await t.updateSchema().addColumn(name, 'string').commit();
          cols = [...cols, name];
          model = model.map((r) => ({ ...r, [name]: null }));
        } else if (op.kind === 'rename') {
          const from = cols[1], to = `${from}_r`;
          await t.updateSchema().renameColumn(from, to).commit();
          cols = cols.map((c) => (c === from ? to : c));
          model = model.map((r) => { const { [from]: v, ...rest } = r; return { ...rest, [to]: v }; });
        } else {
          // Two writers start from the same base; the second one conflicts, retries, and both land.
          const other = await loadTable(storage, 'wh/m', { now, ids: deterministicIds(`run${run}-other${history.length}`) });
          const a = shape(op.a), b = shape(op.b);
          const first = await t.append(rowsToArrow(a, t.schema()));
          model.push(...a);
          record(first);
          await assert.rejects(other.append(rowsToArrow(b, other.schema())), CommitConflictError);
          const snap = await other.withRetry((w) => w.append(rowsToArrow(b, w.schema())));
          model.push(...b);
          record(snap);
          await t.refresh();
        }
        const current = fromTable(arrowToRows((await t.scan()).table, t.schema()));
        assert.deepEqual(canon(current), canon(model), `after ${op.kind}`);
      }
      const reloaded = await loadTable(storage, 'wh/m');
      for (const h of history) {
        const at = await reloaded.scan({ snapshotId: h.snap['snapshot-id'] });
        const schema = reloaded.schemaFor(h.snap);
        assert.deepEqual(canon(fromTable(arrowToRows(at.table, schema))), canon(h.rows), `time travel to ${h.snap['snapshot-id']}`);
        assert.equal(Number(h.snap.summary['total-records']), h.rows.length, 'summary total-records');
      }
    }),
    { numRuns: 30, seed: 20241124, endOnFailure: true },
  );
});

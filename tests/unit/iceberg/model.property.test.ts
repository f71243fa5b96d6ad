/**
 * Property: after any sequence of appends, overwrites, merges, deletes, schema changes,
 * snapshot expiry and racing writers, the table equals a simple in-memory model, and time
 * travel to every remaining earlier snapshot returns exactly the rows that snapshot held.
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

const writeArb = fc.oneof(
  fc.record({ kind: fc.constant('append' as const), rows: rowsArb }),
  fc.record({ kind: fc.constant('merge' as const), rows: rowsArb }),
  fc.record({ kind: fc.constant('delete' as const), range: rangeArb }),
  fc.record({ kind: fc.constant('overwrite' as const), range: rangeArb, rows: rowsArb }),
);
type WriteOp = typeof writeArb extends fc.Arbitrary<infer T> ? T : never;

const opArb = fc.oneof(
  { arbitrary: writeArb, weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant('addColumn' as const) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('rename' as const) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('expire' as const), keep: fc.integer({ min: 1, max: 3 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('race' as const), first: writeArb, second: writeArb }), weight: 2 },
);

const canon = (rows: Row[]) => rows.map((r) => JSON.stringify(Object.keys(r).sort().map((k) => [k, r[k]]))).sort();
const plain = (rows: Record<string, unknown>[]): Row[] => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));

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
        // Merge manifests early so random sequences exercise it too.
        // Half the runs delete and merge merge-on-read (position delete files), half copy-on-write.
        properties: { 'commit.manifest.min-count-to-merge': '3', 'write.delete.mode': run % 2 ? 'merge-on-read' : 'copy-on-write', 'write.merge.mode': run % 2 ? 'merge-on-read' : 'copy-on-write' },
      });
      let model: Row[] = [];
      let cols = ['id', 'v'];
      let extra = 0;
      let history: { snap: Snapshot; rows: Row[] }[] = [];
      const shape = (rows: { id: number; v: number | null }[]) => rows.map((r) => {
        const o: Row = {};
        for (const c of cols) o[c] = c === 'id' ? r.id : c === cols[1] ? r.v : null;
        return o;
      });
      const record = (snap: Snapshot | null) => { if (snap && !history.some((h) => h.snap['snapshot-id'] === snap['snapshot-id'])) history.push({ snap, rows: model.map((r) => ({ ...r })) }); };
      const inRange = (r: Row, [a, b]: readonly [number, number]) => (r.id as number) >= a && (r.id as number) < b;

      /** Apply a write to the table and to the model; returns the new snapshot (if any). */
      const write = async (table: Table, op: WriteOp, checkCounts = true): Promise<Snapshot | null> => {
        if (op.kind === 'append') {
          const rows = shape(op.rows);
          const snap = await table.append(rowsToArrow(rows, table.schema()));
          model.push(...rows);
          return snap;
        }
        if (op.kind === 'delete') {
          const snap = await table.delete(and(gte('id', op.range[0]), lt('id', op.range[1])));
          model = model.filter((r) => !inRange(r, op.range));
          return snap;
        }
        if (op.kind === 'overwrite') {
          const rows = shape(op.rows);
          const snap = await table.overwrite(and(gte('id', op.range[0]), lt('id', op.range[1])), rowsToArrow(rows, table.schema()));
          model = model.filter((r) => !inRange(r, op.range)).concat(rows);
          return snap;
        }
        const rows = shape(op.rows);
        const last = new Map<number, Row>();
        for (const r of rows) last.set(r.id as number, r);
        const res = await table.merge(rowsToArrow(rows, table.schema()), { key: 'id' });
        let inserted = 0, updated = 0, unchanged = 0;
        for (const [id, r] of last) {
          const existing = model.filter((m) => m.id === id);
          if (existing.length === 0) { inserted++; model.push(r); }
          else if (existing.length === 1 && canon([existing[0]])[0] === canon([r])[0]) unchanged++;
          else { updated++; model = model.filter((m) => m.id !== id).concat([r]); }
        }
        if (checkCounts) assert.deepEqual([res.inserted, res.updated, res.unchanged], [inserted, updated, unchanged], 'merge counts');
        return res.snapshot;
      };

      for (const op of ops) {
        if (op.kind === 'addColumn') {
          const name = `c${++extra}`;
          await t.updateSchema().addColumn(name, 'string').commit();
          cols = [...cols, name];
          model = model.map((r) => ({ ...r, [name]: null }));
        } else if (op.kind === 'rename') {
          const from = cols[1], to = `${from}_r`;
          await t.updateSchema().renameColumn(from, to).commit();
          cols = cols.map((c) => (c === from ? to : c));
          model = model.map((r) => { const { [from]: v, ...rest } = r; return { ...rest, [to]: v }; });
        } else if (op.kind === 'expire') {
          const res = await t.expireSnapshots({ olderThanMs: clock + 1, retainLast: op.keep });
          const gone = new Set(res.expiredSnapshots.map(String));
          history = history.filter((h) => !gone.has(String(h.snap['snapshot-id'])));
          assert.ok(t.snapshots().length <= op.keep);
        } else if (op.kind === 'race') {
          // Two writers read the same base. The first commits; the second conflicts, then
          // withRetry re-applies its change on top, and both changes survive.
          const other = await loadTable(storage, 'wh/m', { now, ids: deterministicIds(`run${run}-other${clock}`) });
          record(await write(t, op.first));
          const before = model;
          const baseLocation = other.metadataLocation;
          const outcome = await write(other, op.second, false).then((snap) => ({ snap }), (error: unknown) => ({ error }));
          if ('error' in outcome) {
            // Only a first change that committed something can make the second one stale.
            assert.ok(outcome.error instanceof CommitConflictError, `expected a conflict, got ${String(outcome.error)}`);
            model = before;
            record(await other.withRetry((w) => write(w, op.second)));
          } else if (other.metadataLocation === baseLocation) {
            // Nothing to change as seen from the stale base (a delete or merge that found no
            // work): no commit, so the table keeps the first writer's state.
            model = before;
          } else {
            record(outcome.snap);
          }
          await t.refresh();
        } else {
          record(await write(t, op));
        }
        const current = plain(arrowToRows((await t.scan()).table, t.schema()));
        assert.deepEqual(canon(current), canon(model), `after ${op.kind}`);
      }
      const reloaded = await loadTable(storage, 'wh/m');
      for (const h of history) {
        const at = await reloaded.scan({ snapshotId: h.snap['snapshot-id'] });
        assert.deepEqual(canon(plain(arrowToRows(at.table, reloaded.schemaFor(h.snap)))), canon(h.rows), `time travel to ${h.snap['snapshot-id']}`);
        // Iceberg's total-records counts data-file rows; position deletes are not subtracted.
        if (run % 2 === 0) assert.equal(Number(h.snap.summary['total-records']), h.rows.length, 'summary total-records');
      }
      // Expiry never removed a file a remaining snapshot needs: every planned file exists.
      for (const s of reloaded.snapshots()) for (const task of (await reloaded.plan({ snapshotId: s['snapshot-id'] })).tasks) assert.ok(await storage.exists(task.path), `${task.path} is gone`);
    }),
    { numRuns: 30, seed: 20241124, endOnFailure: true },
  );
});

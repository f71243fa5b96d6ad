/**
 * Random sequences of commits, branch creations and merges against a simple model of what
 * each branch must hold. The model does not re-implement merge bases; it checks what must
 * be true whatever the base: a merge changes nothing or takes, per key, either side's
 * value; a fast-forward makes the target equal the source; a conflict leaves the target as
 * it was and names only keys where the two sides differ.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MemoryStorage } from '../../../sandboxes/lakehouse/storage/memory.ts';
import { openCatalog } from '../../../sandboxes/lakehouse/catalog/catalog.ts';
import { MergeConflictError } from '../../../sandboxes/lakehouse/catalog/errors.ts';

const BRANCHES = ['main', 'b1', 'b2', 'b3'];
const KEYS = ['ns.a', 'ns.b', 'ns.c'];

type Op =
  | { kind: 'put'; branch: number; key: number; value: number }
  | { kind: 'delete'; branch: number; key: number }
  | { kind: 'branch'; name: number; from: number }
  | { kind: 'merge'; from: number; into: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('put' as const), branch: fc.nat(3), key: fc.nat(2), value: fc.nat(5) }),
  fc.record({ kind: fc.constant('delete' as const), branch: fc.nat(3), key: fc.nat(2) }),
  fc.record({ kind: fc.constant('branch' as const), name: fc.integer({ min: 1, max: 3 }), from: fc.nat(3) }),
  fc.record({ kind: fc.constant('merge' as const), from: fc.nat(3), into: fc.nat(3) }),
);

function plain(tree: Record<string, { metadataLocation: string }>): Record<string, string> {
  return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, v.metadataLocation]).sort());
}

test('catalog branches behave like the model under random commits, branches and merges', async () => {
  const seen: Record<string, number> = { 'fast-forward': 0, 'merge-commit': 0, 'up-to-date': 0, conflict: 0 };
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), async (ops) => {
      let t = 0;
      const c = await openCatalog(new MemoryStorage(), { clock: () => new Date(Date.UTC(2026, 0, 1) + (t += 1000)) });
      const model = new Map<string, Record<string, string>>([['main', {}]]);
      const logLength = new Map<string, number>([['main', 1]]);
      // Two branches exist from the start; the third is created by the random ops.
      for (const name of ['b1', 'b2']) {
        await c.createReference(name, 'BRANCH', 'main');
        model.set(name, {});
        logLength.set(name, 1);
      }
      for (const o of ops) {
        if (o.kind === 'put' || o.kind === 'delete') {
          const branch = BRANCHES[o.branch]!;
          const tree = model.get(branch);
          if (!tree) continue;
          const key = KEYS[o.key]!;
          if (o.kind === 'delete') {
            if (!(key in tree)) {
              await assert.rejects(c.commit(branch, [{ type: 'DELETE', key }], { message: 'd' }));
              continue;
            }
            await c.commit(branch, [{ type: 'DELETE', key }], { message: 'd' });
            delete tree[key];
          } else {
            const location = `${key}/v${o.value}`;
            await c.commit(branch, [{ type: 'PUT', key, metadataLocation: location }], { message: 'p' });
            tree[key] = location;
          }
          logLength.set(branch, logLength.get(branch)! + 1);
        } else if (o.kind === 'branch') {
          const name = BRANCHES[o.name]!;
          const from = BRANCHES[o.from]!;
          if (model.has(name) || !model.has(from)) continue;
          await c.createReference(name, 'BRANCH', from);
          model.set(name, { ...model.get(from)! });
          logLength.set(name, logLength.get(from)!);
        } else {
          const from = BRANCHES[o.from]!;
          const into = BRANCHES[o.into]!;
          if (from === into || !model.has(from) || !model.has(into)) continue;
          const source = model.get(from)!;
          const target = model.get(into)!;
          try {
            const r = await c.merge(from, into);
            const after = plain(await c.entries(into));
            if (r.kind === 'up-to-date') assert.deepEqual(after, plain(await c.entries(into)));
            if (r.kind === 'fast-forward') assert.deepEqual(after, Object.fromEntries(Object.entries(source).sort()));
            for (const key of KEYS) {
              assert.ok(after[key] === source[key] || after[key] === target[key], `${key} after merge is one side's value`);
            }
            model.set(into, { ...after });
            seen[r.kind]!++;
            logLength.set(into, (await c.log(into)).length);
          } catch (error) {
            assert.ok(error instanceof MergeConflictError, String(error));
            seen.conflict!++;
            for (const key of error.keys) assert.notEqual(source[key], target[key], `conflict on ${key} where both sides agree`);
            assert.deepEqual(plain(await c.entries(into)), Object.fromEntries(Object.entries(target).sort()));
          }
        }
        for (const [branch, tree] of model) {
          assert.deepEqual(plain(await c.entries(branch)), Object.fromEntries(Object.entries(tree).sort()), `entries of ${branch}`);
          assert.equal((await c.log(branch)).length, logLength.get(branch), `log length of ${branch}`);
        }
      }
    }),
    { numRuns: 300, seed: 20260101 },
  );
  // The runs must have exercised every kind of merge outcome.
  assert.ok(Object.values(seen).every((n) => n > 0), `every merge outcome must occur in the random runs: ${JSON.stringify(seen)}`);
});

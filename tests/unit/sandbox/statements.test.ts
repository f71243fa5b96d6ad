import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSingleReadQuery } from '../../../src/sandbox/ui/statements.ts';

test('a single reading statement may run again for Download CSV; several statements or writes may not', () => {
  for (const q of [
    'select * from range(5000000)',
    '  -- the big one\nSELECT * FROM raw.glucose_entries;',
    "with x as (select ';' as s) select * from x; -- done",
    'FROM raw.glucose_entries',
    '/* a; b */ (select 1) union all (select 2)',
    'values (1), (2);  ',
  ]) {
    assert.equal(isSingleReadQuery(q), true, q);
  }
  for (const q of [
    'create table t as select 1; select * from t',
    'select 1; select 2',
    'insert into t values (1)',
    'SET threads = 1',
    "select 'a'; drop table x",
    '',
  ]) {
    assert.equal(isSingleReadQuery(q), false, q);
  }
});

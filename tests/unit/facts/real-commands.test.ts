/**
 * Every real-stack command the site shows runs at the pinned Phlo commit as written: the
 * "Run it for real" panels and the shell blocks of content/ are checked against tests/facts/
 * (the phlo command tree, the root Makefile, the two stacks). A failure names file:line and the
 * reason. The checker itself is tested on planted bad commands, so a check that cannot fail
 * would show here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkScript, loadFacts, type Context } from './check-command.ts';
import { collectRealCommands, shellBlocks } from './registry.ts';
import { sections } from '../../../src/sandbox/sections/index.ts';

const facts = loadFacts();
const example: Context = { stack: 'example', facts };
const root: Context = { stack: 'root', facts };
const reasons = (script: string, ctx = example) => checkScript(script, ctx).map((p) => p.reason);

test('phlo commands: a missing argument, an unknown option, a flag with a value and a bad choice are named', () => {
  assert.deepEqual(reasons('phlo materialize --select "dlt_glucose_entries+" --partition 2025-01-15'), ['phlo materialize: missing argument ASSET_NAME']);
  assert.deepEqual(reasons('phlo contract check glucose_readings --pr 12'), ['unknown option --pr for phlo contract check']);
  assert.deepEqual(reasons('phlo materialize dlt_glucose_entries --dry-run=yes'), ['phlo materialize: --dry-run is a flag and takes no value']);
  assert.deepEqual(reasons('phlo services start --profile metrics'), ['phlo services start: --profile metrics is not one of observability, api, all']);
  assert.deepEqual(reasons('phlo servces start'), [`phlo: no command "servces" at the pinned commit (commands: ${Object.keys(facts.cli.commands ?? {}).join(', ')})`]);
  assert.deepEqual(reasons('phlo lineage'), ['phlo lineage: needs a command (show, export, impact, status)']);
  assert.deepEqual(reasons('phlo logs --follow extra'), ['phlo logs: unexpected extra argument "extra"']);
});

test('phlo commands: short options, --name=value and repeated options are read as click reads them', () => {
  assert.deepEqual(reasons('phlo materialize dlt_glucose_entries -p 2025-01-15'), []);
  assert.deepEqual(reasons('phlo materialize dlt_glucose_entries --partition=2025-01-15'), []);
  assert.deepEqual(reasons('phlo services logs dagster-webserver -f -n 50'), []);
  assert.deepEqual(reasons('phlo services start --profile observability --profile api'), []);
  assert.deepEqual(reasons('phlo services stop -v'), []);
  assert.deepEqual(reasons('phlo materialize dlt_glucose_entries -x'), ['unknown option -x for phlo materialize']);
  assert.deepEqual(reasons('uv run phlo --help'), []);
});

test('broken-at-the-pin commands and miniature-only commands fail in a real-stack block', () => {
  assert.match(reasons('phlo branch list')[0], /phlo branch list: fails at the pinned commit: phlo branch needs pynessie/);
  assert.match(reasons('phlo catalog history raw.glucose_entries')[0], /fails at the pinned commit/);
  assert.match(reasons('tick 2025-01-02')[0], /browser miniature's terminal/);
  assert.match(reasons('phlo materialize dlt_glucose_entries --as-of 2025-01-02')[0], /--as-of is an option of the browser miniature/);
  assert.match(reasons('phlo materialize dlt_glucose_entries --select "kind:dbt"')[0], /miniature's selection/);
  assert.match(reasons('materialize --partition 2025-01-02')[0], /browser miniature's terminal/);
});

test('asset keys, dbt models, containers, services, ports and Trino tables must exist in the stack the block uses', () => {
  assert.deepEqual(reasons('phlo materialize dlt_glucose_entries --select "dlt_glucose_entries+"'), []);
  assert.deepEqual(reasons('phlo materialize dlt_glucose_entries --select "fct_glucose_readings*"'), []);
  assert.deepEqual(reasons('phlo materialize glucose_entries'), ['phlo materialize: no asset "glucose_entries" in the example project (phlo services start in examples/glucose-platform)']);
  assert.match(reasons('phlo materialize dlt_glucose_entries', root)[0], /no asset "dlt_glucose_entries" in the root stack/);
  assert.match(reasons('docker exec -it dagster-web dagster --help')[0], /no container "dagster-web" in the example project/);
  assert.deepEqual(reasons('docker exec -it dagster-web dagster --help', root), []);
  assert.match(reasons('curl -s http://localhost:10003/api/v2/config')[0], /publishes port 10003/);
  assert.deepEqual(reasons('curl -s http://localhost:19120/api/v2/config'), []);
  assert.match(reasons('docker compose -f .phlo/docker-compose.yml logs -f dagster-web')[0], /no service "dagster-web"/);
  assert.match(reasons('docker compose logs -f dagster-webserver')[0], /needs -p glucose-platform -f \.phlo\/docker-compose\.yml/);
  assert.deepEqual(reasons('docker exec -it glucose-platform-trino-1 trino --catalog iceberg --schema raw --execute "SELECT count(*) FROM glucose_entries"'), []);
  assert.match(reasons('docker exec -it glucose-platform-trino-1 trino --execute "SELECT * FROM iceberg.raw.glucose_readings"')[0], /no table raw\.glucose_readings/);
  assert.match(reasons('docker exec -it trino trino --execute "SELECT * FROM iceberg.raw.glucose_entries"', root)[0], /no table raw\.glucose_entries in the root stack/);
  assert.deepEqual(reasons(`docker exec -it glucose-platform-trino-1 trino --execute "WITH d AS (SELECT extract(hour FROM reading_timestamp) AS h FROM iceberg.silver.fct_glucose_readings) SELECT h, count(*) FROM d GROUP BY 1"`), []);
  assert.match(reasons('dbt test --select stg_glucose_entries.unique:entry_id')[0], /not a valid dbt selector/);
  assert.deepEqual(reasons('dbt test --select "stg_glucose_entries,test_name:unique"'), []);
  assert.match(reasons('dbt run --select fct_glucose_reading')[0], /no model or declared test "fct_glucose_reading"/);
  // A test by the name dbt generates for a declared test is selectable; an undeclared one is not.
  assert.deepEqual(reasons('dbt test --select unique_stg_glucose_entries_entry_id'), []);
  assert.match(reasons('dbt test --select unique_stg_glucose_entries_glucose_mg_dl')[0], /no model or declared test/);
});

test('make targets: unknown and failing targets are named, and make belongs to the root stack', () => {
  assert.deepEqual(reasons('make up && make health', root), []);
  assert.match(reasons('make up-query', root)[0], /make up-query: fails at the pinned commit: names service nessie-setup/);
  assert.match(reasons('make setup', root)[0], /make setup: fails/);
  assert.match(reasons('make launch', root)[0], /no such target/);
  assert.match(reasons('make dagster', root)[0], /macOS only/);
  assert.match(reasons('make up')[0], /root stack's Makefile/);
});

test('a fence says its stack; sandbox blocks are listed but not checked', () => {
  const mdx = ['# t', '```bash stack="root"', 'make up', '```', '', '```bash sandbox', 'tick 2025-01-02', '```', '   ```bash', '   phlo services start', '   ```', '```bash stack="prod"', 'ls', '```'].join('\n');
  const blocks = shellBlocks('x.mdx', mdx);
  assert.deepEqual(blocks.map((b) => [b.line, b.stack, b.sandbox, b.text]), [
    [3, 'root', false, 'make up'],
    [7, 'example', true, 'tick 2025-01-02'],
    [10, 'example', false, 'phlo services start'],
    [13, 'example', false, 'ls'],
  ]);
  assert.match(blocks[3].metaError ?? '', /unknown stack="prod"/);
});

test('a planted bad command in a code block fails with its file and line', () => {
  const mdx = ['intro', '', '```bash', '# ingest one day', 'phlo materialize --partition 2025-01-15', '```'].join('\n');
  const [block] = shellBlocks('content/parts/99-planted.mdx', mdx);
  const found = checkScript(block.text, example).map((p) => `${block.file}:${block.line + p.line}: ${p.reason}`);
  assert.deepEqual(found, ['content/parts/99-planted.mdx:5: phlo materialize: missing argument ASSET_NAME']);
});

test('every section says which stack its "run it for real" commands use, and its URLs are on that stack', () => {
  for (const s of Object.values(sections)) {
    const stack = facts.stacks[s.runForReal.stack];
    assert.ok(stack, `${s.id}: runForReal.stack must be "root" or "example"`);
    const ports = new Set(Object.values(stack.services).flatMap((x) => x.ports));
    for (const u of s.runForReal.urls ?? []) {
      const m = /^https?:\/\/localhost:(\d+)/.exec(u.url);
      if (m) assert.ok(ports.has(Number(m[1])), `${s.id}: URL ${u.url} is not published by ${stack.label}`);
    }
  }
});

test('every real-stack command the site shows runs at the pinned commit', () => {
  const failures: string[] = [];
  const all = collectRealCommands();
  assert.ok(all.filter((c) => c.origin === 'runForReal').length >= 40, 'the registry reads the section configs');
  assert.ok(all.filter((c) => c.origin === 'code block').length >= 30, 'the registry reads the shell blocks of content/');
  for (const c of all) {
    if (c.metaError) failures.push(`${c.file}:${c.line}: ${c.metaError}`);
    if (c.sandbox) continue;
    for (const p of checkScript(c.text, { stack: c.stack, facts })) failures.push(`${c.file}:${c.line + p.line}: ${p.reason}`);
  }
  assert.deepEqual(failures, [], `\n${failures.join('\n')}\n`);
});

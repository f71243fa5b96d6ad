/**
 * `npm run warehouse`: the deterministic warehouse the site ships (public/warehouse).
 *
 * It replays a short history of the glucose platform on a fixed clock with fixed ids, so
 * that building twice gives identical bytes, and tags the catalog at named checkpoints that
 * the hands-on sections start from (checkpoints.json lists them):
 *
 *   part-02-start         nothing yet: the catalog exists, main holds no table (Part 2's first run)
 *   part-02-first-ingest  one day, 2025-01-01, through every layer
 *   part-03-snapshots     six more daily runs: one snapshot per day per table
 *   part-05-ingestion     a re-run of 2025-01-03 merges its late readings; a re-run of 2025-01-07 changes nothing
 *   part-07-backfill      a single backfill run for 2025-01-08 .. 2025-01-20
 *   part-09-quality       2025-01-21 stopped at validation (impossible values), 2025-01-22
 *                         stopped by the range check (a failing sensor): main keeps neither
 *   part-04-branches      a `dev` branch, and an audited run for 2025-01-23 .. 2025-01-25
 *                         left unmerged on its run branch (an audit in progress)
 *   part-13-plugins       the example GitHub plugin module's assets run for 2025-01-01
 *   part-04-nessie        Part 4's start: part-04-branches' commit with only the refs a reader
 *                         of Parts 1-4 knows (main, dev, the run branches); written last, as a
 *                         tag at that older commit, so every earlier checkpoint keeps its bytes
 *
 * Run logs of every run are in pipeline/runs/, and _index.json lists every file for the
 * read-only HTTP storage.
 */
import { rm, mkdir, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { NodeFsStorage } from '../../lakehouse/storage/node-fs.ts';
import { writeHttpIndex } from '../../lakehouse/storage/http.ts';
import type { Storage } from '../../lakehouse/storage/storage.ts';
import { createNodeEngine } from '../../lakehouse/sql/duckdb-node.ts';
import { openLakehouse } from '../lakehouse/open.ts';
import { readProjectFiles, GLUCOSE_PROJECT_DIR } from '../transform/load-dir.ts';
import { glucoseDefinitions } from '../orchestrate/definitions.ts';
import { Pipeline } from '../orchestrate/pipeline.ts';
import type { RunRecord } from '../orchestrate/runlog.ts';
import { hashString } from '../util/prng.ts';
import { addDays, dayRange } from '../util/dates.ts';
import { readFileSync } from 'node:fs';
import { createDefaultRegistry } from '../plugins/builtin.ts';
import { createPluginApi, resolvePluginModule, applyPluginModules } from '../plugins/api.ts';
import * as githubModule from '../plugins/examples/github-module.ts';

export interface Checkpoint {
  name: string;
  /** The catalog tag that holds the state. */
  tag: string;
  description: string;
  commit: string;
  /** Tables on the tag and their current snapshot ids. */
  tables: Record<string, string | null>;
  /** Runs made up to this checkpoint. */
  runs: string[];
  /**
   * With `exclusive`, the refs (besides main) that exist in this state: whoever applies the
   * checkpoint deletes every other branch and tag, so a section shows only refs its reader
   * has met (no tags of later parts, no branches of later runs).
   */
  refs?: { name: string; type: 'BRANCH' | 'TAG'; hash: string }[];
  exclusive?: boolean;
}

export interface BuildResult { checkpoints: Checkpoint[]; runs: RunRecord[]; files: number }

const BAD_DAYS = { '2025-01-21': 'impossible', '2025-01-22': 'sensor-fault' } as const;

export async function buildWarehouse(outDir: string | Storage, options: { seed?: string; log?: (line: string) => void } = {}): Promise<BuildResult> {
  const seed = options.seed ?? 'phlo';
  const log = options.log ?? (() => {});
  let storage: Storage;
  if (typeof outDir === 'string') {
    const dir = resolve(outDir);
    if (existsSync(dir)) {
      const entries = await readdir(dir);
      if (entries.length && !entries.includes('catalog') && !entries.includes('checkpoints.json')) {
        throw new Error(`${dir} is not empty and does not look like a warehouse; refusing to delete it. Pick an empty or new --out directory.`);
      }
      await rm(dir, { recursive: true, force: true });
    }
    await mkdir(dir, { recursive: true });
    storage = new NodeFsStorage(dir);
  } else storage = outDir;

  // A fixed clock that moves only when the story says so, and ids that follow from the seed.
  let now = Date.parse('2025-01-02T06:00:00Z');
  let tick = 0;
  let runs = 0;
  const lake = await openLakehouse({ storage, engine: await createNodeEngine(), clock: () => now, idSeed: `${seed}-warehouse`, author: 'phlo-pipeline' });
  const pipeline = new Pipeline({
    lake,
    definitions: glucoseDefinitions({ project: readProjectFiles(GLUCOSE_PROJECT_DIR), seed, badDays: { ...BAD_DAYS } }),
    clock: () => now,
    // Durations in the shipped run logs are counted steps, not wall time, so bytes repeat.
    timer: () => (tick += 7),
    ids: () => { runs++; return hashString(`${seed}|run|${runs}`).toString(16).padStart(8, '0') + hashString(`${seed}|run2|${runs}`).toString(16).padStart(8, '0'); },
  });
  const all: RunRecord[] = [];
  const checkpoints: Checkpoint[] = [];
  const noPublish = pipeline.graph.order.filter((k) => pipeline.graph.nodes.get(k)!.kind !== 'publish');
  const run = async (r: Promise<RunRecord>, expect: 'SUCCESS' | 'FAILURE') => {
    const rec = await r;
    all.push(rec);
    log(`${rec.kind} ${rec.partitions[0]}${rec.partitions.length > 1 ? `..${rec.partitions.at(-1)}` : ''}: ${rec.status}`);
    if (rec.status !== expect) throw new Error(`The prebuilt warehouse story expected ${expect} for ${rec.kind} ${rec.partitions.join(',')} but got ${rec.status}: ${rec.failure}`);
    return rec;
  };
  const daily = async (day: string, expect: 'SUCCESS' | 'FAILURE' = 'SUCCESS') => {
    now = Date.parse(`${addDays(day, 1)}T06:00:00Z`);
    return run(pipeline.materialize({ select: noPublish, partitions: [day] }), expect);
  };
  /**
   * Tags `at` (default main) as checkpoint `name`. `runs` defaults to every run so far;
   * `refs` makes the checkpoint exclusive (see Checkpoint.refs).
   */
  const checkpoint = async (name: string, description: string, opts: { at?: string; runs?: string[]; refs?: Checkpoint['refs'] } = {}) => {
    now += 60_000;
    await lake.createTag(name, opts.at ?? 'main');
    const tables: Record<string, string | null> = {};
    for (const t of await lake.listTables(name)) {
      const snaps = await lake.snapshots(name, t);
      tables[t] = snaps.at(-1)?.snapshotId ?? null;
    }
    const entry: Checkpoint = { name, tag: name, description, commit: await lake.refHash(name), tables, runs: opts.runs ?? all.map((r) => r.runId) };
    if (opts.refs) Object.assign(entry, { refs: opts.refs, exclusive: true });
    checkpoints.push(entry);
    log(`checkpoint ${name}`);
  };

  // Part 2 starts before anything ran: main as the catalog was created, with no table yet.
  // A tag moves no data and draws no id, so every later checkpoint is byte for byte the same.
  await checkpoint('part-02-start', 'An empty lakehouse: the catalog exists, no run has happened and main holds no table.');

  await daily('2025-01-01');
  await checkpoint('part-02-first-ingest', 'The first day (2025-01-01) ingested and transformed through bronze, silver, gold and marts.');

  for (const day of dayRange('2025-01-02', '2025-01-07')) await daily(day);
  await checkpoint('part-03-snapshots', 'Seven daily runs: each table has one snapshot per day to time-travel through.');

  // Late readings of 2025-01-03 reached the server the next morning; a later re-run merges them.
  now = Date.parse('2025-01-08T09:00:00Z');
  await run(pipeline.materialize({ select: noPublish, partitions: ['2025-01-03'] }), 'SUCCESS');
  now += 3_600_000;
  await run(pipeline.materialize({ select: ['dlt_glucose_entries'], partitions: ['2025-01-07'] }), 'SUCCESS');
  await checkpoint('part-05-ingestion', 'A re-run of 2025-01-03 merged its late readings into that day; re-running 2025-01-07 changed nothing.');

  now = Date.parse('2025-01-21T06:00:00Z');
  await run(pipeline.backfill('2025-01-08', '2025-01-20', noPublish), 'SUCCESS');
  await checkpoint('part-07-backfill', 'One backfill run materialised 2025-01-08 .. 2025-01-20, partition by partition.');

  await daily('2025-01-21', 'FAILURE');
  await daily('2025-01-22', 'FAILURE');
  await checkpoint('part-09-quality', '2025-01-21 failed validation and 2025-01-22 failed the blocking range check: main holds neither day.');

  now = Date.parse('2025-01-26T06:00:00Z');
  await lake.createBranch('dev', 'main');
  now += 60_000;
  await run(pipeline.materialize({ select: noPublish, partitions: dayRange('2025-01-23', '2025-01-25'), noMerge: true }), 'SUCCESS');
  await checkpoint('part-04-branches', 'A dev branch, and a run for 2025-01-23 .. 2025-01-25 audited on its branch but not yet merged into main.');
  // Part 4's own start (written last, below): the same state with only the branches that exist
  // now; the tags of other parts' checkpoints are not refs a reader of Part 4 has met.
  const part04Branches = (await lake.refs()).filter((r) => r.type === 'branch' && r.name !== 'main').map((r) => ({ name: r.name, type: 'BRANCH' as const, hash: r.hash }));
  const part04Runs = all.map((r) => r.runId);

  // Part 13: the example plugin module registered the way Phlo registers an installed plugin
  // package, and its assets run for 2025-01-01 (raw.github_events, silver.fct_github_daily_activity).
  {
    const registry = createDefaultRegistry();
    const api = createPluginApi({ githubEvents: JSON.parse(readFileSync(new URL('../plugins/examples/github-events.sample.json', import.meta.url), 'utf8')) });
    const definitions = applyPluginModules(registry, glucoseDefinitions({ project: readProjectFiles(GLUCOSE_PROJECT_DIR), seed, badDays: { ...BAD_DAYS } }), [resolvePluginModule(githubModule, 'plugins/examples/github-module.ts', api)]);
    let pluginRuns = 0;
    const withPlugin = new Pipeline({
      lake, registry, definitions, clock: () => now, timer: () => (tick += 7),
      ids: () => { pluginRuns++; return hashString(`${seed}|plugin-run|${pluginRuns}`).toString(16).padStart(8, '0') + hashString(`${seed}|plugin-run2|${pluginRuns}`).toString(16).padStart(8, '0'); },
    });
    now = Date.parse('2025-01-26T07:00:00Z');
    await run(withPlugin.materialize({ select: ['dlt_github_events', 'fct_github_daily_activity'], partitions: ['2025-01-01'] }), 'SUCCESS');
  }
  await checkpoint('part-13-plugins', 'The example GitHub plugin module registered; its events of 2025-01-01 are in raw.github_events and counted in silver.fct_github_daily_activity.');

  // Last, so that it changes no earlier checkpoint: Part 4's start, at part-04-branches' commit.
  await checkpoint('part-04-nessie', 'main holds 2025-01-01 .. 2025-01-20; dev points at main; a run for 2025-01-23 .. 2025-01-25 passed its audit on its run branch but was not merged; the failed runs of 2025-01-21 and 2025-01-22 are kept on theirs. No other branch or tag.', {
    at: await lake.refHash('part-04-branches'),
    runs: part04Runs,
    refs: part04Branches,
  });

  const manifest = {
    seed,
    note: 'Built by npm run warehouse. Each checkpoint is a catalog tag; query it with ref = the tag name.',
    partitionStart: pipeline.definitions.partitionStart,
    checkpoints,
  };
  await storage.write('checkpoints.json', new TextEncoder().encode(JSON.stringify(manifest, null, 1) + '\n'));
  const files = await writeHttpIndex(storage);
  await lake.close();
  return { checkpoints, runs: all, files: files.length };
}

if (import.meta.main) {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--out');
  const out = at >= 0 ? argv[at + 1] : 'public/warehouse';
  const seedAt = argv.indexOf('--seed');
  const started = Date.now();
  try {
    const r = await buildWarehouse(out, { seed: seedAt >= 0 ? argv[seedAt + 1] : undefined, log: (l) => process.stdout.write(`  ${l}\n`) });
    process.stdout.write(`Wrote ${r.files} files, ${r.runs.length} runs and ${r.checkpoints.length} checkpoints to ${join(out)} in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
    process.exit(0);
  } catch (err) {
    process.stderr.write(`Building the warehouse failed: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

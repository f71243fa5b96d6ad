/**
 * Automation in the miniature: cron expressions, the daily schedule, Phlo's on_cron condition
 * on the ingestion asset, and the two branch sensors, evaluated by `tick` on a real warehouse.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { openNodeLakehouse } from '../../../sandboxes/pipeline/lakehouse/open-node.ts';
import { readProjectFiles, GLUCOSE_PROJECT_DIR } from '../../../sandboxes/pipeline/transform/load-dir.ts';
import { glucoseDefinitions } from '../../../sandboxes/pipeline/orchestrate/definitions.ts';
import { Pipeline } from '../../../sandboxes/pipeline/orchestrate/pipeline.ts';
import { parseCron, cronMatches, previousTick, nextTick, tick, automationOf, CronError } from '../../../sandboxes/pipeline/orchestrate/automation.ts';
import { runCommand, type CliWiring } from '../../../sandboxes/pipeline/cli/commands.ts';
import { flag } from '../../../sandboxes/pipeline/cli/args.ts';
import { arrowToRows } from '../../../sandboxes/pipeline/util/arrow.ts';

const T = (s: string) => Date.parse(s);

test('cron: five fields, steps, ranges, lists and day names', () => {
  const hourly = parseCron('0 */1 * * *');
  assert.ok(cronMatches(hourly, T('2025-01-09T07:00:30Z')));
  assert.ok(!cronMatches(hourly, T('2025-01-09T07:01:00Z')));
  const daily = parseCron('0 6 * * *');
  assert.equal(previousTick(daily, T('2025-01-09T05:59:00Z')), T('2025-01-08T06:00:00Z'));
  assert.equal(nextTick(daily, T('2025-01-09T06:00:00Z')), T('2025-01-10T06:00:00Z'));
  const weekdays = parseCron('30 8 * * MON-FRI');
  assert.ok(cronMatches(weekdays, T('2025-01-10T08:30:00Z')), 'Friday');
  assert.ok(!cronMatches(weekdays, T('2025-01-11T08:30:00Z')), 'Saturday');
  assert.ok(cronMatches(parseCron('0 0 1,15 * *'), T('2025-01-15T00:00:00Z')));
  assert.ok(cronMatches(parseCron('0 0 * * 7'), T('2025-01-12T00:00:00Z')), '7 is Sunday too');
  assert.throws(() => parseCron('0 6 * *'), (e: Error) => e instanceof CronError && /five fields/.test(e.message));
  assert.throws(() => parseCron('61 * * * *'), /not a valid minute/);
  assert.throws(() => parseCron('*/0 * * * *'), /positive whole number/);
});

let now = T('2025-01-02T06:00:00Z');
const lake = await openNodeLakehouse({ clock: () => now, idSeed: 'automation-test' });
after(() => lake.close());
const pipeline = new Pipeline({
  lake,
  definitions: glucoseDefinitions({ project: readProjectFiles(GLUCOSE_PROJECT_DIR), badDays: { '2025-01-03': 'sensor-fault' } }),
  clock: () => now,
});
const count = async (q: string, ref = 'main') => Number(Object.values(arrowToRows(await lake.query(q, ref))[0]!)[0]);
const rawDay = (day: string) => count(`select count(*) from raw.glucose_entries where cast(date_string as date) = date '${day}'`);

test('the automation lists the daily schedule, the on_cron condition from the decorator, and two sensors', () => {
  const a = automationOf(pipeline);
  assert.deepEqual(a.schedules.map((s) => [s.name, s.cron]), [['daily_glucose_pipeline', '0 6 * * *']]);
  assert.ok(!a.schedules[0]!.select.includes('publish_marts_to_postgres'));
  assert.deepEqual(a.conditions.map((c) => [c.asset, c.cron]), [['dlt_glucose_entries', '0 */1 * * *']]);
  assert.deepEqual(a.sensors.map((s) => [s.name, s.intervalSeconds]), [['auto_promotion_sensor', 30], ['branch_cleanup_sensor', 3600]]);
});

test('a tick at 06:00 runs the schedule for yesterday; the condition sees that run and waits', async () => {
  now = T('2025-01-02T06:00:00Z');
  const dry = await tick(pipeline, now, { dryRun: true });
  assert.equal(dry.filter((o) => o.run).length, 0, 'a dry run launches nothing');
  assert.match(dry[0]!.reason, /would run 7 assets for 2025-01-01/);
  const out = await tick(pipeline, now);
  const sched = out.find((o) => o.source === 'schedule daily_glucose_pipeline')!;
  assert.equal(sched.run?.status, 'SUCCESS');
  assert.deepEqual(sched.run?.tags, { trigger: 'schedule daily_glucose_pipeline', tick: '2025-01-02T06:00:00Z' });
  assert.equal(await count(`select count(*) from gold.fct_daily_glucose_metrics where reading_date = date '2025-01-01'`), 1);
  const cond = out.find((o) => o.source.startsWith('condition dlt_glucose_entries'))!;
  assert.equal(cond.fired, false);
  assert.match(cond.reason, /2025-01-01 was already materialised since the 2025-01-02T06:00:00Z tick/);
});

test('between ticks nothing fires; at the next hour the condition re-ingests the newest day and merges its late readings', async () => {
  now = T('2025-01-02T06:30:00Z');
  const quiet = await tick(pipeline, now);
  assert.ok(quiet.every((o) => !o.run), 'no cron fires at 06:30 and 2025-01-01 was materialised since 06:00');
  const before = await rawDay('2025-01-01');
  now = T('2025-01-02T09:00:00Z');
  const out = await tick(pipeline, now);
  assert.equal(out.find((o) => o.source.startsWith('schedule'))!.fired, false);
  const cond = out.find((o) => o.source.startsWith('condition'))!;
  assert.equal(cond.run?.status, 'SUCCESS');
  assert.deepEqual(cond.run?.selection, ['dlt_glucose_entries'], 'only the ingestion asset has a condition');
  assert.ok((await rawDay('2025-01-01')) > before, 'the late readings reached the server at 08:00 and the 09:00 tick merged them');
});

test('the sensors: a failed run keeps its branch (cleanup would delete it), an audited branch is promoted', async () => {
  now = T('2025-01-04T06:00:00Z');
  const first = await tick(pipeline, now);
  const failed = first.find((o) => o.source.startsWith('schedule'))!;
  assert.equal(failed.run?.status, 'FAILURE', 'the sensor-fault day stops at the range check');
  const retry = first.find((o) => o.source.startsWith('condition'))!;
  assert.equal(retry.run?.status, 'FAILURE', 'the condition saw no successful materialisation since its tick, so it requested the day too');
  now = T('2025-01-04T06:05:00Z');
  const later = (await tick(pipeline, now)).find((o) => o.source.startsWith('condition'))!;
  assert.equal(later.fired, false, 'once per tick, even after a failure');
  assert.match(later.reason, /already requested for the 2025-01-04T06:00:00Z tick/);
  now = T('2025-01-04T06:10:00Z');
  const audited = await pipeline.materialize({ select: ['dlt_glucose_entries'], partitions: ['2025-01-02'], noMerge: true });
  assert.equal(audited.status, 'SUCCESS');
  assert.equal(await rawDay('2025-01-02'), 0, 'not on main yet');
  now = T('2025-01-04T06:10:30Z');
  const out = await tick(pipeline, now);
  const promo = out.find((o) => o.source === 'sensor auto_promotion_sensor')!;
  assert.deepEqual(promo.branches, [audited.branch]);
  assert.ok((await rawDay('2025-01-02')) > 0, 'promoted into main');
  assert.ok((await lake.refs()).some((r) => r.type === 'tag' && r.name === 'v20250104_061030'));
  const cleanup = out.find((o) => o.source === 'sensor branch_cleanup_sensor')!;
  assert.deepEqual([...cleanup.branches!].sort(), [failed.run!.branch!, retry.run!.branch!].sort());
  assert.ok((await lake.refs()).some((r) => r.name === failed.run!.branch), 'a dry run deletes nothing');
  const again = await tick(pipeline, T('2025-01-04T06:11:00Z'));
  assert.equal(again.find((o) => o.source === 'sensor auto_promotion_sensor')!.fired, false, 'a promoted branch is not promoted twice');
});

test('the CLI: schedules, sensors and tick', async () => {
  const wiring: CliWiring = {
    async open(args) {
      const asOf = flag(args, 'as-of');
      const clock = () => (asOf ? Date.parse(asOf) : now);
      const shared = Object.assign(Object.create(lake), { close: async () => {} });
      return { pipeline: new Pipeline({ lake: shared, definitions: pipeline.definitions, clock }), lake: shared };
    },
  };
  const run = async (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCommand(argv, wiring, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const s = await run(['schedules', '--as-of', '2025-01-05T06:00:00Z']);
  assert.equal(s.code, 0);
  assert.match(s.out, /daily_glucose_pipeline\s+"0 6 \* \* \*"\s+next tick 2025-01-06T06:00:00Z/);
  assert.match(s.out, /dlt_glucose_entries\s+on_cron\("0 \*\/1 \* \* \*"\)\s+next tick 2025-01-05T07:00:00Z/);
  const sensors = await run(['sensors']);
  assert.match(sensors.out, /auto_promotion_sensor\s+every 30 s/);
  const dry = await run(['tick', '--as-of', '2025-01-05T06:00:00Z', '--dry-run']);
  assert.equal(dry.code, 0);
  assert.match(dry.out, /FIRED\s+schedule daily_glucose_pipeline: would run 7 assets for 2025-01-04/);
  const runs = await run(['runs']);
  assert.match(runs.out, /\[schedule daily_glucose_pipeline\]/);
});

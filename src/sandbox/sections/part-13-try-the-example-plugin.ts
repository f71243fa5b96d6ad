/**
 * Part 13, "Try the example plugin". Starts from the `part-13-plugins` checkpoint of the
 * prebuilt warehouse: main holds the glucose days 2025-01-01 .. 2025-01-20, and the example
 * GitHub plugin module has been run once, for 2025-01-01 (raw.github_events and
 * silver.fct_github_daily_activity).
 *
 * The pipeline pane shows three plugin files. Every file under plugins/ is registered on
 * every run (the sandbox's stand-in for an installed package's entry points):
 *   plugins/github_events.ts  the example module, to read and run;
 *   plugins/my_source.ts      a source plugin template (meal_log -> raw.meal_entries);
 *   plugins/my_check.ts       a quality check plugin template (threshold_check).
 * The learner runs the example, queries its table, completes the source and materialises
 * it, then attaches the check to fct_glucose_readings: strict first (it fails on
 * 2025-01-09, which has 2 readings above 250 mg/dL), then with Phlo's 5 % tolerance.
 */
import type { SectionConfig } from './types.ts';
import { MY_SOURCE_SOLUTION, myCheckSolution } from './part-13-plugin-solutions.ts';

const RUN_EXAMPLE = 'materialize dlt_github_events+ --partition 2025-01-02';
const RUN_SOURCE = 'materialize dlt_meal_entries --partition 2025-01-08';
const RUN_CHECK = 'materialize fct_glucose_readings --partition 2025-01-09';

const activityByDay = `select event_date, repo_name, sum(events) as events
from silver.fct_github_daily_activity
group by 1, 2
order by 1, 3 desc, 2`;

const section: SectionConfig = {
  id: 'part-13-try-the-example-plugin',
  part: 13,
  anchor: 'try-the-example-plugin',
  title: 'Try the example plugin',
  checkpoint: 'part-13-plugins',
  panes: ['pipeline', 'sql', 'explorer'],
  defaultTable: 'raw.github_events',
  files: ['plugins/github_events.ts', 'plugins/my_source.ts', 'plugins/my_check.ts'],
  queries: [
    {
      label: 'The example plugin\'s events',
      sql: `select id, type, actor_login, repo_name, created_at, _dlt_load_id
from raw.github_events
order by created_at
limit 20`,
      explain: 'Rows the github_events source plugin fetched: nested actor.login and repo.name arrive as flat snake_case columns, with DLT\'s load id.',
    },
    {
      label: 'Events per repository and day',
      sql: `select event_date, repo_name, type, events
from silver.fct_github_daily_activity
order by event_date, events desc, repo_name, type`,
      explain: 'The dbt model the example module adds over the plugin\'s table. Run the example for another day and it grows.',
    },
    {
      label: 'Readings above 250 mg/dL',
      sql: `select cast(reading_timestamp as date) as day, count(*) as readings,
  count(*) filter (where glucose_mg_dl > 250) as above_250,
  round(100.0 * count(*) filter (where glucose_mg_dl > 250) / count(*), 2) as pct
from silver.fct_glucose_readings
group by 1
having count(*) filter (where glucose_mg_dl > 250) > 0
order by 1`,
      explain: 'What your threshold_check will measure: the days with readings above 250, and their share of the day.',
    },
    {
      label: 'Event types per day',
      sql: `select cast(created_at as date) as day, type, count(*) as events
from raw.github_events
group by 1, 2
order by 1, 3 desc, 2`,
      explain: 'The raw table is partitioned by created_at: each run of the example adds one day.',
    },
  ],
  tasks: [
    {
      id: 'run-example',
      title: 'Run the example plugin',
      description: 'The example module plugins/github_events.ts is registered already. Materialise its ingestion asset and everything downstream for 2025-01-02.',
      hint: 'A selection ending in + takes the downstream assets too: materialize dlt_github_events+ --partition 2025-01-02. The command plugins lists what is registered.',
      check: { kind: 'sql', ref: 'main', sql: `select count(distinct cast(created_at as date)) >= 2 from raw.github_events` },
      solution: {
        explain: 'The run fetched the day\'s events through the github_events source plugin, normalised and merged them into raw.github_events, ran the plugin module\'s checks, rebuilt fct_github_daily_activity and merged its branch into main.',
        commands: [RUN_EXAMPLE],
      },
    },
    {
      id: 'query-example',
      title: 'Query the plugin\'s table',
      description: 'In the SQL console, list the events per day and repository from silver.fct_github_daily_activity, busiest repository first within each day. Both days should be there now.',
      hint: 'Group by event_date and repo_name, sum the events, and order by the day, then the events descending, then the name.',
      check: { kind: 'same-result', sql: activityByDay },
      solution: {
        explain: 'A plugin\'s table is an Iceberg table like any other: the dbt model the module added reads it with source(), and any SQL can read the model.',
        sql: activityByDay,
      },
    },
    {
      id: 'write-source',
      title: 'Write a source plugin',
      description: 'Complete plugins/my_source.ts (its three TODOs: the records, the schema, the asset), then materialise dlt_meal_entries for 2025-01-08.',
      hint: 'fetchPartition returns { records } with one object per meal; the schema lists id, meal, carbs_g, eaten_at, _dlt_load_id and _dlt_id; extend() returns { ...defs, ingestion: [...defs.ingestion, asset] }.',
      check: { kind: 'pipeline-run', status: 'success', asset: 'dlt_meal_entries' },
      solution: {
        explain: 'The file registers the meal_log source and adds the asset dlt_meal_entries. The run fetched three meals, dlt_normalize turned carbsG into carbs_g, the rows passed the schema, and raw.meal_entries was created and merged into main.',
        files: { 'plugins/my_source.ts': MY_SOURCE_SOLUTION },
        commands: [RUN_SOURCE],
      },
    },
    {
      id: 'check-fails',
      title: 'A check plugin that fails on purpose',
      description: 'Complete plugins/my_check.ts and attach threshold_check to fct_glucose_readings with max 250 and tolerance 0. Materialise fct_glucose_readings for 2025-01-09: the run must stop at your check.',
      hint: 'run() counts rows where the column is null or outside min..max, within ctx.where; extend() adds a blocking check group on silver.fct_glucose_readings.',
      check: { kind: 'pipeline-run', status: 'failed', failedCheck: 'glucose_highs_plugin.threshold_check' },
      solution: {
        explain: '2025-01-09 has 2 readings above 250 mg/dL out of 288. With tolerance 0 one is enough: the blocking check fails, the run keeps its branch, and main is not changed.',
        files: { 'plugins/my_check.ts': myCheckSolution(0) },
        commands: [RUN_CHECK],
      },
    },
    {
      id: 'check-passes',
      title: 'Make it pass',
      description: 'Give the check the tolerance Phlo\'s glucose_consecutive_highs_plugin uses (5 %, 0.05) and run the same day again.',
      hint: 'Change tolerance: 0 to tolerance: 0.05 in the params of the check in extend(), then run the same materialize command.',
      // The run must have run the plugin's check: a run before it was attached succeeded too.
      check: { kind: 'pipeline-run', status: 'success', asset: 'fct_glucose_readings', passedCheck: 'glucose_highs_plugin.threshold_check' },
      solution: {
        explain: '2 of 288 is 0.69 %, below 5 %: the check passes and the run is merged into main. The threshold belongs to the params in extend(), not to the plugin, so one plugin serves many checks.',
        files: { 'plugins/my_check.ts': myCheckSolution(0.05) },
        commands: [RUN_CHECK],
      },
    },
  ],
  runForReal: {
    stack: 'example',
    intro: 'In Phlo the example package examples/phlo-plugin-example declares its three plugins as entry points; installing it makes phlo discover them. These commands run in a checkout of the Phlo repository at the pinned commit, in a Python environment where phlo is installed.',
    commands: [
      { cmd: 'cd examples/phlo-plugin-example', note: 'the example package' },
      { cmd: 'pip install -e .', note: 'installs it; its entry points are now visible to importlib.metadata' },
      { cmd: 'phlo plugin list', note: 'jsonplaceholder, threshold_check and uppercase appear next to any others' },
      { cmd: 'phlo plugin info threshold_check', note: 'metadata of one plugin' },
      { cmd: 'phlo plugin check', note: 'validates every discovered plugin' },
      { cmd: 'phlo plugin create my_meals --type source', note: 'a new package phlo-plugin-my_meals/ to fill in' },
    ],
    phloFiles: [
      'examples/phlo-plugin-example/pyproject.toml',
      'examples/phlo-plugin-example/src/phlo_example/source.py',
      'examples/phlo-plugin-example/src/phlo_example/quality.py',
      'src/phlo/plugins/base.py',
      'src/phlo/plugins/discovery.py',
      'src/phlo/plugins/registry.py',
    ],
  },
};

export default section;

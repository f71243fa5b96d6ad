/**
 * Part 10, "Setting up the Trino data source" (the hands-on of Metadata and Governance).
 * Starts from the `part-09-quality` checkpoint: main holds 2025-01-01 .. 2025-01-20 in
 * every layer (the two bad days of Part 9 never reached it).
 *
 * The learner uses the catalog pane (and `catalog` / `contract` in the pipeline terminal):
 * finds who owns a mart, gives an orphan mart an owner, measures what a change of one
 * column would touch downstream,
 * retypes a column the contract promises (a breaking change, and the rule that catches it),
 * then restores it and makes the change the compatible way, as a new column (SAFE).
 *
 * The edited versions of the silver model are derived from the shipped file, so they follow
 * any change to it; the section test checks that each edit really changes the file.
 */
import type { SectionConfig } from './types.ts';
import { GLUCOSE_PROJECT_FILES } from '../../../sandboxes/pipeline/project/files.generated.ts';

export const SILVER_MODEL = 'models/silver/fct_glucose_readings.sql';
const ORIGINAL = GLUCOSE_PROJECT_FILES[SILVER_MODEL] ?? '';

/** Safe: one more column, computed from one the contract names. */
export const WITH_MMOL = ORIGINAL.replace(
  '    glucose_mg_dl,\n',
  '    glucose_mg_dl,\n    round(glucose_mg_dl / 18.016, 1) as glucose_mmol_l,\n',
);
/** Breaking: the contract promises an integer. */
export const RETYPED = ORIGINAL.replace('    glucose_mg_dl,\n', '    cast(glucose_mg_dl as double) as glucose_mg_dl,\n');

const REBUILD_SILVER = 'materialize fct_glucose_readings --partition 2025-01-20';

/** The hourly-patterns mart ships without an owner: the governance task gives it one. */
export const HOURLY_YML = 'models/marts_postgres/mrt_glucose_hourly_patterns.yml';
export const HOURLY_WITH_OWNER = (GLUCOSE_PROJECT_FILES[HOURLY_YML] ?? '').replace('    meta:\n      tags:', '    meta:\n      owner: analytics-team\n      tags:');

const section: SectionConfig = {
  id: 'part-10-setting-up-trino-data-source',
  part: 10,
  anchor: 'setting-up-trino-data-source',
  title: 'A data catalog over the lakehouse',
  checkpoint: 'part-09-quality',
  panes: ['catalog', 'pipeline', 'sql'],
  defaultTable: 'silver.fct_glucose_readings',
  files: [SILVER_MODEL, 'models/silver/fct_glucose_readings.yml', HOURLY_YML, 'contracts/glucose_readings.yaml'],
  queries: [
    {
      label: 'Rows along the lineage',
      sql: `select 'raw.glucose_entries' as table_name, count(*) as row_count from raw.glucose_entries
union all select 'silver.fct_glucose_readings', count(*) from silver.fct_glucose_readings
union all select 'gold.mrt_glucose_readings', count(*) from gold.mrt_glucose_readings
union all select 'gold.fct_daily_glucose_metrics', count(*) from gold.fct_daily_glucose_metrics
union all select 'marts.mrt_glucose_overview', count(*) from marts.mrt_glucose_overview`,
      explain: 'The counts the catalog shows on each table page, computed by hand. Readings keep their grain down to gold; the daily tables have one row per day.',
    },
    {
      label: 'The columns the contract promises',
      sql: `select entry_id, glucose_mg_dl, reading_timestamp, direction, device
from silver.fct_glucose_readings
order by reading_timestamp desc
limit 10`,
      explain: 'Five columns of silver.fct_glucose_readings are in contracts/glucose_readings.yaml; the other ten are the producer\'s to change.',
    },
    {
      label: 'The contract\'s quality rules in SQL',
      sql: `select count(*) as rows_checked,
  count(*) filter (where entry_id is null) as null_ids,
  count(*) - count(distinct entry_id) as duplicate_ids,
  count(*) filter (where glucose_mg_dl < 20 or glucose_mg_dl > 600) as out_of_range,
  count(*) filter (where direction not in ('Flat','FortyFiveUp','FortyFiveDown','SingleUp','SingleDown','DoubleUp','DoubleDown','NONE')) as bad_directions
from silver.fct_glucose_readings`,
      explain: 'What contract check runs for the constraints: every count must be zero, and the share of clean rows must reach the quality threshold of 0.99.',
    },
    {
      label: 'Snapshots of the silver table',
      sql: `select snapshot_id, committed_at, operation
from silver."fct_glucose_readings$snapshots"
order by committed_at`,
      explain: 'The catalog\'s "snapshots" count and last commit come from this history. A model whose columns change is recreated, so its history starts again.',
    },
  ],
  tasks: [
    {
      id: 'find-owner',
      title: 'Find who owns a mart',
      description: 'The overview dashboard reads marts.mrt_glucose_overview. Find the table in the catalog and type its owner: the person or team to ask about its numbers.',
      hint: 'Search the catalog for "overview" and open the table, or run catalog describe marts.mrt_glucose_overview in the terminal. The owner comes from meta.owner in the model\'s YAML.',
      check: { kind: 'catalog-answer', question: 'owner', target: 'marts.mrt_glucose_overview' },
      solution: {
        explain: 'The mart\'s YAML (models/marts_postgres/mrt_glucose_overview.yml) sets meta: { owner: analytics-team }. OpenMetadata reads the same field from dbt\'s manifest and shows it as the table\'s owner.',
        commands: ['catalog describe marts.mrt_glucose_overview'],
        answer: 'analytics-team',
      },
    },
    {
      id: 'set-owner',
      title: 'Give an orphan table an owner',
      description: 'One published mart has no owner. Find it in the catalog, give it the analytics team as owner in its YAML (meta: owner), and type the owner the catalog now shows.',
      hint: `catalog tables lists every owner; the one without is marts.mrt_glucose_hourly_patterns. In the pipeline pane, open ${HOURLY_YML} and add "owner: analytics-team" under meta:, save, then look at the table in the catalog (Refresh).`,
      check: { kind: 'catalog-answer', question: 'owner', target: 'marts.mrt_glucose_hourly_patterns' },
      solution: {
        explain: 'Owners live in dbt\'s YAML, next to the SQL, so setting one is a reviewed change like any other. The catalog reads meta.owner from the edited file at once; in OpenMetadata the next dbt ingestion carries it over.',
        files: { [HOURLY_YML]: HOURLY_WITH_OWNER },
        commands: ['catalog describe marts.mrt_glucose_hourly_patterns'],
        answer: 'analytics-team',
      },
    },
    {
      id: 'column-impact',
      title: 'Measure the impact of a column change',
      description: 'Before changing glucose_mg_dl in silver.fct_glucose_readings, find out how many downstream models compute something from it. Type the number.',
      hint: 'Open silver.fct_glucose_readings in the catalog and press "Impact" next to glucose_mg_dl, or run catalog impact silver.fct_glucose_readings.glucose_mg_dl.',
      check: { kind: 'catalog-answer', question: 'impacted-models', target: 'silver.fct_glucose_readings.glucose_mg_dl' },
      solution: {
        explain: 'Column lineage follows glucose_mg_dl into every model below silver: the daily metrics aggregate it, the gold readings copy it, and both marts compute from those. Four models, two of them published to Postgres, plus the tests and checks listed with them.',
        commands: ['catalog impact silver.fct_glucose_readings.glucose_mg_dl'],
        answer: '4',
      },
    },
    {
      id: 'break-contract',
      title: 'Break the contract with a type change',
      description: 'Someone wants glucose as a decimal. Change glucose_mg_dl in the silver model to a double (cast(glucose_mg_dl as double) as glucose_mg_dl), rebuild fct_glucose_readings, and run the contract check. Which rule fails?',
      hint: `Edit the select list of ${SILVER_MODEL} in the pipeline pane, run ${REBUILD_SILVER}, then contract check glucose_readings (or look at the Data contracts list in the catalog).`,
      check: { kind: 'contract', contract: 'glucose_readings', status: 'fail', brokenRule: 'glucose_mg_dl.type' },
      solution: {
        explain: 'The run itself succeeds: every silver check and test still holds for doubles. The contract does not: schema.required_columns.glucose_mg_dl.type is BREAKING, because the contract promises an integer and a consumer that stores the value as one would now fail. This is the check to run before a change is merged.',
        files: { [SILVER_MODEL]: RETYPED },
        commands: [REBUILD_SILVER],
      },
    },
    {
      id: 'evolve-safely',
      title: 'Make the change the compatible way',
      description: 'Restore the contract: put glucose_mg_dl back as it was, and give the consumers the new unit in a new column instead, glucose_mmol_l (glucose_mg_dl / 18.016, one decimal). Rebuild and check: the contract passes, with the new column listed as a SAFE addition.',
      hint: `The Restore button in the pipeline pane returns ${SILVER_MODEL} to its shipped text; then add one line after glucose_mg_dl: round(glucose_mg_dl / 18.016, 1) as glucose_mmol_l. Run ${REBUILD_SILVER} and contract check glucose_readings.`,
      check: { kind: 'contract', contract: 'glucose_readings', status: 'pass', added: 'glucose_mmol_l' },
      solution: {
        explain: 'With the original select list the table gets back its integer glucose_mg_dl, and every schema, quality and SLA rule passes again. A new column is invisible to a consumer who reads the columns the contract names, so the check classifies it as SAFE: eleven columns the contract does not name, none it promises changed. Adding alongside, then deprecating the old, is how a breaking change is made without breaking anyone.',
        files: { [SILVER_MODEL]: WITH_MMOL },
        commands: [REBUILD_SILVER, 'contract check glucose_readings'],
      },
    },
  ],
  runForReal: {
    stack: 'root',
    intro: 'In the root stack, OpenMetadata runs under the catalog profile next to Trino. You connect it to Trino (host trino, port 8080 inside the Docker network), run the metadata ingestion, rebuild the search index, then ingest dbt\'s artifacts for descriptions, owners and lineage. Phlo\'s own CLI lists tables and checks contracts.',
    commands: [
      { cmd: 'make up-catalog', note: 'OpenMetadata server, MySQL, Elasticsearch and the ingestion container' },
      { cmd: 'make health-catalog', note: 'readiness; the UI is on http://localhost:10020, login admin / admin' },
      { cmd: 'docker exec -it openmetadata-server curl http://trino:8080/v1/info', note: 'can OpenMetadata reach Trino?' },
      { cmd: 'docker exec dagster-web dbt docs generate --project-dir /dbt --profiles-dir /dbt/profiles', note: 'fresh manifest.json and catalog.json for the dbt ingestion (dbt compile writes no catalog.json)' },
      { cmd: 'phlo catalog tables', note: 'the Iceberg tables on main' },
      { cmd: 'phlo catalog describe silver.fct_glucose_readings', note: 'columns, location and snapshots' },
      { cmd: 'phlo contract list --contracts-dir examples/glucose-platform/contracts', note: 'the example project\'s contracts' },
      { cmd: 'phlo contract check glucose_readings --contracts-dir examples/glucose-platform/contracts', note: 'schema changes classified against the contract' },
    ],
    phloFiles: [
      'docs/setup/openmetadata.md',
      'examples/glucose-platform/contracts/glucose_readings.yaml',
      'transforms/dbt/models/silver/fct_glucose_readings.yml',
      'docker-compose.yml',
      'Makefile',
    ],
    urls: [{ label: 'OpenMetadata (root stack)', url: 'http://localhost:10020' }],
  },
};

export default section;

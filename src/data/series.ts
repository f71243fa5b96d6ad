/**
 * The series as data: the 13 parts, the three learning paths, the tools reference, the
 * common questions and the key topics of each part. The index page and the components in
 * src/components/series/ render it; nothing here decides whether a part is published
 * (that is whatever exists in the `docs` collection, see src/components/series/parts.ts).
 *
 * Reading times are measured from each part's MDX (src/content/reading-time.ts: prose at 200 words a
 * minute, code, diagrams, plus three minutes per hands-on task) and must equal the part's frontmatter
 * (tests/unit/site/reading-time.test.ts). Hands-on anchors follow the original series index
 * (phlo-facts.md 2.0), except Part 12, whose hands-on section is `step-5-kubernetes-deployment` on our site, and
 * Part 13, which the original index left without one (`try-the-example-plugin`).
 */

export type PartNumber = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13;

export interface HandsOnSection {
  /** Heading anchor of the hands-on section inside the part's page. */
  anchor: string;
  /** Heading text of that section. */
  title: string;
  /** One line: what the learner does there, in the browser. */
  summary: string;
}

export interface SeriesPart {
  number: PartNumber;
  title: string;
  /** File name without extension under content/parts/, "NN-kebab-title". */
  slug: string;
  /** One sentence for cards and tables. */
  summary: string;
  /** Short tags for the series table. */
  topics: readonly string[];
  readingMinutes: number;
  handsOn: HandsOnSection | null;
  /** The longer "key topics by post" list. */
  keyTopics: readonly string[];
}

export const SERIES_TITLE = 'Phlo: Modern Data Engineering';

export const parts: readonly SeriesPart[] = [
  {
    number: 1,
    title: 'What is a Data Lakehouse?',
    slug: '01-what-is-a-data-lakehouse',
    summary: 'Why warehouses and lakes each fall short, and how an open table format, a versioned catalog and shared engines combine into a lakehouse.',
    topics: ['Lakehouse architecture', 'Three eras of data platforms', 'The Phlo stack'],
    readingMinutes: 15,
    handsOn: null,
    keyTopics: [
      'Warehouse, lake and lakehouse: what each era solved and what it broke',
      'Open table formats on object storage with ACID commits',
      'The five core tools: Iceberg, Nessie, Trino, dbt, Dagster',
      'The layered flow raw → bronze → silver → gold → marts',
    ],
  },
  {
    number: 2,
    title: 'Getting Started with Phlo',
    slug: '02-getting-started-with-phlo',
    summary: 'Run the whole stack on your machine: configuration, services, ports and logins, the first ingestion and the first chart.',
    topics: ['Docker Compose stack', 'Configuration (.env)', 'First ingestion', 'Troubleshooting'],
    readingMinutes: 50,
    handsOn: {
      anchor: 'step-5-first-data-ingestion',
      title: 'First data ingestion',
      summary: 'Materialise the first day of glucose data, follow the run log, query raw and bronze rows and find the first snapshot.',
    },
    keyTopics: [
      'Hardware and software you need',
      'What lives in .env and why the defaults are for laptops only',
      'Starting everything at once or in stages on a small machine',
      'Service URLs, default logins and health checks',
      'First ingestion, first transform run, first Superset chart',
    ],
  },
  {
    number: 3,
    title: 'Apache Iceberg: The Table Format That Changed Everything',
    slug: '03-apache-iceberg',
    summary: 'How metadata files, snapshots and manifests turn a folder of Parquet files into a table you can trust.',
    topics: ['Snapshots and manifests', 'Time travel', 'Schema evolution', 'Hidden partitioning'],
    readingMinutes: 45,
    handsOn: {
      anchor: 'hands-on-explore-snapshots',
      title: 'Explore snapshots',
      summary: 'Walk metadata.json → manifest list → manifests → data files, time-travel to an older snapshot and add a column without rewriting data.',
    },
    keyTopics: [
      'What goes wrong with bare Parquet folders',
      'metadata.json, snapshots, manifest lists, manifests, data files',
      'Time travel by snapshot id or by timestamp',
      'Schema evolution without rewriting files',
      'Atomic commits and isolated readers',
    ],
  },
  {
    number: 4,
    title: 'Project Nessie: Git-Like Versioning for Data',
    slug: '04-project-nessie',
    summary: 'Branches, commits, tags and merges for a whole catalog of tables, and the Write-Audit-Publish pattern built on them.',
    topics: ['Branches and tags', 'Merges', 'Write-Audit-Publish', 'Catalog per branch in Trino'],
    readingMinutes: 40,
    handsOn: {
      anchor: 'hands-on-explore-nessie',
      title: 'Explore Nessie',
      summary: 'Create a dev branch, write on it, compare main and dev side by side, tag a release, merge and resolve a conflict.',
    },
    keyTopics: [
      'A branch as a set of pointers to table versions',
      'Commits, merges and tags across many tables at once',
      'Write-Audit-Publish and the branch lifecycle sensors',
      'Choosing a branch in Trino through its catalog',
      'The phlo branch command',
    ],
  },
  {
    number: 5,
    title: 'Data Ingestion: Getting Data Into the Lakehouse',
    slug: '05-data-ingestion',
    summary: 'The two-step pattern behind @phlo.ingestion: DLT stages Parquet, PyIceberg merges it into an Iceberg table, safely re-runnable.',
    topics: ['DLT staging', 'PyIceberg merge', '@phlo.ingestion', 'Idempotency'],
    readingMinutes: 40,
    handsOn: {
      anchor: 'hands-on-trace-an-ingestion',
      title: 'Trace an ingestion',
      summary: 'Follow one ingestion stage by stage, re-run the same day and see nothing change, then merge late and duplicate entries.',
    },
    keyTopics: [
      'Stage then merge: why two steps are safer than one',
      'What the @phlo.ingestion decorator generates',
      'Merge versus append, and first/last/hash deduplication',
      'DLT schema normalisation (camelCase to snake_case)',
      'API, file and database source patterns',
    ],
  },
  {
    number: 6,
    title: 'SQL Transformations with dbt',
    slug: '06-sql-transformations-with-dbt',
    summary: 'Models, ref() and source(), tests and documentation: the glucose transforms from bronze to the marts, run through Trino.',
    topics: ['dbt models and refs', 'Bronze/silver/gold/marts', 'Materialisations', 'dbt tests'],
    readingMinutes: 60,
    handsOn: {
      anchor: 'hands-on-run-dbt-transforms',
      title: 'Run dbt transforms',
      summary: 'Run the model DAG, change a glucose threshold in silver and watch gold move, and make a schema test fail then pass.',
    },
    keyTopics: [
      'Why SQL in Python scripts does not scale',
      'Models, ref(), source() and the DAG they form',
      'Views, tables and incremental models',
      'Schema tests with dbt_utils and dbt_expectations',
      'Partition-aware runs driven by Dagster',
    ],
  },
  {
    number: 7,
    title: 'Orchestration with Dagster',
    slug: '07-orchestration-with-dagster',
    summary: 'Assets, daily partitions, automation conditions, asset checks and backfills: how the pipeline runs itself.',
    topics: ['Software-defined assets', 'Partitions', 'Automation and sensors', 'Backfills'],
    readingMinutes: 45,
    handsOn: {
      anchor: 'running-pipelines-manually',
      title: 'Running pipelines manually',
      summary: 'Materialise one asset, a selection and everything downstream, then backfill a range of daily partitions.',
    },
    keyTopics: [
      'Assets instead of tasks, and the lineage graph',
      'Daily partitions starting 2025-01-01',
      'Automation conditions, sensors and the daemon',
      'Asset checks and freshness policies',
      'phlo backfill: ranges, parallelism, resume, dry run',
    ],
  },
  {
    number: 8,
    title: 'Real-World Example: Building a Complete Data Pipeline',
    slug: '08-real-world-example',
    summary: 'The glucose platform end to end: Nightscout API, ingestion, every dbt layer, Postgres marts and a dashboard.',
    topics: ['Nightscout API', 'End-to-end pipeline', 'Gold metrics', 'Publishing to Postgres'],
    readingMinutes: 60,
    handsOn: {
      anchor: 'step-1-understanding-the-api',
      title: 'Understanding the API',
      summary: 'Run the whole platform from API entries to published marts and query them with Postgres SQL, with a small dashboard on top.',
    },
    keyTopics: [
      'The Nightscout entries API and its fields',
      'Time in range, glucose categories and estimated A1C',
      'Daily and hourly marts',
      'Publishing marts from Iceberg into Postgres',
      'A Superset dashboard over the marts',
    ],
  },
  {
    number: 9,
    title: 'Data Quality: Pandera Schemas and Asset Checks',
    slug: '09-data-quality',
    summary: 'Three layers of validation: Pandera schemas, dbt tests and Dagster asset checks, declarative or hand-written.',
    topics: ['Pandera schemas', 'dbt tests', '@phlo.quality', 'Asset checks'],
    readingMinutes: 60,
    handsOn: {
      anchor: 'layer-1-pandera-schemas-ingestion',
      title: 'Two bad days, three layers',
      summary: 'Replay a bad-data day through all three layers, read each error report, fix the cause and write checks of your own.',
    },
    keyTopics: [
      'Pandera DataFrameModels for raw and fact tables',
      'What each validation layer is good at catching',
      'Declarative checks with @phlo.quality',
      'Custom @asset_check functions',
      'Blocking checks and warning thresholds',
    ],
  },
  {
    number: 10,
    title: 'Metadata and Governance with OpenMetadata',
    slug: '10-metadata-and-governance',
    summary: 'A searchable catalog with lineage, ownership and tags, plus data contracts and the API layer over the marts.',
    topics: ['Data catalog', 'Lineage', 'Data contracts', 'API layer'],
    readingMinutes: 50,
    handsOn: {
      anchor: 'setting-up-trino-data-source',
      title: 'The catalog, lineage and a contract',
      summary: 'Search a catalog built from the warehouse, follow lineage for impact analysis and check a data contract against the live schema.',
    },
    keyTopics: [
      'OpenMetadata with Trino and dbt metadata ingestion',
      'Search, descriptions, tags and owners',
      'Lineage and impact analysis',
      'Data contracts and breaking-change classification',
      'phlo schema, phlo catalog and the PostgREST/Hasura API layer',
    ],
  },
  {
    number: 11,
    title: 'Observability and Monitoring',
    slug: '11-observability-and-monitoring',
    summary: 'Metrics, logs, lineage and alerts: knowing that the pipeline ran, and finding out quickly when it did not.',
    topics: ['Metrics and logs', 'Alerting', 'Grafana dashboards', 'Lineage'],
    readingMinutes: 55,
    handsOn: {
      anchor: 'dashboards-visualizing-health',
      title: 'Dashboards: visualising health',
      summary: 'Build run, duration, freshness and check-failure dashboards from the run log with SQL, and fire an alert on stale data.',
    },
    keyTopics: [
      'Metrics, logs and traces',
      'phlo metrics, phlo logs, phlo lineage, phlo alerts',
      'Slack, PagerDuty and email alert destinations',
      'Prometheus, Loki and Grafana in the observability profile',
      'Impact analysis from the lineage graph',
    ],
  },
  {
    number: 12,
    title: 'Production Deployment and Scaling',
    slug: '12-production-deployment',
    summary: 'From a laptop to a server to Kubernetes: configuration, secrets, storage, observability, scaling and recovery.',
    topics: ['Compose profiles', 'phlo.yaml', 'Kubernetes', 'Scaling and HA'],
    readingMinutes: 55,
    handsOn: {
      anchor: 'step-5-kubernetes-deployment',
      title: 'Scale out, then maintain the table',
      summary: 'Run a 365-day backfill in parallel workers and plot the speed-up, then compact the table and watch file counts fall.',
    },
    keyTopics: [
      'What changes between development and production',
      'Compose profiles and per-environment configuration',
      'S3 instead of MinIO, managed Postgres',
      'Kubernetes deployment, autoscaling and high availability',
      'Backups, disaster recovery and cost',
    ],
  },
  {
    number: 13,
    title: 'Extending Phlo with Plugins',
    slug: '13-extending-phlo-with-plugins',
    summary: 'Source connectors, quality checks and transforms as installable plugins, discovered through Python entry points.',
    topics: ['Plugin types', 'Entry points', 'phlo plugin CLI'],
    readingMinutes: 45,
    handsOn: {
      anchor: 'try-the-example-plugin',
      title: 'Try the example plugin',
      summary: 'Write a source plugin and a quality check plugin, register them and run the pipeline with them.',
    },
    keyTopics: [
      'The three plugin kinds and their base classes',
      'Discovery through entry points',
      'The example plugin package',
      'phlo plugin list, info, check and create',
      'Plugin security: whitelist and blacklist',
    ],
  },
];

export function partByNumber(n: number): SeriesPart {
  const part = parts.find((p) => p.number === n);
  if (!part) throw new Error(`series.ts: there is no part ${n}`);
  return part;
}

export const totalReadingMinutes = parts.reduce((sum, p) => sum + p.readingMinutes, 0);

/* ------------------------------------------------------------------ learning paths */

export interface PathStep {
  part: PartNumber;
  /** Read it closely, or skim for the shape of it. */
  mode: 'read' | 'skim';
  minutes: number;
  /** Why this part sits here on this path. */
  note: string;
}

export interface LearningPath {
  id: 'beginner' | 'data-engineer' | 'architect';
  title: string;
  forWhom: string;
  /** Overall estimate as the series gives it. */
  estimate: string;
  steps: readonly PathStep[];
  /** A closing step outside the series, if any. */
  finally?: string;
}

export const learningPaths: readonly LearningPath[] = [
  {
    id: 'beginner',
    title: 'Complete beginner',
    forWhom: 'New to data platforms: you know some SQL and a little Python.',
    estimate: '2–3 hours, plus the time to set up the stack',
    steps: [
      { part: 1, mode: 'read', minutes: 15, note: 'the vocabulary for everything after it' },
      { part: 2, mode: 'read', minutes: 50, note: 'get the stack running and watch data arrive' },
      { part: 8, mode: 'skim', minutes: 10, note: 'see the finished pipeline before taking it apart' },
      { part: 3, mode: 'read', minutes: 20, note: 'how the tables work' },
      { part: 4, mode: 'read', minutes: 15, note: 'branches for data' },
      { part: 5, mode: 'read', minutes: 22, note: 'how data gets in' },
      { part: 6, mode: 'read', minutes: 22, note: 'how it gets shaped' },
      { part: 7, mode: 'read', minutes: 20, note: 'how it runs on its own' },
      { part: 9, mode: 'skim', minutes: 10, note: 'the quality layers, for later' },
    ],
  },
  {
    id: 'data-engineer',
    title: 'Data engineer',
    forWhom: 'You build pipelines already and want to see how this stack does it.',
    estimate: 'about 3 hours',
    steps: [
      { part: 1, mode: 'skim', minutes: 5, note: 'the stack and the layer names' },
      { part: 2, mode: 'read', minutes: 50, note: 'the real ports and logins' },
      { part: 3, mode: 'read', minutes: 20, note: 'Iceberg internals' },
      { part: 4, mode: 'read', minutes: 15, note: 'Nessie and Write-Audit-Publish' },
      { part: 5, mode: 'read', minutes: 22, note: 'the ingestion decorator' },
      { part: 6, mode: 'read', minutes: 22, note: 'the dbt project' },
      { part: 7, mode: 'read', minutes: 20, note: 'assets, partitions, backfills' },
      { part: 8, mode: 'read', minutes: 25, note: 'all of it together' },
      { part: 9, mode: 'read', minutes: 20, note: 'checks that block bad data' },
      { part: 11, mode: 'read', minutes: 25, note: 'running it without surprises' },
    ],
  },
  {
    id: 'architect',
    title: 'Architect or decision maker',
    forWhom: 'You choose platforms and want the trade-offs, not every command.',
    estimate: 'about 2 hours',
    steps: [
      { part: 1, mode: 'read', minutes: 15, note: 'why a lakehouse at all' },
      { part: 3, mode: 'read', minutes: 20, note: 'the open table format underneath' },
      { part: 4, mode: 'read', minutes: 15, note: 'versioning and safe promotion' },
      { part: 8, mode: 'read', minutes: 25, note: 'what a complete pipeline looks like' },
      { part: 10, mode: 'read', minutes: 25, note: 'governance, contracts, lineage' },
      { part: 12, mode: 'read', minutes: 35, note: 'what production takes' },
    ],
    finally: 'Then read the architecture guide in the Phlo repository’s documentation.',
  },
];

export function pathMinutes(path: LearningPath): number {
  return path.steps.reduce((sum, s) => sum + s.minutes, 0);
}

/* ------------------------------------------------------------------ tools reference */

export interface ToolEntry {
  tool: string;
  role: string;
  parts: readonly PartNumber[];
  keyTopics: string;
}

export const tools: readonly ToolEntry[] = [
  { tool: 'Apache Iceberg', role: 'Open table format', parts: [1, 3, 5, 8], keyTopics: 'Snapshots, manifests, time travel, schema evolution, ACID commits' },
  { tool: 'Project Nessie', role: 'Versioned catalog', parts: [1, 4, 8], keyTopics: 'Branches, tags, merges, Write-Audit-Publish, Iceberg REST endpoint' },
  { tool: 'DLT', role: 'Extract and stage', parts: [5, 8], keyTopics: 'REST API sources, schema normalisation, Parquet staging' },
  { tool: 'PyIceberg', role: 'Python Iceberg client', parts: [5, 8], keyTopics: 'Creating tables, delete-then-append merge, reading snapshots' },
  { tool: 'dbt', role: 'SQL transformations', parts: [1, 6, 8], keyTopics: 'Models, ref() and source(), layers, tests, docs' },
  { tool: 'Dagster', role: 'Orchestration', parts: [1, 7, 8], keyTopics: 'Assets, daily partitions, automation, asset checks, backfills' },
  { tool: 'Trino', role: 'SQL query engine', parts: [1, 3, 5, 6], keyTopics: 'One catalog per Nessie branch, time travel, runs the dbt models' },
  { tool: 'MinIO', role: 'S3-compatible object store', parts: [1, 2], keyTopics: 'Bucket lake, warehouse/ prefix for Iceberg data and metadata' },
  { tool: 'PostgreSQL', role: 'Relational database', parts: [2, 6, 8], keyTopics: 'Nessie version store, Dagster storage, published marts' },
  { tool: 'Superset', role: 'Dashboards', parts: [2, 8], keyTopics: 'Charts and dashboards over the Postgres marts' },
  { tool: 'Pandera', role: 'DataFrame schemas', parts: [5, 9], keyTopics: 'DataFrameModel, Iceberg schema generation, asset checks' },
  { tool: 'OpenMetadata', role: 'Data catalog', parts: [10], keyTopics: 'Search, lineage, ownership, tags, Trino and dbt ingestion' },
  { tool: 'Prometheus, Loki, Grafana', role: 'Observability', parts: [11, 12], keyTopics: 'Metrics, logs and dashboards in the observability profile' },
];

/* ------------------------------------------------------------------ common questions */

export interface CommonQuestion {
  question: string;
  answer: string;
  /** The part that answers it in depth. */
  part: PartNumber;
}

export const commonQuestions: readonly CommonQuestion[] = [
  {
    question: 'Do I need Docker to follow the series?',
    answer: 'No. Every hands-on section runs a small lakehouse in your browser, offline. Docker is for the optional “run it for real” path with the full Phlo stack.',
    part: 2,
  },
  {
    question: 'What is Iceberg, and why not just write Parquet files?',
    answer: 'A folder of Parquet files cannot tell you which files make up the current table, nor change safely under concurrent readers. Iceberg adds metadata that records every version as a snapshot, which gives atomic commits, time travel and schema changes without rewrites.',
    part: 3,
  },
  {
    question: 'Why dbt for transformations instead of Python scripts?',
    answer: 'SQL models that reference each other through ref() give you the dependency order, tests, documentation and lineage for free. Python stays where it is strongest: fetching data and orchestration.',
    part: 6,
  },
  {
    question: 'How does this compare with Snowflake or Databricks?',
    answer: 'The ideas are the same: cheap object storage, a table format with transactions, SQL engines on top. Phlo builds them from open-source parts you run yourself, so the data stays in an open format that any engine can read.',
    part: 1,
  },
  {
    question: 'Is Phlo production-ready?',
    answer: 'The Compose stack, health checks, configuration, observability and API layers exist today. Production still needs the usual work: S3 instead of MinIO, managed Postgres, backups, TLS and real passwords. Kubernetes manifests are not in the repository yet.',
    part: 12,
  },
  {
    question: 'Can I ingest from databases and files, not only APIs?',
    answer: 'Yes. The ingestion decorator only needs a DLT source, and DLT has sources for SQL databases and files as well as REST APIs. The merge into Iceberg is the same whatever the source.',
    part: 5,
  },
  {
    question: 'How do I keep bad data out?',
    answer: 'With three layers: Pandera schemas describe what a table must look like, dbt tests check each model, and Dagster asset checks validate the data at run time and can block what comes after.',
    part: 9,
  },
  {
    question: 'How do people find and understand the data?',
    answer: 'OpenMetadata collects tables from Trino and models from dbt into one searchable catalog with lineage, descriptions, owners and tags.',
    part: 10,
  },
  {
    question: 'How do I know the pipeline is actually running?',
    answer: 'Freshness policies, asset checks, run metrics, structured logs and alerts to Slack, PagerDuty or email, with Grafana dashboards over Prometheus and Loki.',
    part: 11,
  },
  {
    question: 'How far does it scale?',
    answer: 'A laptop runs the whole stack. Beyond that, storage moves to S3, Postgres to a managed service, and Trino and Dagster workers scale out on more machines.',
    part: 12,
  },
];

/* ------------------------------------------------------------------ self-check */

/** Fails the build early if the data above contradicts itself. */
function checkSeries(): void {
  const problems: string[] = [];
  parts.forEach((p, i) => {
    if (p.number !== i + 1) problems.push(`part at position ${i + 1} is numbered ${p.number}`);
    const prefix = String(p.number).padStart(2, '0') + '-';
    if (!p.slug.startsWith(prefix) || !/^\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*$/.test(p.slug)) {
      problems.push(`part ${p.number}: slug "${p.slug}" is not "${prefix}kebab-title"`);
    }
    if (p.handsOn && !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(p.handsOn.anchor)) {
      problems.push(`part ${p.number}: hands-on anchor "${p.handsOn.anchor}" is not a heading slug`);
    }
  });
  for (const lp of learningPaths) {
    for (const step of lp.steps) {
      if (!parts.some((p) => p.number === step.part)) problems.push(`path ${lp.id}: no part ${step.part}`);
    }
  }
  for (const q of commonQuestions) {
    if (!parts.some((p) => p.number === q.part)) problems.push(`question "${q.question}": no part ${q.part}`);
  }
  if (problems.length > 0) throw new Error(`src/data/series.ts is inconsistent:\n- ${problems.join('\n- ')}`);
}
checkSeries();

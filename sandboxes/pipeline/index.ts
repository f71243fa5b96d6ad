/**
 * The glucose pipeline, for hosts that import it as a library (the browser sandbox's Web
 * Worker, tests, scripts). Node-only helpers live in lakehouse/open-node.ts,
 * cli/node-wiring.ts and transform/load-dir.ts and are not exported here.
 *
 * In a Web Worker:
 *   const lake = await openLakehouse({ storage: new OpfsStorage(...), engine: await createBrowserEngine(bundle) });
 *   const pipeline = new Pipeline({ lake, definitions: glucoseDefinitions({ project: GLUCOSE_PROJECT_FILES }),
 *                                   postgres: () => openPostgres('idb://phlo-marts'), onEvent });
 *   await pipeline.materialize({ partitions: ['2025-01-15'] });
 *   // or the same command line as Node: runCommand(argv, { open: async () => ({ pipeline, lake }) }, io)
 */
export { Pipeline, PipelineError, type PipelineOptions, type MaterializeRequest } from './orchestrate/pipeline.ts';
export { glucoseDefinitions, resolveChecks, type Definitions, type IngestionAssetDef, type AssetChecksDecl, type CheckDecl, type PublishDef, type GlucoseOptions } from './orchestrate/definitions.ts';
export { AssetGraph, type AssetNode, type LineageGraph } from './orchestrate/graph.ts';
export { listRuns, loadRun, formatEvent, RUNS_DIR, type RunRecord, type RunEvent, type EventType } from './orchestrate/runlog.ts';
export { ingestPartition, ValidationFailedError, type IngestOutcome } from './orchestrate/ingest.ts';
export { GLUCOSE_PROJECT_FILES } from './project/files.generated.ts';
export { loadProject, ProjectError, type Project, type ModelNode, type SchemaTest } from './transform/project.ts';
export { compileModel, compileTest, relationOf } from './transform/compile.ts';
export { select as selectModels, topoOrder } from './transform/dag.ts';
export { build as buildModels, type ModelResult, type TestResult } from './transform/run.ts';
export { render as renderTemplate, TemplateError } from './transform/template.ts';
export { PluginRegistry, PluginError } from './plugins/registry.ts';
export { createDefaultRegistry, nightscoutSource, entriesFileSource, dltNormalize, builtinChecks } from './plugins/builtin.ts';
export type { Plugin, PluginMetadata, SourceConnectorPlugin, QualityCheckPlugin, TransformationPlugin } from './plugins/types.ts';
export { githubEventsSource, GitHubEvents } from './plugins/examples/github-events.ts';
export type { Check, CheckContext, CheckOutcome, CheckResult, Severity, AssetCheckDef } from './checks/types.ts';
export { nullCheck, rangeCheck, uniqueCheck, freshnessCheck, countCheck, customSqlCheck } from './checks/builtin.ts';
export { fetchDay, generateEntries, VALID_DIRECTIONS, type NightscoutEntry, type SourceOptions, type BadDataKind } from './source/nightscout.ts';
export { readEntriesFile } from './source/file-reader.ts';
export { validateRows, describeReport, type ValidationReport, type ValidationFailure } from './validate/validate.ts';
export { defineSchema, col, type TableSchema, type ColumnSpec } from './validate/schema.ts';
export { RawGlucoseEntries, FactGlucoseReadings } from './validate/glucose-schemas.ts';
export { publishTables, openPostgres, type PostgresLike } from './publish/postgres.ts';
export { openLakehouse, type OpenOptions } from './lakehouse/open.ts';
export { WarehouseLakehouse } from './lakehouse/warehouse-adapter.ts';
export type { Lakehouse, WriteOutcome } from './lakehouse/port.ts';
export { runCommand, USAGE, type CliIo, type CliWiring } from './cli/commands.ts';

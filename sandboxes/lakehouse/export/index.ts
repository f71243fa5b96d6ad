/**
 * Exporting a lakehouse to real engines: every table on a ref as standard Iceberg with its
 * locations moved to a folder or s3:// prefix of the learner's choosing (export.ts), and the
 * export as one deterministic zip (zip.ts). Browser-safe: nothing here imports `node:*`.
 */
export { planExport, writeExport, checkExportPath, EXPORT_MANIFEST, EXPORT_FORMAT, type ExportPlan, type ExportFile, type ExportedTable, type ExportSource } from './export.ts';
export { parseDestination, locate, suggestedFolder, ExportError, type Destination } from './destination.ts';
export { exportReadme } from './readme.ts';
export { zipExport, zipExportBytes } from './zip.ts';

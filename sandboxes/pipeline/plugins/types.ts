/**
 * One plugin interface for the three kinds Phlo extends (phlo.plugins.sources,
 * phlo.plugins.quality, phlo.plugins.transforms). The built-in Nightscout source, the
 * built-in checks and the DLT-style normaliser are registered through it too, so a new
 * plugin is a peer of the built-ins, not a special case.
 */
import type * as arrow from 'apache-arrow';
import type { Check } from '../checks/types.ts';
import type { TableSchema } from '../validate/schema.ts';

export interface PluginMetadata {
  name: string;
  version: string;
  description: string;
  author?: string;
  license?: string;
  homepage?: string;
  tags?: string[];
  dependencies?: string[];
}

export interface FetchContext {
  /** The run clock: a source returns what it would have returned at this moment. */
  asOf: number;
}

export interface FetchResult {
  /** Records as the source gives them (any field names; a transform normalises them). */
  records: Record<string, unknown>[];
  /** Source-specific counts for the run log ("not_yet_arrived": 4). */
  stats?: Record<string, number>;
}

export interface SourceConnectorPlugin {
  type: 'source';
  metadata: PluginMetadata;
  /** The records of one daily partition. */
  fetchPartition(config: Record<string, unknown>, partition: string, ctx: FetchContext): Promise<FetchResult>;
  /** The staged table's schema (used to validate and to create the Iceberg table). */
  getSchema(config: Record<string, unknown>): TableSchema;
  testConnection?(config: Record<string, unknown>): Promise<boolean>;
}

export interface QualityCheckPlugin {
  type: 'quality';
  metadata: PluginMetadata;
  createCheck(params: Record<string, unknown>, context: { partitionColumn: string | null }): Check;
}

export interface TransformContext { loadId: string; partition: string }

/** Rows in, rows out: runs on a batch between fetching and staging. */
export interface TransformationPlugin {
  type: 'transform';
  metadata: PluginMetadata;
  transform(rows: Record<string, unknown>[], config: Record<string, unknown>, ctx: TransformContext): Record<string, unknown>[] | Promise<Record<string, unknown>[]>;
  /** Optional: the Arrow form, for transforms that are easier over columns. */
  transformArrow?(table: arrow.Table, config: Record<string, unknown>): arrow.Table;
}

export type Plugin = SourceConnectorPlugin | QualityCheckPlugin | TransformationPlugin;
export type PluginType = Plugin['type'];

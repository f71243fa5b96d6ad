/**
 * Iceberg's data model as TypeScript types: schemas, partition specs, snapshots, table
 * metadata, manifest list entries and manifest entries. Names follow the spec (kebab-case
 * keys in JSON; snake_case in Avro, camelCase here).
 */

export type PrimitiveType =
  | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'date' | 'time' | 'timestamp' | 'timestamptz'
  | 'timestamp_ns' | 'timestamptz_ns' | 'string' | 'uuid' | 'binary'
  | `decimal(${number},${number})` | `decimal(${number}, ${number})` | `fixed[${number}]`;

export interface StructType {
  type: 'struct';
  fields: NestedField[];
}
export interface ListType {
  type: 'list';
  'element-id': number;
  element: IcebergType;
  'element-required': boolean;
}
export interface MapType {
  type: 'map';
  'key-id': number;
  key: IcebergType;
  'value-id': number;
  value: IcebergType;
  'value-required': boolean;
}
export type IcebergType = PrimitiveType | StructType | ListType | MapType;

export interface NestedField {
  id: number;
  name: string;
  required: boolean;
  type: IcebergType;
  doc?: string;
  'initial-default'?: unknown;
  'write-default'?: unknown;
}

export interface Schema {
  type: 'struct';
  'schema-id': number;
  'identifier-field-ids'?: number[];
  fields: NestedField[];
}

export type Transform = string; // identity | year | month | day | hour | bucket[N] | truncate[W] | void

export interface PartitionField {
  'source-id': number;
  'field-id': number;
  name: string;
  transform: Transform;
}

export interface PartitionSpec {
  'spec-id': number;
  fields: PartitionField[];
}

export interface SortOrder {
  'order-id': number;
  fields: unknown[];
}

export interface SnapshotSummary {
  operation: 'append' | 'replace' | 'overwrite' | 'delete';
  [key: string]: string;
}

export interface Snapshot {
  'snapshot-id': bigint;
  'parent-snapshot-id'?: bigint;
  'sequence-number': number;
  'timestamp-ms': number;
  'manifest-list'?: string;
  /** v1 only: manifests listed directly instead of a manifest list. */
  manifests?: string[];
  summary: SnapshotSummary;
  'schema-id'?: number;
}

export interface SnapshotRef {
  'snapshot-id': bigint;
  type: 'branch' | 'tag';
  'max-ref-age-ms'?: number;
  'max-snapshot-age-ms'?: number;
  'min-snapshots-to-keep'?: number;
}

/** Table metadata normalized to the v2 shape whatever version was read. */
export interface TableMetadata {
  'format-version': 1 | 2;
  'table-uuid': string;
  location: string;
  'last-sequence-number': number;
  'last-updated-ms': number;
  'last-column-id': number;
  'current-schema-id': number;
  schemas: Schema[];
  'default-spec-id': number;
  'partition-specs': PartitionSpec[];
  'last-partition-id': number;
  'default-sort-order-id': number;
  'sort-orders': SortOrder[];
  properties: Record<string, string>;
  'current-snapshot-id': bigint | null;
  refs: Record<string, SnapshotRef>;
  snapshots: Snapshot[];
  statistics?: unknown[];
  'snapshot-log': { 'timestamp-ms': number; 'snapshot-id': bigint }[];
  'metadata-log': { 'timestamp-ms': number; 'metadata-file': string }[];
}

export const ManifestContent = { DATA: 0, DELETES: 1 } as const;
export const DataFileContent = { DATA: 0, POSITION_DELETES: 1, EQUALITY_DELETES: 2 } as const;
export const EntryStatus = { EXISTING: 0, ADDED: 1, DELETED: 2 } as const;

/** One entry of a manifest list. */
export interface ManifestFile {
  manifestPath: string;
  manifestLength: bigint;
  partitionSpecId: number;
  content: number;
  sequenceNumber: number;
  minSequenceNumber: number;
  addedSnapshotId: bigint;
  addedFilesCount: number;
  existingFilesCount: number;
  deletedFilesCount: number;
  addedRowsCount: bigint;
  existingRowsCount: bigint;
  deletedRowsCount: bigint;
  partitions: FieldSummary[] | null;
}

export interface FieldSummary {
  containsNull: boolean;
  containsNan: boolean | null;
  lowerBound: Uint8Array | null;
  upperBound: Uint8Array | null;
}

export interface DataFile {
  content: number;
  filePath: string;
  fileFormat: string;
  /** Partition tuple by partition field name, values in the internal representation. */
  partition: Record<string, unknown>;
  recordCount: bigint;
  fileSizeInBytes: bigint;
  columnSizes: Map<number, bigint> | null;
  valueCounts: Map<number, bigint> | null;
  nullValueCounts: Map<number, bigint> | null;
  nanValueCounts: Map<number, bigint> | null;
  lowerBounds: Map<number, Uint8Array> | null;
  upperBounds: Map<number, Uint8Array> | null;
  splitOffsets: bigint[] | null;
  equalityIds: number[] | null;
  sortOrderId: number | null;
}

export interface ManifestEntry {
  status: number;
  snapshotId: bigint | null;
  /** Data sequence number, after inheritance from the manifest list. */
  sequenceNumber: number | null;
  fileSequenceNumber: number | null;
  dataFile: DataFile;
}

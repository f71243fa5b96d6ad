/**
 * Arrow plumbing shared by both DuckDB factories.
 *
 * Timestamps with a time zone become plain UTC timestamps before DuckDB sees them: without
 * the ICU extension (not built into DuckDB-WASM, and we never download extensions)
 * functions over TIMESTAMP WITH TIME ZONE fail or hang the worker. The stored values are
 * already UTC microseconds, so dropping the zone label changes no value.
 */
import * as arrow from 'apache-arrow';

export function toArrowTable(data: arrow.Table | Uint8Array): arrow.Table {
  return data instanceof Uint8Array ? arrow.tableFromIPC(data) : data;
}

function withoutZone(type: arrow.DataType): arrow.DataType | null {
  if (arrow.DataType.isTimestamp(type) && type.timezone) return new arrow.Timestamp(type.unit, null);
  return null;
}

/** The same table with every zoned timestamp column relabelled as UTC without zone. */
export function stripTimeZones(table: arrow.Table): arrow.Table {
  const changed = table.schema.fields.some((f) => withoutZone(f.type));
  if (!changed) return table;
  const fields = table.schema.fields.map((f) => {
    const t = withoutZone(f.type);
    return t ? new arrow.Field(f.name, t, f.nullable, f.metadata) : f;
  });
  const schema = new arrow.Schema(fields, table.schema.metadata);
  const batches = table.batches.map((batch) => {
    const children = batch.data.children.map((child) => {
      const t = withoutZone(child.type);
      return t ? child.clone(t) : child;
    });
    const data = arrow.makeData({ type: new arrow.Struct(fields), length: batch.numRows, nullCount: 0, children });
    return new arrow.RecordBatch(schema, data);
  });
  return new arrow.Table(schema, batches);
}

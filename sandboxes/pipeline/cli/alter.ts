/**
 * `alter TABLE add-column NAME TYPE` and `alter TABLE rename-column FROM TO`: Iceberg schema
 * evolution from the pipeline terminal (Part 3), the miniature's `ALTER TABLE ... ADD COLUMN`
 * and `... RENAME COLUMN` in Trino.
 *
 * Both are metadata-only commits: the table gets a new schema (an added column takes the next
 * field id, a renamed one keeps its id), the current snapshot and every data file stay as they
 * are, and the catalog records one commit on the branch. Rows written before the change read
 * the added column as null, because their files have no column with that id.
 */
import type { Lakehouse } from '../lakehouse/port.ts';
import type { Warehouse } from '../../lakehouse/warehouse.ts';
import type { IcebergType, PrimitiveType } from '../../lakehouse/iceberg/types.ts';

export interface AlterIo { out(line: string): void; err(line: string): void }

export const ALTER_USAGE = [
  'alter TABLE add-column NAME TYPE [--ref BRANCH]   add an optional column (old rows read it as null)',
  'alter TABLE rename-column FROM TO [--ref BRANCH]  rename a column; its field id stays the same',
];

const PRIMITIVES: PrimitiveType[] = ['boolean', 'int', 'long', 'float', 'double', 'date', 'time', 'timestamp', 'timestamptz', 'string', 'uuid', 'binary'];
/** SQL spellings a learner coming from Trino may type, and the Iceberg type they mean. */
const SQL_NAMES: Record<string, PrimitiveType> = { integer: 'int', bigint: 'long', real: 'float', varchar: 'string', text: 'string' };

/** An Iceberg primitive type from what was typed, or an error message saying what is allowed. */
export function parseColumnType(typed: string): { type: IcebergType } | { error: string } {
  const t = typed.trim().toLowerCase().replace(/\s+/g, '');
  if ((PRIMITIVES as string[]).includes(t)) return { type: t as PrimitiveType };
  if (SQL_NAMES[t]) return { type: SQL_NAMES[t]! };
  const dec = /^decimal\((\d+),(\d+)\)$/.exec(t);
  if (dec && Number(dec[1]) >= 1 && Number(dec[1]) <= 38 && Number(dec[2]) <= Number(dec[1])) return { type: `decimal(${Number(dec[1])},${Number(dec[2])})` };
  return { error: `"${typed}" is not a column type. Use one of ${PRIMITIVES.join(', ')}, or decimal(P,S) (P up to 38, S up to P).` };
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

export async function alterCommand(rest: string[], ref: string, lake: Lakehouse, io: AlterIo): Promise<number> {
  const [table, action, a, b, ...extra] = rest;
  const usage = () => { io.err('alter takes:'); ALTER_USAGE.forEach((l) => io.err(`  ${l}`)); return 2; };
  if (!table || !action || !a || !b || extra.length) return usage();
  if (action !== 'add-column' && action !== 'rename-column') { io.err(`Unknown alter action "${action}".`); return usage(); }
  const warehouse = (lake as unknown as { warehouse?: Warehouse }).warehouse;
  if (!warehouse) { io.err('alter needs the Iceberg warehouse; this lakehouse has no table metadata to change.'); return 2; }
  if (!(await lake.tableExists(ref, table))) {
    const there = await lake.listTables(ref);
    io.err(`Table ${table} does not exist on ${ref}${there.length ? ` (tables there: ${there.join(', ')})` : ' (no tables there yet)'}.`);
    return 1;
  }
  const newName = action === 'add-column' ? a : b;
  if (!NAME_RE.test(newName)) { io.err(`"${newName}" is not a column name: use letters, digits and _, starting with a letter or _.`); return 2; }
  let change: string;
  let type: IcebergType | null = null;
  if (action === 'add-column') {
    const parsed = parseColumnType(b);
    if ('error' in parsed) { io.err(parsed.error); return 2; }
    type = parsed.type;
    change = `add column ${a} ${String(type)}`;
  } else change = `rename column ${a} to ${b}`;
  const handle = await warehouse.table(table, { ref, message: `alter table ${table}: ${change}` });
  const before = handle.schema();
  const update = handle.updateSchema();
  if (type) update.addColumn(a, type);
  else update.renameColumn(a, b);
  try {
    const schema = await update.commit();
    const field = schema.fields.find((f) => f.name === newName)!;
    io.out(`Altered ${table} on ${ref}: ${change}.`);
    io.out(`Schema ${before['schema-id']} -> ${schema['schema-id']}; ${newName} has field id ${field.id}. No data file was rewritten; the current snapshot is unchanged.`);
    if (type) io.out(`Rows written before this change read ${a} as null. See it with: sql "select ${a}, count(*) from ${table} group by 1"`);
    return 0;
  } catch (err) {
    // The schema rules' own message (the column exists, is missing, ...); nothing was committed.
    io.err(`${(err as Error).message} Nothing was changed.`);
    return 1;
  }
}

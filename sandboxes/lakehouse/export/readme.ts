/**
 * README.txt of an export: how to open the exported tables in DuckDB, PyIceberg, Spark, Trino,
 * and how to put them into Phlo's own stack (MinIO + Nessie), with this export's own paths
 * filled in. What each recipe rests on is said once, at the end: the forms were checked against
 * each engine's documentation (and Nessie's source), and none of those engines runs here, so
 * none was run against these files; what was run here is our own reader and icebird.
 *
 * Phlo facts (ports, credentials, bucket, Nessie version) are the example project's defaults at
 * the pinned commit (examples/glucose-platform/.phlo/docker-compose.yml at 0fb5f06).
 */
import type { Destination } from './destination.ts';
import type { ExportedTable } from './export.ts';

const sq = (s: string) => `'${s.replace(/'/g, "''")}'`;
/** The name the browser gives the download (the CLI's --zip names its own). */
export const zipName = (ref: string) => `phlo-lakehouse-${ref.replace(/[^A-Za-z0-9_.-]+/g, '-')}.zip`;
/** A word for a POSIX shell: quoted when it holds anything but safe characters. */
const shq = (s: string) => (/^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export function exportReadme(info: { ref: string; commit: string; destination: Destination; tables: ExportedTable[] }): string {
  const { ref, commit, destination, tables } = info;
  const s3 = destination.kind === 's3';
  const first = tables[0];
  const lines: string[] = [];
  const p = (...l: string[]) => lines.push(...l);
  p(
    'Phlo lakehouse export',
    '=====================',
    '',
    `Ref:         ${ref} (catalog commit ${commit})`,
    `Destination: ${destination.root}`,
    '',
    'Every table on the ref, as standard Apache Iceberg (format version 2): metadata JSON,',
    'manifest lists and manifests (Avro), data and delete files (Parquet). Every location inside',
    `those files starts with ${destination.root}/, so an engine finds the files only once they are`,
    'exactly there.',
    '',
  );
  if (s3) {
    p(`Put them there: upload this folder (the one holding this README.txt) to ${destination.root}/,`, 'for example with the MinIO client (see "Phlo\'s stack" below for the alias):', '', `  mc cp --recursive ./ phlo/${destination.bucket}/${destination.prefix ? `${destination.prefix}/` : ''}`, '');
  } else {
    // A folder as a shell takes it: file:///C:/x -> C:/x, file:///x -> /x.
    const folder = destination.root.replace(/^file:\/\/\/([A-Za-z]:)/, '$1').replace(/^file:\/\//, '');
    p('Put them there: unzip the archive so that this README.txt ends up as', `  ${folder}/README.txt`, 'for example:', '', `  mkdir -p ${shq(folder)}`, `  unzip ${zipName(ref)} -d ${shq(folder)}`, '');
  }
  p('Tables', '------', '');
  if (!tables.length) p(`(none: the ref '${ref}' holds no tables yet)`, '');
  for (const t of tables) {
    p(`${t.name}: ${t.snapshots} snapshot(s), current snapshot ${t.currentSnapshotId ?? '(none: empty table)'}`, `  metadata: ${t.metadataLocation}`);
  }
  p('');
  if (!first) return lines.join('\n') + '\n';
  const meta = first.metadataLocation;

  p(
    'DuckDB (iceberg extension)',
    '--------------------------',
    '',
    '  INSTALL iceberg;   -- once: downloads the extension, needs internet access',
    '  LOAD iceberg;',
  );
  if (s3) {
    p(
      "  -- MinIO of Phlo's example project (change the keys and endpoint for yours):",
      "  CREATE SECRET (TYPE s3, KEY_ID 'minio', SECRET 'minio123', ENDPOINT 'localhost:9000',",
      "                 URL_STYLE 'path', USE_SSL false, REGION 'us-east-1');",
    );
  }
  for (const t of tables) p(`  SELECT * FROM iceberg_scan(${sq(t.metadataLocation)});`);
  p(
    '',
    'An older snapshot: add snapshot_from_id = <snapshot id> to iceberg_scan.',
    '',
    'PyIceberg',
    '---------',
    '',
    '  from pyiceberg.table import StaticTable',
  );
  const props = s3 ? ", properties={'s3.endpoint': 'http://localhost:9000', 's3.access-key-id': 'minio', 's3.secret-access-key': 'minio123', 's3.region': 'us-east-1'}" : '';
  p(`  table = StaticTable.from_metadata(${sq(meta)}${props})`, '  print(table.scan().to_arrow())', '');
  p(
    'Spark (Iceberg runtime with its SQL extensions; any Iceberg catalog, here named cat)',
    '-------------------------------------------------------------------------------------',
    '',
  );
  for (const t of tables) p(`  CALL cat.system.register_table(table => ${sq(t.name)}, metadata_file => ${sq(t.metadataLocation)});`);
  p(
    '',
    'Register a table in one catalog only: two catalogs committing to the same files lose updates.',
    '',
    'Trino (Iceberg connector, with iceberg.register-table-procedure.enabled=true in the catalog file)',
    '-------------------------------------------------------------------------------------------------',
    '',
  );
  for (const t of tables) {
    p(`  CALL iceberg.system.register_table(schema_name => ${sq(t.namespace)}, table_name => ${sq(t.table)}, table_location => ${sq(t.location)}, metadata_file_name => ${sq(t.metadataFileName)});`);
  }
  p('', 'Each schema must exist first: ' + [...new Set(tables.map((t) => `CREATE SCHEMA iceberg.${t.namespace};`))].join(' '), '');
  p(
    "Phlo's stack (example project: MinIO on localhost:9000, user minio / minio123, bucket lake;",
    'Nessie 0.99.0 on localhost:19120, whose Iceberg REST catalog is under /iceberg)',
    '------------------------------------------------------------------------------------------',
    '',
  );
  if (!s3) {
    p(
      'Nessie and Trino read s3:// locations on MinIO, not your disk: export again with',
      '  npm run lakehouse -- export --ref ' + shq(ref) + ' --to s3://lake/export/' + ref.replace(/[^A-Za-z0-9_.-]/g, '-') + ' --zip ' + zipName(ref),
      '(or type that destination in the browser) and follow the steps that README gives.',
      '',
    );
  } else {
    const branch = ref;
    p(
      '1. Upload (MinIO client):',
      '     mc alias set phlo http://localhost:9000 minio minio123',
      `     mc cp --recursive ./ phlo/${destination.bucket}/${destination.prefix ? `${destination.prefix}/` : ''}`,
      '',
      `2. Register each table on a Nessie branch through the Iceberg REST API. The branch is the`,
      `   {prefix} in the path; here '${branch}' (the ref you exported). It must be a branch that`,
      '   exists in Nessie (registering on a tag fails), and a table of the same name must not be',
      '   on it yet (that is a 409): Phlo may have its own raw.glucose_entries on main. A branch of',
      `   its own avoids both; create it from main (Nessie API v2), then use its name below:`,
      '     curl -s http://localhost:19120/api/v2/trees/main        # note the "hash"',
      `     curl -X POST 'http://localhost:19120/api/v2/trees?name=${encodeURIComponent(branch)}&type=BRANCH' \\`,
      "       -H 'Content-Type: application/json' -d '{\"type\":\"BRANCH\",\"name\":\"main\",\"hash\":\"<hash>\"}'",
      '   Create each namespace once (a 409 saying it exists is fine), then register:',
      '',
    );
    const namespaces = [...new Set(tables.map((t) => t.namespace))];
    const nsPath = (ns: string) => ns.split('.').map(encodeURIComponent).join('%1F');
    for (const ns of namespaces) {
      p(`     curl -X POST http://localhost:19120/iceberg/v1/${encodeURIComponent(branch)}/namespaces \\`, "       -H 'Content-Type: application/json' \\", `       -d '${JSON.stringify({ namespace: ns.split('.') })}'`);
    }
    for (const t of tables) {
      p(
        `     curl -X POST http://localhost:19120/iceberg/v1/${encodeURIComponent(branch)}/namespaces/${nsPath(t.namespace)}/register \\`,
        "       -H 'Content-Type: application/json' \\",
        `       -d '${JSON.stringify({ name: t.table, 'metadata-location': t.metadataLocation })}'`,
      );
    }
    p(
      '',
      "3. Query through Phlo's Trino (catalog iceberg reads Nessie's main, iceberg_dev reads dev):",
      `     SELECT * FROM iceberg.${first.name};`,
      '',
    );
  }
  p(
    'What was and was not tested',
    '---------------------------',
    '',
    "Tested where this export was made: the course's own Iceberg reader and icebird (an",
    'independent reader) read every exported table, at every snapshot, from the exported files',
    'alone, with the same rows as the lakehouse; no location in the export points back into it.',
    'Not run here (no Java, Python, DuckDB extension download, Docker or S3 on that machine):',
    'the DuckDB, PyIceberg, Spark, Trino, MinIO and Nessie steps above. Their forms follow each',
    "project's documentation (and Nessie's Iceberg REST source); check them against your versions.",
  );
  return lines.join('\n') + '\n';
}

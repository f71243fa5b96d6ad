/**
 * Where the Iceberg tables written by other engines live: tests/fixtures/iceberg, inside the
 * repository, so that a plain clone tests the reader against them with nothing beside it.
 * Provenance and licences: tests/fixtures/iceberg/NOTICE.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const fixturesRoot = path.join(repoRoot, 'tests', 'fixtures', 'iceberg');

if (!existsSync(path.join(fixturesRoot, 'INDEX.md'))) {
  throw new Error(`The Iceberg fixture tables are missing from ${fixturesRoot}: they are part of the repository (git checkout -- tests/fixtures/iceberg).`);
}

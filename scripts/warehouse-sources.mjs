/**
 * The version of the prebuilt warehouse: a hash of every file under sandboxes/ (the builder
 * and everything it imports). The builder is deterministic, so two builds from the same
 * sources are byte-identical; the build records this hash beside public/warehouse, and the
 * tests' warehouse cache (tests/unit/sections/prebuilt-section.ts) reuses the build's copy
 * when the hashes match instead of building the same warehouse a second time (~40 s in CI).
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Where the build writes the hash of the sources public/warehouse was built from (git-ignored). */
export const BUILT_WAREHOUSE_STAMP = path.join(ROOT, '.cache', 'public-warehouse.sources');

/** First 16 hex digits of the sha256 over every path and content under sandboxes/, in name order. */
export function warehouseSourcesHash() {
  const hash = createHash('sha256');
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else hash.update(full.slice(ROOT.length)).update(readFileSync(full));
    }
  };
  walk(path.join(ROOT, 'sandboxes'));
  return hash.digest('hex').slice(0, 16);
}

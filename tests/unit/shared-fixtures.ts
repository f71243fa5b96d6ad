/**
 * Where the Iceberg tables written by other engines live: the `shared/fixtures` folder that
 * sits beside this repository (../shared). A clone made elsewhere (git clone . /tmp/fresh)
 * finds it beside the repository it was cloned from; PHLO_SHARED overrides both.
 */
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function originCheckout(): string | null {
  try {
    const url = execFileSync('git', ['remote', 'get-url', 'origin'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return url && !/^[a-z]+:\/\//i.test(url) && !url.includes('@') ? path.resolve(repoRoot, url.replace(/^file:\/\//, '')) : null;
  } catch {
    return null;
  }
}

function findFixtures(): string {
  const candidates = [
    process.env.PHLO_SHARED && path.resolve(process.env.PHLO_SHARED, 'fixtures'),
    path.resolve(repoRoot, '..', 'shared', 'fixtures'),
    originCheckout() && path.resolve(originCheckout()!, '..', 'shared', 'fixtures'),
  ].filter((c): c is string => !!c);
  const found = candidates.find((c) => existsSync(path.join(c, 'INDEX.md')));
  if (!found) throw new Error(`The shared Iceberg fixtures were not found (looked in ${candidates.join(', ')}). Put shared/ beside the repository, or set PHLO_SHARED to its folder.`);
  return found;
}

export const fixturesRoot = findFixtures();

/** Node-only: read a project folder into the path -> text map loadProject takes. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export function readProjectFiles(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(sql|ya?ml)$/.test(name)) files[relative(dir, p).split('\\').join('/')] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return files;
}

/** The glucose project shipped in sandboxes/pipeline/project. */
export const GLUCOSE_PROJECT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'project');

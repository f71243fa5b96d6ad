/**
 * The file tree a WebContainer would mount to run the pipeline's real command line in a
 * real Node.js: the lakehouse and pipeline sources transpiled from TypeScript to plain
 * ES modules (a WebContainer's Node cannot strip types), the glucose project with the
 * learner's edits applied, and a package.json naming the runtime dependencies. Commands
 * then run as `node phlo.mjs <command>`, the same argv as `npm run pipeline -- <command>`.
 *
 * Host-free on purpose: the browser passes sources bundled as text, the unit test passes
 * them read from disk, and runs the resulting tree with Node to prove it works.
 */
import { transform } from 'sucrase';

/** WebContainer's FileSystemTree shape (kept local so this module has no browser import). */
export type FileTree = { [name: string]: { file: { contents: string } } | { directory: FileTree } };

export interface TreeInput {
  /** Repository-relative path ("sandboxes/pipeline/cli/main.ts") -> TypeScript source. */
  sources: Record<string, string>;
  /** Project-relative path ("models/silver/x.sql") -> text, edits already applied. */
  project: Record<string, string>;
  /** The dependency versions to list in package.json. */
  dependencies: Record<string, string>;
}

/** Rewrite relative `.ts` import specifiers to `.js` after transpiling. */
function toJs(source: string, path: string): string {
  const js = transform(source, { transforms: ['typescript'], filePath: path, disableESTransforms: true, keepUnusedImports: false }).code;
  return js.replace(/(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\.ts\2/g, (_m, head: string, q: string, spec: string) => `${head}${q}${spec}.js${q}`);
}

function put(tree: FileTree, path: string, contents: string): void {
  const parts = path.split('/');
  let dir = tree;
  for (const p of parts.slice(0, -1)) {
    const next = (dir[p] ??= { directory: {} }) as { directory: FileTree };
    dir = next.directory;
  }
  dir[parts[parts.length - 1]!] = { file: { contents } };
}

export const PIPELINE_ENTRY = 'phlo.mjs';

export function webcontainerTree(input: TreeInput): FileTree {
  const tree: FileTree = {};
  for (const [path, source] of Object.entries(input.sources)) {
    if (!path.endsWith('.ts') || path.endsWith('.d.ts')) continue;
    put(tree, path.replace(/\.ts$/, '.js'), toJs(source, path));
  }
  for (const [path, text] of Object.entries(input.project)) put(tree, `sandboxes/pipeline/project/${path}`, text);
  put(tree, 'package.json', JSON.stringify({ name: 'phlo-sandbox', private: true, type: 'module', dependencies: input.dependencies }, null, 2) + '\n');
  put(tree, PIPELINE_ENTRY, "// `node phlo.mjs <command>`: the pipeline's command line, as `npm run pipeline -- <command>`.\nimport './sandboxes/pipeline/cli/main.js';\n");
  return tree;
}

/** Settings from pipeline.config.ts, as the CLI's own flags. */
export function settingsToFlags(settings: { seed?: string; badDays?: Record<string, string> }): string[] {
  const out: string[] = [];
  if (settings.seed) out.push('--seed', settings.seed);
  for (const [day, kind] of Object.entries(settings.badDays ?? {})) out.push('--bad-day', `${day}:${kind}`);
  return out;
}

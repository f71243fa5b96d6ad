/**
 * The file tree a WebContainer mounts to run the pipeline's real command line in a real
 * Node.js, with no `npm install`:
 *
 *   lib/pipeline.mjs, lib/*.wasm, ...   the CLI PREBUNDLED by scripts/bundle-webcontainer.mjs
 *                                       (every npm dependency inside, wasm files beside it)
 *   project/...                         the glucose project with the learner's edits (the
 *                                       bundle finds it as ../project from lib/)
 *   phlo.mjs                            the entry: the learner's pipeline.config.ts settings
 *                                       as CLI flags, then the bundle
 *   package.json                        no dependencies; `npm run pipeline -- <command>` works
 *                                       as in the course text
 *
 * Commands run as `node phlo.mjs <command>`, the same argv as `npm run pipeline -- <command>`.
 * Host-free on purpose: the browser passes the bundle fetched from the site, the unit test
 * passes it read from a fresh bundle on disk and runs the tree with Node.
 */

/** WebContainer's FileSystemTree shape (kept local so this module has no browser import). */
export type FileTree = { [name: string]: { file: { contents: string | Uint8Array } } | { directory: FileTree } };

/** Settings from pipeline.config.ts (see learner-config.ts). */
export interface TreeSettings {
  seed?: string;
  badDays?: Record<string, string>;
}

export interface TreeInput {
  /** The prebundled CLI: tree path ("lib/pipeline.mjs") -> contents (binary files as bytes). */
  bundle: Record<string, string | Uint8Array>;
  /** Project-relative path ("models/silver/x.sql") -> text, edits already applied. */
  project: Record<string, string>;
  /** The learner's pipeline.config.ts, already evaluated. */
  settings?: TreeSettings;
}

export const PIPELINE_ENTRY = 'phlo.mjs';
/** Where the glucose project is mounted (the bundle in lib/ reads ../project). */
export const PROJECT_DIR = 'project';
/** The CLI's default warehouse folder (DEFAULT_WAREHOUSE in node-wiring.ts), relative to the root. */
export const WAREHOUSE_DIR = 'warehouse';
/** The bundle's entry inside the tree (BUNDLE_ENTRY in scripts/bundle-webcontainer.mjs). */
export const BUNDLE_ENTRY = 'lib/pipeline.mjs';

function put(tree: FileTree, path: string, contents: string | Uint8Array): void {
  const parts = path.split('/').filter(Boolean);
  let dir = tree;
  for (const p of parts.slice(0, -1)) {
    const next = (dir[p] ??= { directory: {} }) as { directory: FileTree };
    if (!('directory' in next)) throw new Error(`webcontainer tree: ${path} would put a folder where a file is.`);
    dir = next.directory;
  }
  dir[parts[parts.length - 1]!] = { file: { contents } };
}

/** Settings from pipeline.config.ts, as the CLI's own flags. */
export function settingsToFlags(settings: TreeSettings): string[] {
  const out: string[] = [];
  if (settings.seed) out.push('--seed', settings.seed);
  for (const [day, kind] of Object.entries(settings.badDays ?? {})) out.push('--bad-day', `${day}:${kind}`);
  return out;
}

/**
 * phlo.mjs: the settings go first, so a flag typed on the command line (which the CLI
 * reads last) still wins, exactly as in the Worker runner.
 */
export function entrySource(settings: TreeSettings = {}): string {
  return [
    "// `node phlo.mjs <command>`: the pipeline's command line, as `npm run pipeline -- <command>`.",
    '// Written by the sandbox from pipeline.config.ts: its settings, as the CLI flags they stand for.',
    `const settings = ${JSON.stringify(settingsToFlags(settings))};`,
    'process.argv.splice(2, 0, ...settings);',
    `await import('./${BUNDLE_ENTRY}');`,
    '',
  ].join('\n');
}

export const PACKAGE_JSON =
  JSON.stringify(
    {
      name: 'phlo-sandbox',
      private: true,
      type: 'module',
      description: 'The glucose pipeline, prebundled: nothing to install.',
      scripts: { pipeline: `node ${PIPELINE_ENTRY}` },
    },
    null,
    2,
  ) + '\n';

export function webcontainerTree(input: TreeInput): FileTree {
  if (!input.bundle[BUNDLE_ENTRY]) throw new Error(`webcontainer tree: the prebundled CLI has no ${BUNDLE_ENTRY}; build the site (scripts/bundle-webcontainer.mjs) first.`);
  const tree: FileTree = {};
  for (const [path, contents] of Object.entries(input.bundle)) put(tree, path, contents);
  for (const [path, text] of Object.entries(input.project)) put(tree, `${PROJECT_DIR}/${path}`, text);
  put(tree, 'package.json', PACKAGE_JSON);
  put(tree, PIPELINE_ENTRY, entrySource(input.settings));
  return tree;
}

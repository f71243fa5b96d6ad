/**
 * The pipeline files a learner sees: the glucose dbt project shipped with the pipeline
 * (bundled as text at build time) plus `pipeline.config.ts`, the run settings in TypeScript.
 */
const shipped = import.meta.glob('../../../sandboxes/pipeline/project/**/*.{sql,yml,yaml}', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

const PREFIX = '../../../sandboxes/pipeline/project/';

import { PIPELINE_CONFIG_FILE } from './learner-files.ts';
import { DEFAULT_PIPELINE_CONFIG } from './pipeline-config.ts';
import { SHIPPED_PLUGIN_FILES, isPluginFile } from './learner-plugins.ts';

export { PIPELINE_CONFIG_FILE };

export { DEFAULT_PIPELINE_CONFIG };

/** path relative to the project root -> text, for every shipped project file. */
export function projectFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(shipped)) out[k.slice(PREFIX.length)] = v;
  return out;
}

/**
 * The plugin files a section may list (Part 13): the example module and the learner's
 * templates, as text (learner-plugins.ts maps each to its repository file).
 */
const pluginSources = import.meta.glob(['../../../sandboxes/pipeline/plugins/examples/github-module.ts', '../../../sandboxes/pipeline/plugins/learner/*.ts'], { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

export function shippedPluginFile(path: string): string | undefined {
  const repoPath = SHIPPED_PLUGIN_FILES[path];
  return repoPath ? pluginSources[`../../../${repoPath}`] : undefined;
}

/** The original text of a file the section lists (what "Restore" goes back to). */
export function originalFile(path: string): string | undefined {
  if (path === PIPELINE_CONFIG_FILE) return DEFAULT_PIPELINE_CONFIG;
  if (isPluginFile(path)) return shippedPluginFile(path);
  return projectFiles()[path];
}

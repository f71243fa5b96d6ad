/**
 * How the learner's edited files turn into what a run uses: edited project files replace
 * the shipped ones, and `pipeline.config.ts` becomes the run settings. One function for the
 * browser host and the Node section tests, so both run exactly what the learner wrote.
 */
import { loadLearnerSettings, blobImport, type LearnerSettings, type ModuleImporter } from './learner-config.ts';
import { loadLearnerPlugins, isPluginFile, skippedMessage } from './learner-plugins.ts';
import { createDefaultRegistry } from '../../../sandboxes/pipeline/plugins/builtin.ts';
import { applyPluginModules, type PluginApi } from '../../../sandboxes/pipeline/plugins/api.ts';
import type { PluginRegistry } from '../../../sandboxes/pipeline/plugins/registry.ts';
import type { Definitions } from '../../../sandboxes/pipeline/orchestrate/definitions.ts';

export const PIPELINE_CONFIG_FILE = 'pipeline.config.ts';

/** The shipped project with the learner's edits applied (paths the project does not have are ignored). */
export function learnerProject(shipped: Record<string, string>, edits: Record<string, string>): Record<string, string> {
  const project = { ...shipped };
  for (const [path, text] of Object.entries(edits)) if (path !== PIPELINE_CONFIG_FILE && !isPluginFile(path) && path in project) project[path] = text;
  return project;
}

/** The run settings from the learner's pipeline.config.ts (defaults when it was not edited). */
export function learnerSettings(edits: Record<string, string>, importModule: ModuleImporter = blobImport): Promise<LearnerSettings> {
  const source = edits[PIPELINE_CONFIG_FILE];
  return source ? loadLearnerSettings(source, PIPELINE_CONFIG_FILE, importModule) : Promise.resolve({});
}

/**
 * The registry and definitions a run uses once the learner's plugin files (paths under
 * plugins/ among the files sent with the command) are registered and have extended the
 * definitions. A file that fails is reported through `warn` and skipped (see learner-plugins.ts).
 */
export async function learnerPlugins(
  base: Definitions,
  files: Record<string, string>,
  opts: { api: PluginApi; importModule?: ModuleImporter; warn?: (message: string) => void },
): Promise<{ registry: PluginRegistry; definitions: Definitions }> {
  const registry = createDefaultRegistry();
  if (!Object.keys(files).some(isPluginFile)) return { registry, definitions: base };
  const report = (err: Error, path: string) => opts.warn?.(skippedMessage(err, path));
  const modules = await loadLearnerPlugins(files, opts.api, opts.importModule ?? blobImport, report);
  return { registry, definitions: applyPluginModules(registry, base, modules, report) };
}

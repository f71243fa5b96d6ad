/**
 * How the learner's edited files turn into what a run uses: edited project files replace
 * the shipped ones, and `pipeline.config.ts` becomes the run settings. One function for the
 * browser host and the Node section tests, so both run exactly what the learner wrote.
 */
import { loadLearnerSettings, blobImport, type LearnerSettings, type ModuleImporter } from './learner-config.ts';

export const PIPELINE_CONFIG_FILE = 'pipeline.config.ts';

/** The shipped project with the learner's edits applied (paths the project does not have are ignored). */
export function learnerProject(shipped: Record<string, string>, edits: Record<string, string>): Record<string, string> {
  const project = { ...shipped };
  for (const [path, text] of Object.entries(edits)) if (path !== PIPELINE_CONFIG_FILE && path in project) project[path] = text;
  return project;
}

/** The run settings from the learner's pipeline.config.ts (defaults when it was not edited). */
export function learnerSettings(edits: Record<string, string>, importModule: ModuleImporter = blobImport): Promise<LearnerSettings> {
  const source = edits[PIPELINE_CONFIG_FILE];
  return source ? loadLearnerSettings(source, PIPELINE_CONFIG_FILE, importModule) : Promise.resolve({});
}

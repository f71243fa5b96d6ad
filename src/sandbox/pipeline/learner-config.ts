/**
 * The learner's `pipeline.config.ts`, transpiled in the browser with sucrase (types are
 * stripped, nothing else changes) and evaluated as a module from a blob URL, so a syntax
 * error is reported with its line before anything runs.
 */
import { transform } from 'sucrase';

export interface LearnerSettings {
  seed?: string;
  badDays?: Record<string, 'impossible' | 'sensor-fault'>;
}

export function transpile(source: string, file: string): string {
  try {
    return transform(source, { transforms: ['typescript'], filePath: file, disableESTransforms: true }).code;
  } catch (err) {
    const e = err as Error & { loc?: { line: number; column: number } };
    throw new Error(`${file}${e.loc ? `:${e.loc.line}:${e.loc.column + 1}` : ''}: ${e.message.replace(/\s*\(\d+:\d+\)$/, '')}. Fix it in the editor and run again.`);
  }
}

/** The default export of a settings module, checked field by field (errors name the file). */
export function checkSettings(s: unknown, file: string): LearnerSettings {
  if (!s || typeof s !== 'object') throw new Error(`${file}: export default an object of settings ({ seed, badDays }).`);
  const settings = s as LearnerSettings;
  if (settings.seed !== undefined && typeof settings.seed !== 'string') throw new Error(`${file}: seed must be a string.`);
  for (const [day, kind] of Object.entries(settings.badDays ?? {})) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`${file}: badDays key "${day}" is not a day (write YYYY-MM-DD).`);
    if (kind !== 'impossible' && kind !== 'sensor-fault') throw new Error(`${file}: badDays["${day}"] must be 'impossible' or 'sensor-fault'.`);
  }
  return settings;
}

/** Evaluate transpiled module code: a blob URL in the browser (Node passes a data: URL importer). */
export type ModuleImporter = (js: string) => Promise<unknown>;

export const blobImport: ModuleImporter = async (js) => {
  const url = URL.createObjectURL(new Blob([js], { type: 'text/javascript' }));
  try {
    return await import(/* @vite-ignore */ url);
  } finally {
    URL.revokeObjectURL(url);
  }
};

export async function loadLearnerSettings(source: string, file: string, importModule: ModuleImporter = blobImport): Promise<LearnerSettings> {
  const js = transpile(source, file);
  if (/^\s*import\s/m.test(js)) throw new Error(`${file}: imports are not available here; write the settings inline.`);
  const mod = (await importModule(js)) as { default?: LearnerSettings };
  return checkSettings(mod.default, file);
}

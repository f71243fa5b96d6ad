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

export async function loadLearnerSettings(source: string, file: string): Promise<LearnerSettings> {
  const js = transpile(source, file);
  if (/^\s*import\s/m.test(js)) throw new Error(`${file}: imports are not available here; write the settings inline.`);
  const url = URL.createObjectURL(new Blob([js], { type: 'text/javascript' }));
  try {
    const mod = (await import(/* @vite-ignore */ url)) as { default?: LearnerSettings };
    const s = mod.default;
    if (!s || typeof s !== 'object') throw new Error(`${file}: export default an object of settings ({ seed, badDays }).`);
    if (s.seed !== undefined && typeof s.seed !== 'string') throw new Error(`${file}: seed must be a string.`);
    for (const [day, kind] of Object.entries(s.badDays ?? {})) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`${file}: badDays key "${day}" is not a day (write YYYY-MM-DD).`);
      if (kind !== 'impossible' && kind !== 'sensor-fault') throw new Error(`${file}: badDays["${day}"] must be 'impossible' or 'sensor-fault'.`);
    }
    return s;
  } finally {
    URL.revokeObjectURL(url);
  }
}

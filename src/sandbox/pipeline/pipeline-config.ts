/**
 * The learner's `pipeline.config.ts` as the sandbox ships it, and the same file with other bad
 * days (what a task's solution writes). Plain text with no imports, so the section configs can
 * build their solution files in Node as well as in the browser.
 */
export const DEFAULT_PIPELINE_CONFIG = `// The settings the pipeline runs with in this sandbox. Edit, then run a command again.
// Plain TypeScript: no imports; the default export is read on every run.

type BadDay = 'impossible' | 'sensor-fault';

const settings: {
  seed: string;
  badDays: Record<string, BadDay>;
} = {
  // Same seed, same readings: change it to get a different patient.
  seed: 'phlo',
  // Days whose source data is broken on purpose, e.g. { '2025-01-09': 'impossible' }:
  // 'impossible' sends values no body produces, 'sensor-fault' a stuck sensor.
  badDays: {},
};

export default settings;
`;

const BAD_DAYS_COMMENT = `  // Days whose source data is broken on purpose, e.g. { '2025-01-09': 'impossible' }:
  // 'impossible' sends values no body produces, 'sensor-fault' a stuck sensor.
`;

/**
 * The shipped file with `badDays` set to the given object literal, e.g. "{ '2025-01-15': 'sensor-fault' }";
 * with `note`, that line's comment says why instead of explaining the setting.
 */
export function pipelineConfigWith(badDays: string, note?: string): string {
  const text = DEFAULT_PIPELINE_CONFIG.replace('  badDays: {},\n', `  badDays: ${badDays},\n`);
  return note ? text.replace(BAD_DAYS_COMMENT, `  // ${note}\n`) : text;
}

/**
 * A progress file the reader loads ("Load progress from a file") is input from outside the
 * page: it is checked before anything is merged. It must be small (a real export is a few
 * KB), match the export's schema exactly (zod: no extra fields, ISO times, ids of the
 * course's shape), and name only parts, sections and tasks this course has; entries for
 * ids the course no longer has are left out and counted. Anything else is refused with a
 * reason and nothing changes. The result is built from null-prototype records, so a key
 * such as `__proto__` can never reach `Object.prototype`.
 *
 * Loaded on demand by progress-ui.ts (only the progress page imports files), so zod stays
 * out of every reading page's script.
 */
import { z, config as zodConfig } from 'zod';
import { PROGRESS_FORMAT, PART_ID, COURSE_ID, ISO_TIME, dict, emptyProgress, parseProgress, type Progress } from './progress.ts';

// The page's Content-Security-Policy has no 'unsafe-eval': zod must not try `new Function`.
zodConfig({ jitless: true });

/** A full export of every part and task is under 20 KB; anything far bigger is not one. */
export const PROGRESS_FILE_MAX_BYTES = 256 * 1024;

/** The ids the course has now: part numbers, and each section's task ids. */
export interface CourseIds {
  parts: readonly string[];
  sections: Readonly<Record<string, readonly string[]>>;
}

export class ProgressFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProgressFileError';
  }
}

const time = z.string().regex(ISO_TIME, 'expected a time such as 2026-01-01T10:00:00.000Z').refine((v) => !Number.isNaN(Date.parse(v)), 'not a real date');
const schema = z.strictObject({
  format: z.literal(PROGRESS_FORMAT),
  version: z.literal(1),
  parts: z.record(z.string().regex(PART_ID, 'expected a part number'), time),
  tasks: z.record(z.string().regex(COURSE_ID, 'expected a section id'), z.record(z.string().regex(COURSE_ID, 'expected a task id'), time)),
});

export interface ProgressImport {
  progress: Progress;
  /** Entries naming parts, sections or tasks this course does not have (left out). */
  skipped: number;
}

/** Check a loaded file and keep only what this course has; throws ProgressFileError with a reason. */
export function parseProgressFile(text: string, course: CourseIds, size = new TextEncoder().encode(text).length): ProgressImport {
  if (size > PROGRESS_FILE_MAX_BYTES) throw new ProgressFileError(`This file is ${Math.round(size / 1024)} KB; a progress file is at most ${PROGRESS_FILE_MAX_BYTES / 1024} KB. Choose a file saved with "Download my progress".`);
  // The plain checks first: they give the clearest reason for a file that is not an export at all.
  try {
    parseProgress(text);
  } catch (err) {
    throw new ProgressFileError((err as Error).message);
  }
  const checked = schema.safeParse(JSON.parse(text));
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    const where = issue.path.length ? issue.path.map(String).join(' › ') : 'the file';
    throw new ProgressFileError(`The progress file has a bad entry at ${where}: ${issue.message}.`);
  }
  const parts = new Set(course.parts);
  const sections = new Map(Object.entries(course.sections).map(([id, tasks]) => [id, new Set(tasks)]));
  const out = emptyProgress();
  let skipped = 0;
  for (const part of Object.keys(checked.data.parts)) {
    if (parts.has(part)) out.parts[part] = checked.data.parts[part]!;
    else skipped++;
  }
  for (const section of Object.keys(checked.data.tasks)) {
    const known = sections.get(section);
    const tasks = checked.data.tasks[section]!;
    for (const task of Object.keys(tasks)) {
      if (known?.has(task)) (out.tasks[section] ??= dict())[task] = tasks[task]!;
      else skipped++;
    }
  }
  return { progress: out, skipped };
}

/** The course's ids from the course map every page embeds. */
export function courseIds(map: { parts: Record<string, { sections: Record<string, string[]> }> }): CourseIds {
  const sections: Record<string, string[]> = dict();
  for (const part of Object.values(map.parts)) for (const [id, tasks] of Object.entries(part.sections)) sections[id] = tasks;
  return { parts: Object.keys(map.parts), sections };
}

/**
 * The run log as a section of the course sees it.
 *
 * The prebuilt warehouse holds the run records of its whole story (pipeline/runs/), but a
 * hands-on section starts at a checkpoint in the middle of that story. Runs the story made
 * after the checkpoint have not happened yet from the learner's point of view, so the
 * observability views hide them: whoever puts main at a checkpoint writes its name to
 * pipeline/checkpoint.json (markCheckpoint), and visibleRuns keeps the shipped runs listed
 * for that checkpoint in checkpoints.json plus every run that is in no checkpoint (the
 * learner's own). Without the marker every run is visible.
 */
import type { Storage } from '../../lakehouse/storage/storage.ts';
import { listRuns, RUNS_DIR, type RunRecord } from '../orchestrate/runlog.ts';

export const CHECKPOINT_MARKER = 'pipeline/checkpoint.json';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Record that this warehouse's main was put at the named checkpoint. */
export async function markCheckpoint(storage: Storage, name: string): Promise<void> {
  await storage.delete(CHECKPOINT_MARKER);
  await storage.write(CHECKPOINT_MARKER, new TextEncoder().encode(JSON.stringify({ checkpoint: name }) + '\n'));
}

/** The checkpoint named by the marker, or null. */
export async function markedCheckpoint(storage: Storage): Promise<string | null> {
  if (!(await storage.exists(CHECKPOINT_MARKER))) return null;
  try {
    const v = JSON.parse(text(await storage.read(CHECKPOINT_MARKER))) as { checkpoint?: unknown };
    return typeof v.checkpoint === 'string' ? v.checkpoint : null;
  } catch {
    return null;
  }
}

/** Run ids to hide: shipped runs that come after the marked checkpoint. */
export async function hiddenRunIds(storage: Storage): Promise<Set<string>> {
  const name = await markedCheckpoint(storage);
  if (!name || !(await storage.exists('checkpoints.json'))) return new Set();
  const manifest = JSON.parse(text(await storage.read('checkpoints.json'))) as { checkpoints?: { name: string; runs?: string[] }[] };
  const all = manifest.checkpoints ?? [];
  const mine = all.find((c) => c.name === name);
  if (!mine) return new Set();
  const keep = new Set(mine.runs ?? []);
  const hidden = new Set<string>();
  for (const c of all) for (const id of c.runs ?? []) if (!keep.has(id)) hidden.add(id);
  return hidden;
}

/** A cheap fingerprint of the run log: the run files and the marker. */
export async function runLogFingerprint(storage: Storage): Promise<string> {
  const files = await storage.list(RUNS_DIR);
  return `${files.join(',')}|${(await markedCheckpoint(storage)) ?? ''}`;
}

/** Every visible run, oldest first. */
export async function visibleRuns(storage: Storage): Promise<RunRecord[]> {
  const hidden = await hiddenRunIds(storage);
  const runs = (await listRuns(storage)).filter((r) => !hidden.has(r.runId));
  return runs.sort((a, b) => a.startedAt - b.startedAt || a.runId.localeCompare(b.runId));
}

/** The log's own "now": when the newest visible run ended (null for an empty log). */
export function logClock(runs: RunRecord[]): number | null {
  let t: number | null = null;
  for (const r of runs) {
    const end = r.endedAt ?? r.startedAt;
    if (t === null || end > t) t = end;
  }
  return t;
}

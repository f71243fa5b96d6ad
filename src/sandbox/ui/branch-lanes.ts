/**
 * Which lane of the branch graph each commit is drawn on. A lane belongs to one reference
 * and may show only commits reachable from it: a commit goes on the lane of the first ref
 * (main, then the other branches, then tags) whose log contains it. A tag whose commits no
 * branch contains (a checkpoint tag ahead of this section's main, say) gets a lane of its
 * own instead of borrowing main's: drawing them on main's lane would claim main holds them.
 *
 * Pure (no DOM) so the rule is tested in Node (tests/unit/sandbox/branch-lanes.test.ts).
 */
import type { Commit, Reference } from '../../../sandboxes/lakehouse/catalog/model.ts';

export interface Lane {
  ref: string;
  type: Reference['type'];
}

export interface LaneLayout {
  lanes: Lane[];
  /** Commit hash -> index into `lanes`. */
  laneOf: Map<string, number>;
  /** Every commit of the logs, newest first. */
  commits: Commit[];
}

/** main first, then branches, then tags, each by name: the order lanes are handed out. */
export function laneOrder(refs: Reference[]): Reference[] {
  const rank = (r: Reference) => (r.name === 'main' && r.type === 'BRANCH' ? 0 : r.type === 'BRANCH' ? 1 : 2);
  return [...refs].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

/** `logs` maps a ref name to its log (newest first, possibly cut short). */
export function layoutLanes(refs: Reference[], logs: Map<string, Commit[]>): LaneLayout {
  const lanes: Lane[] = [];
  const laneOf = new Map<string, number>();
  const byHash = new Map<string, Commit>();
  for (const r of laneOrder(refs)) {
    const log = logs.get(r.name) ?? [];
    for (const c of log) byHash.set(c.hash, c);
    const unplaced = log.filter((c) => !laneOf.has(c.hash));
    // A ref gets a lane only for commits no earlier ref holds: a branch at the same commit as
    // another (dev at main) adds no empty column, which a phone's width cannot spare.
    if (unplaced.length === 0) continue;
    const lane = lanes.push({ ref: r.name, type: r.type }) - 1;
    for (const c of unplaced) laneOf.set(c.hash, lane);
  }
  const commits = [...byHash.values()].sort((a, b) => (a.time === b.time ? 0 : a.time < b.time ? 1 : -1));
  return { lanes, laneOf, commits };
}

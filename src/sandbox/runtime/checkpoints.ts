/**
 * Checkpoints of the prebuilt warehouse: named states a section starts from ("after the
 * first week of ingestion", "a dev branch with an audit in progress"). The pipeline's build
 * writes `checkpoints.json` next to the warehouse; a checkpoint names the commit each branch
 * and tag pointed at after a given step, so restoring one is moving pointers, never copying
 * data.
 *
 * We read the file tolerantly (the builder may write a list or a map, and a checkpoint may
 * give only `main`'s commit) and treat a missing file or name as "the warehouse as shipped".
 */
export interface Checkpoint {
  name: string;
  description?: string;
  /** Branch name -> commit hash. */
  branches: Record<string, string>;
  /** Tag name -> commit hash. */
  tags: Record<string, string>;
  /**
   * The branches and tags above (and main) are the only refs of this state: applying it
   * deletes every other one, so a section shows only refs its reader has met.
   */
  exclusive?: boolean;
}

type Loose = Record<string, unknown>;

function asHashMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v && typeof v === 'object') for (const [k, h] of Object.entries(v as Loose)) {
    if (typeof h === 'string') out[k] = h;
    else if (h && typeof h === 'object' && typeof (h as Loose).hash === 'string') out[k] = (h as Loose).hash as string;
  }
  return out;
}

function one(name: string, raw: Loose): Checkpoint {
  const branches = asHashMap(raw.branches ?? {});
  const tags = asHashMap(raw.tags ?? {});
  // `refs` may mix both kinds, either as a map or as a list of { name, type, hash }.
  if (Array.isArray(raw.refs)) {
    for (const r of raw.refs as Loose[]) {
      if (typeof r?.name !== 'string' || typeof r?.hash !== 'string') continue;
      (String(r.type ?? 'BRANCH').toUpperCase() === 'TAG' ? tags : branches)[r.name] = r.hash;
    }
  } else Object.assign(branches, asHashMap(raw.refs ?? {}));
  const head = raw.hash ?? raw.commit ?? raw.main;
  if (typeof head === 'string' && !branches.main) branches.main = head;
  return { name, description: typeof raw.description === 'string' ? raw.description : undefined, branches, tags, ...(raw.exclusive === true ? { exclusive: true } : {}) };
}

export function parseCheckpoints(json: unknown): Map<string, Checkpoint> {
  const out = new Map<string, Checkpoint>();
  let body = json as Loose | Loose[] | null;
  if (body && !Array.isArray(body) && body.checkpoints) body = body.checkpoints as Loose | Loose[];
  if (Array.isArray(body)) {
    for (const c of body) if (c && typeof c.name === 'string') out.set(c.name, one(c.name, c));
  } else if (body && typeof body === 'object') {
    for (const [name, c] of Object.entries(body)) if (c && typeof c === 'object') out.set(name, one(name, c as Loose));
  }
  return out;
}

export async function loadCheckpoints(baseUrl: string, fetchFn: typeof fetch = fetch): Promise<Map<string, Checkpoint>> {
  try {
    const res = await fetchFn(new URL('checkpoints.json', baseUrl).toString());
    if (!res.ok) return new Map();
    return parseCheckpoints(await res.json());
  } catch {
    return new Map();
  }
}

/** The catalog operations a checkpoint needs: a subset of the Warehouse facade. */
export interface RefMover {
  references(): Promise<{ name: string; hash: string }[]>;
  catalog: { createReference(name: string, type: 'BRANCH' | 'TAG', from: string): Promise<unknown> };
  assignRef(name: string, to: string): Promise<unknown>;
  deleteRef(name: string): Promise<unknown>;
}

/** Move (or create) each branch and tag to where the checkpoint says; data is never copied. */
export async function applyCheckpoint(warehouse: RefMover, cp: Checkpoint): Promise<void> {
  const refs = await warehouse.references();
  const has = (name: string) => refs.find((r) => r.name === name);
  for (const [name, hash] of Object.entries(cp.branches)) {
    const existing = has(name);
    if (!existing) await warehouse.catalog.createReference(name, 'BRANCH', hash);
    else if (existing.hash !== hash) await warehouse.assignRef(name, hash);
  }
  for (const [name, hash] of Object.entries(cp.tags)) {
    if (!has(name)) await warehouse.catalog.createReference(name, 'TAG', hash);
  }
  if (cp.exclusive) {
    for (const r of refs) {
      if (r.name !== 'main' && !(r.name in cp.branches) && !(r.name in cp.tags)) await warehouse.deleteRef(r.name);
    }
  }
}

/** A branch or tag as the catalog lists it. */
export interface RefState {
  name: string;
  type: 'BRANCH' | 'TAG';
  hash: string;
}

/**
 * The references a reset to `cp` leaves: the shipped warehouse's refs (the learner's layer
 * is gone), with the checkpoint's branches moved or created and its tags created, exactly as
 * `applyCheckpoint` does.
 */
export function refsAfterReset(shipped: RefState[], cp: Checkpoint | null): RefState[] {
  const out = new Map(shipped.map((r) => [r.name, { ...r }]));
  if (cp) {
    for (const [name, hash] of Object.entries(cp.branches)) out.set(name, { name, type: 'BRANCH', hash });
    for (const [name, hash] of Object.entries(cp.tags)) if (!out.has(name)) out.set(name, { name, type: 'TAG', hash });
  }
  return [...out.values()];
}

/** What a reset would throw away: refs the learner made, and refs the learner moved. */
export interface WorkAtRisk {
  branches: string[];
  tags: string[];
  /** Refs that exist either way but point elsewhere now (new commits, a merge, a moved branch). */
  moved: string[];
}

export function workLostByReset(current: RefState[], afterReset: RefState[]): WorkAtRisk {
  const after = new Map(afterReset.map((r) => [r.name, r]));
  const risk: WorkAtRisk = { branches: [], tags: [], moved: [] };
  for (const r of current) {
    const then = after.get(r.name);
    if (!then) (r.type === 'TAG' ? risk.tags : risk.branches).push(r.name);
    else if (then.hash !== r.hash) risk.moved.push(r.name);
  }
  for (const list of Object.values(risk)) list.sort((a: string, b: string) => (a === 'main' ? -1 : b === 'main' ? 1 : a.localeCompare(b)));
  return risk;
}

const names = (list: string[], max = 5) => (list.length <= max ? list.join(', ') : `${list.slice(0, max).join(', ')} and ${list.length - max} more`);

/**
 * The question asked before a reset or a workshop "jump to checkpoint": what is lost, in
 * the learner's words. For a jump, null when nothing the learner made would be lost (no need
 * to ask); a reset the learner asked for is always confirmed.
 */
export function resetQuestion(risk: WorkAtRisk, checkpoint: string, action: 'reset' | 'jump'): string | null {
  const lost: string[] = [];
  if (risk.branches.length) lost.push(`${risk.branches.length === 1 ? 'the branch' : `${risk.branches.length} branches`} ${names(risk.branches)}`);
  if (risk.tags.length) lost.push(`${risk.tags.length === 1 ? 'the tag' : `${risk.tags.length} tags`} ${names(risk.tags)}`);
  if (risk.moved.length) lost.push(`the commits made on ${names(risk.moved)} since the checkpoint`);
  if (lost.length === 0 && action === 'jump') return null;
  const head = action === 'jump' ? `Jump to the checkpoint “${checkpoint}”, where the workshop is?` : `Return this section’s warehouse to its checkpoint “${checkpoint}”?`;
  if (lost.length === 0) return `${head}\n\nNo branch, tag or commit of yours is lost; the section's task ticks and last run are cleared. Your edited pipeline files are kept.`;
  return `${head}\n\nThis deletes ${lost.join('; ')}, and clears the section's task ticks and last run. Your edited pipeline files are kept.\n\nOK to continue, Cancel to keep your work.`;
}

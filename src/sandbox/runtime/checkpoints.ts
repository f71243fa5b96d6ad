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

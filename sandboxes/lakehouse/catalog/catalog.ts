/**
 * A Git-like catalog for Iceberg tables, after Project Nessie, kept in any `Storage`.
 *
 * Layout under the catalog root (default "catalog"):
 *   commits/<hash>.json        immutable commit objects (hash = SHA-256 of the content)
 *   trees/<hash>.json          immutable key -> content maps, one per distinct catalog state
 *   refs/branches/<name>       pointer files holding a commit hash
 *   refs/tags/<name>
 *
 * Commits and trees are write-once; the only thing that ever changes is a pointer file, and
 * only through `storage.compareAndSwap`. That single rule makes every operation safe when
 * two writers race: the loser's swap fails, it re-reads the head and re-checks its
 * assumptions (the expected hash, the expected table versions) before trying again.
 *
 * A deleted reference leaves an empty pointer file behind (a tombstone) rather than being
 * removed: removing a file cannot be made conditional, a swap to "" can.
 */
import type { Storage } from '../storage/storage.ts';
import { StorageError } from '../storage/storage.ts';
import { CatalogError, MergeConflictError, ReferenceConflictError, shortHash } from './errors.ts';
import { canonicalJson, hashOf, sha256Hex, uuidFromHash } from './hash.ts';
import { verifyCommit, verifyTree } from './objects.ts';
import type {
  CatalogTree,
  Commit,
  CommitObject,
  Content,
  KeyDiff,
  MergeResult,
  Operation,
  Reference,
  ReferenceType,
} from './model.ts';
import { DEFAULT_BRANCH } from './model.ts';

export interface CatalogOptions {
  /** Folder of the catalog inside the storage. */
  root?: string;
  /** Time source for commit times; inject a fixed clock for reproducible hashes. */
  clock?: () => Date;
  /** Default author of commits. */
  author?: string;
}

/** What a caller asks to change; the catalog fills in content ids. */
export type OperationInput =
  | { type: 'PUT'; key: string; metadataLocation: string; snapshotId?: string | null }
  | { type: 'DELETE'; key: string };

export interface CommitOptions {
  message: string;
  author?: string;
  /**
   * Nessie's `branch@expectedHash`: the head the caller based its change on. If the branch
   * has moved since, the commit still applies on the new head unless one of the keys it
   * touches changed in between; then it fails with a ReferenceConflictError.
   */
  expectedHash?: string;
  /**
   * Per key, the metadata location the caller expects to replace (null = key must be
   * absent). This is the check an Iceberg table commit needs.
   */
  expectedContents?: Record<string, string | null>;
}

export interface MergeOptions {
  message?: string;
  author?: string;
  /** The target head the caller saw; the merge fails if the target moved. */
  expectedHash?: string;
}

const HASH_RE = /^[0-9a-f]{64}$/;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const KEY_RE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/;
const MAX_ATTEMPTS = 20;

export class Catalog {
  readonly storage: Storage;
  readonly root: string;
  readonly defaultBranch = DEFAULT_BRANCH;
  private readonly clock: () => Date;
  private readonly author: string;
  // Commits and trees never change, so caching them is always correct.
  private readonly commits = new Map<string, Promise<Commit>>();
  private readonly trees = new Map<string, Promise<CatalogTree>>();

  constructor(storage: Storage, options: CatalogOptions = {}) {
    this.storage = storage;
    this.root = (options.root ?? 'catalog').replace(/\/+$/, '');
    this.clock = options.clock ?? (() => new Date());
    this.author = options.author ?? 'phlo';
  }

  // ---------------------------------------------------------------- references

  /** All branches and tags, branches first, each sorted by name. */
  async references(): Promise<Reference[]> {
    const out: Reference[] = [];
    for (const type of ['BRANCH', 'TAG'] as const) {
      const dir = this.refDir(type);
      for (const path of await this.storage.list(dir)) {
        const name = path.slice(dir.length);
        const hash = await this.readPointer(path);
        if (hash) out.push({ type, name, hash });
      }
    }
    return out;
  }

  /** A branch or tag by name. */
  async reference(name: string): Promise<Reference> {
    const ref = await this.findReference(name);
    if (!ref) {
      const known = (await this.references()).map((r) => r.name);
      throw new CatalogError(
        'REFERENCE_NOT_FOUND',
        `no branch or tag named '${name}'` + (known.length ? ` (known: ${known.join(', ')})` : '') +
          `. Create it with 'branch create ${name}' or check the spelling.`,
      );
    }
    return ref;
  }

  /**
   * Resolve a reference expression to a commit hash: `main`, a tag, a full 64-hex hash,
   * `name@hash` (that hash, checked to be on the reference), `name~N` (N-th first parent),
   * `name*<ISO time or ms>` (the head of `name` at that time).
   */
  async resolve(spec: string = this.defaultBranch): Promise<{ hash: string; ref?: Reference }> {
    const star = /^(.*)\*(.+)$/.exec(spec);
    if (star) {
      // Nessie's `name*<time>`: the commit that was the head of `name` at that time.
      const when = /^\d+$/.test(star[2]!) ? Number(star[2]) : Date.parse(star[2]!);
      if (Number.isNaN(when)) throw new CatalogError('BAD_REQUEST', `'${star[2]}' in '${spec}' is not a time: use ISO-8601 (2026-01-01T00:00:00Z) or milliseconds.`);
      const base = await this.resolve(star[1]!);
      for await (const commit of this.firstParents(base.hash)) {
        if (Date.parse(commit.time) <= when) return { hash: commit.hash, ref: base.ref };
      }
      throw new CatalogError('REFERENCE_NOT_FOUND', `'${star[1]}' has no commit at or before ${new Date(when).toISOString()}.`);
    }
    const tilde = /^(.*)~(\d+)$/.exec(spec);
    if (tilde) {
      const base = await this.resolve(tilde[1]!);
      const steps = Number(tilde[2]);
      let i = 0;
      for await (const commit of this.firstParents(base.hash)) {
        if (i++ === steps) return { hash: commit.hash, ref: base.ref };
      }
      throw new CatalogError('REFERENCE_NOT_FOUND', `'${spec}' goes past the first commit of '${tilde[1]}'.`);
    }
    const at = spec.indexOf('@');
    if (at > 0) {
      const ref = await this.reference(spec.slice(0, at));
      const hash = spec.slice(at + 1);
      if (!HASH_RE.test(hash)) throw new CatalogError('BAD_REQUEST', `'${hash}' in '${spec}' is not a 64-character commit hash.`);
      if (!(await this.isAncestor(hash, ref.hash))) {
        throw new CatalogError('REFERENCE_NOT_FOUND', `commit ${shortHash(hash)} is not in the history of '${ref.name}'.`);
      }
      return { hash, ref };
    }
    // A reference can never be named like a hash (createReference refuses it), so a hash is
    // read as a commit straight away: no probing of refs/ (each probe is a 404 over HTTP).
    if (HASH_RE.test(spec)) {
      await this.readCommit(spec);
      return { hash: spec };
    }
    const ref = await this.reference(spec);
    return { hash: ref.hash, ref };
  }

  async createReference(name: string, type: ReferenceType, from: string = this.defaultBranch): Promise<Reference> {
    this.requireWritable();
    if (!NAME_RE.test(name) || HASH_RE.test(name)) {
      throw new CatalogError('BAD_REQUEST', `'${name}' is not a valid reference name: use letters, digits, '_', '.', '-', starting with a letter or digit.`);
    }
    const existing = await this.findReference(name);
    if (existing) {
      throw new CatalogError('REFERENCE_ALREADY_EXISTS', `a ${existing.type.toLowerCase()} named '${name}' already exists at ${shortHash(existing.hash)}; pick another name or delete it first.`);
    }
    const { hash } = await this.resolve(from);
    const path = this.refPath(type, name);
    const before = await this.readPointerRaw(path);
    if (!(await this.storage.compareAndSwap(path, before, hash))) {
      throw new CatalogError('REFERENCE_ALREADY_EXISTS', `'${name}' was created by another writer at the same moment; look at it with 'branch list'.`);
    }
    return { type, name, hash };
  }

  /** Point a reference at another commit (Nessie "assign"). */
  async assignReference(name: string, to: string, expectedHash?: string): Promise<Reference> {
    this.requireWritable();
    const ref = await this.reference(name);
    const { hash } = await this.resolve(to);
    this.checkExpected(ref, expectedHash);
    if (!(await this.storage.compareAndSwap(this.refPath(ref.type, name), ref.hash, hash))) {
      throw this.movedError(name, expectedHash ?? ref.hash, await this.headOrNull(ref.type, name));
    }
    return { ...ref, hash };
  }

  async deleteReference(name: string, expectedHash?: string): Promise<Reference> {
    this.requireWritable();
    if (name === this.defaultBranch) {
      throw new CatalogError('BAD_REQUEST', `'${name}' is the default branch and cannot be deleted.`);
    }
    const ref = await this.reference(name);
    this.checkExpected(ref, expectedHash);
    if (!(await this.storage.compareAndSwap(this.refPath(ref.type, name), ref.hash, ''))) {
      throw this.movedError(name, expectedHash ?? ref.hash, await this.headOrNull(ref.type, name));
    }
    return ref;
  }

  // ---------------------------------------------------------------- reading

  async readCommit(hash: string): Promise<Commit> {
    let pending = this.commits.get(hash);
    if (!pending) {
      const path = `${this.root}/commits/${hash}.json`;
      pending = this.readJson<unknown>(path, `commit ${shortHash(hash)}`)
        .then((raw) => verifyCommit(raw, hash, path, `commit ${shortHash(hash)}`))
        .then((object) => ({ hash, ...object }));
      this.commits.set(hash, pending);
      pending.catch(() => this.commits.delete(hash));
    }
    return pending;
  }

  async readTree(hash: string): Promise<CatalogTree> {
    let pending = this.trees.get(hash);
    if (!pending) {
      const path = `${this.root}/trees/${hash}.json`;
      pending = this.readJson<unknown>(path, `tree ${shortHash(hash)}`).then((raw) => verifyTree(raw, hash, path, `tree ${shortHash(hash)}`));
      this.trees.set(hash, pending);
      pending.catch(() => this.trees.delete(hash));
    }
    return pending;
  }

  /** Every content key visible on a reference (or at a commit). */
  async entries(spec: string = this.defaultBranch): Promise<CatalogTree> {
    const { hash } = await this.resolve(spec);
    return this.readTree((await this.readCommit(hash)).tree);
  }

  /** The content of one key, or a CONTENT_NOT_FOUND error naming the keys that exist. */
  async content(key: string, spec: string = this.defaultBranch): Promise<Content> {
    const tree = await this.entries(spec);
    const content = tree[key];
    if (!content) {
      const keys = Object.keys(tree);
      throw new CatalogError(
        'CONTENT_NOT_FOUND',
        `no table '${key}' on '${spec}'` + (keys.length ? ` (tables there: ${keys.join(', ')})` : ' (it has no tables yet)') + '.',
      );
    }
    return content;
  }

  /** Commits reachable from `spec` by first parents, newest first. */
  async log(spec: string = this.defaultBranch, limit = Infinity): Promise<Commit[]> {
    const { hash } = await this.resolve(spec);
    const out: Commit[] = [];
    if (limit <= 0) return out;
    for await (const commit of this.firstParents(hash)) {
      out.push(commit);
      if (out.length >= limit) break;
    }
    return out;
  }

  /**
   * Commits from `hash` back through first parents, newest first. Verified commits cannot
   * form a cycle (that needs a SHA-256 collision); the check is the last line of defence,
   * since a loop here once hung `log` for good.
   */
  async *firstParents(hash: string): AsyncGenerator<Commit> {
    const seen = new Set<string>();
    let next: string | undefined = hash;
    while (next) {
      if (seen.has(next)) {
        throw new CatalogError('CORRUPT', `the history of ${shortHash(hash)} loops: commit ${shortHash(next)} is its own ancestor (${this.root}/commits/${next}.json). The catalog files were changed after they were written; restore them from a copy of the warehouse.`);
      }
      seen.add(next);
      const commit = await this.readCommit(next);
      yield commit;
      next = commit.parents[0];
    }
  }

  /** Keys whose content differs between two references or commits. */
  async diff(from: string, to: string): Promise<KeyDiff[]> {
    const [a, b] = await Promise.all([this.entries(from), this.entries(to)]);
    return diffTrees(a, b);
  }

  /** True when `ancestor` is `descendant` or reachable from it through any parent. */
  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const seen = new Set<string>();
    const queue = [descendant];
    while (queue.length) {
      const hash = queue.shift()!;
      if (hash === ancestor) return true;
      if (seen.has(hash)) continue;
      seen.add(hash);
      queue.push(...(await this.readCommit(hash)).parents);
    }
    return false;
  }

  /** The nearest commit reachable from both (breadth-first from `b`). */
  async mergeBase(a: string, b: string): Promise<string | null> {
    const ancestorsOfA = new Set<string>();
    const queue = [a];
    while (queue.length) {
      const hash = queue.shift()!;
      if (ancestorsOfA.has(hash)) continue;
      ancestorsOfA.add(hash);
      queue.push(...(await this.readCommit(hash)).parents);
    }
    const seen = new Set<string>();
    const queueB = [b];
    while (queueB.length) {
      const hash = queueB.shift()!;
      if (ancestorsOfA.has(hash)) return hash;
      if (seen.has(hash)) continue;
      seen.add(hash);
      queueB.push(...(await this.readCommit(hash)).parents);
    }
    return null;
  }

  // ---------------------------------------------------------------- writing

  /** Record operations on a branch as one commit. */
  async commit(branch: string, operations: OperationInput[], options: CommitOptions): Promise<Commit> {
    this.requireWritable();
    if (operations.length === 0) throw new CatalogError('BAD_REQUEST', 'a commit needs at least one operation.');
    for (const op of operations) {
      if (!KEY_RE.test(op.key)) {
        throw new CatalogError('BAD_REQUEST', `'${op.key}' is not a valid content key: write it as namespace.table (letters, digits, '_').`);
      }
    }
    const touched = [...new Set(operations.map((op) => op.key))];
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const ref = await this.reference(branch);
      if (ref.type !== 'BRANCH') throw new CatalogError('BAD_REQUEST', `'${branch}' is a tag; commits go to branches.`);
      const head = ref.hash;
      if (options.expectedHash && options.expectedHash !== head) {
        await this.checkUnchangedSince(branch, options.expectedHash, head, touched);
      }
      const headTree = await this.readTree((await this.readCommit(head)).tree);
      if (options.expectedContents) {
        const moved = Object.entries(options.expectedContents).filter(
          ([key, location]) => (headTree[key]?.metadataLocation ?? null) !== location,
        );
        if (moved.length) {
          throw new ReferenceConflictError(
            branch, options.expectedHash ?? null, head, moved.map(([k]) => k),
            `table ${moved.map(([k]) => `'${k}'`).join(', ')} on '${branch}' changed since it was read ` +
              `(now ${moved.map(([k]) => headTree[k]?.metadataLocation ?? 'absent').join(', ')}). ` +
              `Reload the table and apply the change again.`,
          );
        }
      }
      const tree: CatalogTree = { ...headTree };
      const resolved: Operation[] = [];
      for (const op of operations) {
        if (op.type === 'DELETE') {
          if (!tree[op.key]) throw new CatalogError('CONTENT_NOT_FOUND', `cannot delete '${op.key}' on '${branch}': no such table.`);
          delete tree[op.key];
          resolved.push({ type: 'DELETE', key: op.key });
        } else {
          const id = tree[op.key]?.id ?? uuidFromHash(await sha256Hex(`${op.key}\n${op.metadataLocation}\n${head}`));
          const content: Content = { type: 'ICEBERG_TABLE', id, metadataLocation: op.metadataLocation };
          if (op.snapshotId !== undefined) content.snapshotId = op.snapshotId;
          tree[op.key] = content;
          resolved.push({ type: 'PUT', key: op.key, content });
        }
      }
      const commit = await this.writeCommit({
        parents: [head],
        tree: await this.writeTree(tree),
        author: options.author ?? this.author,
        message: options.message,
        time: this.clock().toISOString(),
        operations: resolved,
      });
      if (await this.storage.compareAndSwap(this.refPath('BRANCH', branch), head, commit.hash)) return commit;
      // Another writer moved the branch; loop: re-read and re-validate on the new head.
    }
    throw new ReferenceConflictError(branch, options.expectedHash ?? null, null, touched,
      `gave up committing to '${branch}' after ${MAX_ATTEMPTS} attempts: other writers keep moving it. Try again.`);
  }

  /**
   * Merge a reference into a branch. Fast-forward when the branch has not moved since the
   * source forked; otherwise a three-way merge on content keys from the common ancestor,
   * which fails (writing nothing) when both sides changed the same key.
   */
  async merge(from: string, into: string, options: MergeOptions = {}): Promise<MergeResult> {
    this.requireWritable();
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const target = await this.reference(into);
      if (target.type !== 'BRANCH') throw new CatalogError('BAD_REQUEST', `'${into}' is a tag; merge into a branch.`);
      this.checkExpected(target, options.expectedHash);
      const { hash: source } = await this.resolve(from);
      if (await this.isAncestor(source, target.hash)) {
        return { kind: 'up-to-date', hash: target.hash, commonAncestor: source, keys: [] };
      }
      const base = await this.mergeBase(source, target.hash);
      if (!base) throw new CatalogError('BAD_REQUEST', `'${from}' and '${into}' share no history; nothing to merge from.`);
      const [baseTree, sourceTree, targetTree] = await Promise.all(
        [base, source, target.hash].map(async (h) => this.readTree((await this.readCommit(h)).tree)),
      );
      const incoming = diffTrees(baseTree!, sourceTree!);
      const keys = incoming.map((d) => d.key);
      let next: string;
      let kind: MergeResult['kind'];
      if (base === target.hash) {
        next = source;
        kind = 'fast-forward';
      } else {
        const ours = new Map(diffTrees(baseTree!, targetTree!).map((d) => [d.key, d]));
        const conflicts = incoming
          .filter((d) => ours.has(d.key) && canonicalJson(ours.get(d.key)!.to) !== canonicalJson(d.to))
          .map((d) => d.key);
        if (conflicts.length) throw new MergeConflictError(from, into, conflicts, base);
        const tree: CatalogTree = { ...targetTree! };
        const operations: Operation[] = [];
        for (const d of incoming) {
          if (d.to) {
            tree[d.key] = d.to;
            operations.push({ type: 'PUT', key: d.key, content: d.to });
          } else {
            delete tree[d.key];
            operations.push({ type: 'DELETE', key: d.key });
          }
        }
        const commit = await this.writeCommit({
          parents: [target.hash, source],
          tree: await this.writeTree(tree),
          author: options.author ?? this.author,
          message: options.message ?? `merge ${from} into ${into}`,
          time: this.clock().toISOString(),
          operations,
        });
        next = commit.hash;
        kind = 'merge-commit';
      }
      if (await this.storage.compareAndSwap(this.refPath('BRANCH', into), target.hash, next)) {
        return { kind, hash: next, commonAncestor: base, keys };
      }
      if (options.expectedHash) throw this.movedError(into, options.expectedHash, await this.headOrNull('BRANCH', into));
    }
    throw new CatalogError('REFERENCE_CONFLICT', `gave up merging into '${into}': other writers keep moving it. Try again.`);
  }

  // ---------------------------------------------------------------- setup

  /** Create the root commit and `main` when the storage holds no catalog yet. */
  async initialize(): Promise<void> {
    if (await this.findReference(this.defaultBranch)) return;
    if (!this.storage.writable) {
      throw new CatalogError('READ_ONLY', `no catalog at '${this.root}/' in this ${this.storage.kind} storage, and it is read-only so none can be created.`);
    }
    const root = await this.writeCommit({
      parents: [],
      tree: await this.writeTree({}),
      author: this.author,
      message: 'initialize catalog',
      time: this.clock().toISOString(),
      operations: [],
    });
    const path = this.refPath('BRANCH', this.defaultBranch);
    // Losing this race is fine: someone else initialised the catalog.
    await this.storage.compareAndSwap(path, await this.readPointerRaw(path), root.hash);
  }

  // ---------------------------------------------------------------- internals

  private async checkUnchangedSince(branch: string, expected: string, head: string, keys: string[]): Promise<void> {
    if (!(await this.isAncestor(expected, head))) {
      throw new ReferenceConflictError(branch, expected, head, keys,
        `'${branch}' no longer contains the expected commit ${shortHash(expected)} (it was reassigned; head is ${shortHash(head)}). ` +
          `Reload from '${branch}' and apply the change again.`);
    }
    const [then, now] = await Promise.all([expected, head].map(async (h) => this.readTree((await this.readCommit(h)).tree)));
    const changed = new Set(diffTrees(then!, now!).map((d) => d.key));
    const clashing = keys.filter((k) => changed.has(k));
    if (clashing.length) {
      throw new ReferenceConflictError(branch, expected, head, clashing,
        `${clashing.map((k) => `'${k}'`).join(', ')} changed on '${branch}' after ${shortHash(expected)} ` +
          `(head is now ${shortHash(head)}). Reload those tables from '${branch}' and apply the change again.`);
    }
  }

  private checkExpected(ref: Reference, expectedHash: string | undefined): void {
    if (expectedHash && expectedHash !== ref.hash) throw this.movedError(ref.name, expectedHash, ref.hash);
  }

  private movedError(name: string, expected: string, actual: string | null): ReferenceConflictError {
    return new ReferenceConflictError(name, expected, actual, [],
      `'${name}' moved: expected ${shortHash(expected)} but it is ${actual ? shortHash(actual) : 'deleted'}. ` +
        `Look at 'log ${name}' and retry with the new hash.`);
  }

  private async findReference(name: string): Promise<Reference | null> {
    for (const type of ['BRANCH', 'TAG'] as const) {
      const hash = await this.headOrNull(type, name);
      if (hash) return { type, name, hash };
    }
    return null;
  }

  private async headOrNull(type: ReferenceType, name: string): Promise<string | null> {
    return this.readPointer(this.refPath(type, name));
  }

  private refDir(type: ReferenceType): string {
    return `${this.root}/refs/${type === 'BRANCH' ? 'branches' : 'tags'}/`;
  }

  private refPath(type: ReferenceType, name: string): string {
    return this.refDir(type) + name;
  }

  /** The pointer's hash, or null for absent or deleted (tombstone) references. */
  private async readPointer(path: string): Promise<string | null> {
    const raw = await this.readPointerRaw(path);
    const hash = raw ? raw.trim() || null : null;
    // A pointer names a commit by its hash; anything else is a damaged file, not a path to follow.
    if (hash !== null && !HASH_RE.test(hash)) {
      throw new CatalogError('CORRUPT', `the reference file ${path} holds ${JSON.stringify(hash.slice(0, 40))}, not a 64-character commit hash. Restore it from a copy of the warehouse, or point it at a commit from 'log'.`);
    }
    return hash;
  }

  private async readPointerRaw(path: string): Promise<string | null> {
    try {
      return new TextDecoder().decode(await this.storage.read(path));
    } catch (error) {
      if (error instanceof StorageError && error.code === 'not-found') return null;
      throw error;
    }
  }

  private async readJson<T>(path: string, what: string): Promise<T> {
    let bytes: Uint8Array;
    try {
      bytes = await this.storage.read(path);
    } catch (error) {
      if (error instanceof StorageError && error.code === 'not-found') {
        throw new CatalogError('REFERENCE_NOT_FOUND', `${what} does not exist (${path} is missing from the ${this.storage.kind} storage).`);
      }
      throw error;
    }
    try {
      return JSON.parse(new TextDecoder().decode(bytes)) as T;
    } catch (error) {
      throw new CatalogError('CORRUPT', `${what} is not valid JSON (${path}): ${(error as Error).message}`);
    }
  }

  private async writeCommit(object: CommitObject): Promise<Commit> {
    const hash = await hashOf(object);
    await this.writeOnce(`${this.root}/commits/${hash}.json`, canonicalJson(object));
    const commit: Commit = { hash, ...object };
    this.commits.set(hash, Promise.resolve(commit));
    return commit;
  }

  private async writeTree(tree: CatalogTree): Promise<string> {
    const hash = await hashOf(tree);
    await this.writeOnce(`${this.root}/trees/${hash}.json`, canonicalJson(tree));
    this.trees.set(hash, Promise.resolve(tree));
    return hash;
  }

  /** Content-addressed: an existing file with this name already holds these bytes. */
  private async writeOnce(path: string, text: string): Promise<void> {
    try {
      await this.storage.write(path, new TextEncoder().encode(text));
    } catch (error) {
      if (!(error instanceof StorageError && error.code === 'already-exists')) throw error;
    }
  }

  private requireWritable(): void {
    if (!this.storage.writable) {
      throw new CatalogError('READ_ONLY', `this catalog lives in read-only ${this.storage.kind} storage; copy the warehouse to a writable storage (memory, OPFS, disk) to change it.`);
    }
  }
}

/** Keys whose content differs between two trees, sorted by key. */
export function diffTrees(from: CatalogTree, to: CatalogTree): KeyDiff[] {
  const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
  const out: KeyDiff[] = [];
  for (const key of keys) {
    const a = from[key];
    const b = to[key];
    if (a && b && canonicalJson(a) === canonicalJson(b)) continue;
    const d: KeyDiff = { key };
    if (a) d.from = a;
    if (b) d.to = b;
    out.push(d);
  }
  return out;
}

/** Open (and on writable storage, initialise) the catalog kept in `storage`. */
export async function openCatalog(storage: Storage, options: CatalogOptions = {}): Promise<Catalog> {
  const catalog = new Catalog(storage, options);
  await catalog.initialize();
  return catalog;
}

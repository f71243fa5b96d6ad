/**
 * The pipeline in a WebContainer: a real Node.js in the tab, running the prebundled CLI
 * (scripts/bundle-webcontainer.mjs, fetched from this site) with the learner's files, and
 * a real shell (jsh) in the terminal. Used only when detectWebContainer() booted one; any
 * failure here leaves the page on the Web Worker runner, which always works.
 *
 *   start    fetch the bundle, mount the tree (webcontainer-tree.ts), copy the section's
 *            warehouse in (webcontainer-sync.ts)
 *   run      write the learner's edits into project/ (and the settings into phlo.mjs), run
 *            `node phlo.mjs <argv>`, then copy the warehouse files it wrote back into the
 *            section's storage, so the SQL console sees the tables at once
 *   shell    `jsh` attached to the terminal; what commands typed there write reaches the
 *            section's storage through a watch on the warehouse folder
 *
 * Host-free (no `@webcontainer/api` import): the instance comes from detectWebContainer(),
 * and the unit test passes a Node-backed stand-in that runs the same tree with real Node.
 */
import type { CliIo } from '../../../sandboxes/pipeline/cli/commands.ts';
import type { RunEvent, RunRecord } from '../../../sandboxes/pipeline/orchestrate/runlog.ts';
import type { LineageGraph } from '../../../sandboxes/pipeline/orchestrate/graph.ts';
import type { CommandResult } from './host.ts';
import type { PgAnswer } from './postgres-query.ts';
import type { Runner } from './runner.ts';
import { splitCommand } from './command-line.ts';
import { webcontainerTree, entrySource, PIPELINE_ENTRY, PROJECT_DIR, WAREHOUSE_DIR, type FileTree, type TreeSettings } from './webcontainer-tree.ts';
import { WarehouseSync, type ContainerFs, type SyncTarget, type SyncReport } from './webcontainer-sync.ts';

/** The parts of a booted WebContainer (and of its processes) the runner uses. */
export interface ContainerProcess {
  exit: Promise<number>;
  input: WritableStream<string>;
  output: ReadableStream<string>;
  kill(): void;
  resize(dimensions: { cols: number; rows: number }): void;
}
export interface WebContainerLike {
  fs: ContainerFs & {
    watch?(path: string, options: { recursive: boolean }, listener: () => void): { close(): void };
    rm?(path: string, options: { recursive: boolean; force: boolean }): Promise<void>;
  };
  mount(tree: FileTree): Promise<void>;
  spawn(command: string, args: string[], options?: { terminal?: { cols: number; rows: number } }): Promise<ContainerProcess>;
}

export interface PrebundleManifest {
  entry: string;
  files: { path: string; size: number; binary: boolean }[];
  bytes: number;
}

type Fetch = (url: string) => Promise<Response>;

async function ok(res: Response, url: string): Promise<Response> {
  if (!res.ok) throw new Error(`could not load ${url} (HTTP ${res.status})`);
  return res;
}

/**
 * A binary file of the bundle; files over a static host's size cap were cut into parts by
 * the build (scripts/static-hosts.mjs), with `<file>.parts.json` beside them.
 */
async function fetchBytes(url: string, get: Fetch): Promise<Uint8Array> {
  const res = await get(url);
  if (res.ok) return new Uint8Array(await res.arrayBuffer());
  if (res.status !== 404) throw new Error(`could not load ${url} (HTTP ${res.status})`);
  const manifestUrl = `${url}.parts.json`;
  const parts = (await (await ok(await get(manifestUrl), manifestUrl)).json()) as { parts: string[]; size: number };
  const out = new Uint8Array(parts.size);
  let at = 0;
  const base = url.slice(0, url.lastIndexOf('/') + 1);
  for (const name of parts.parts) {
    const part = new Uint8Array(await (await ok(await get(base + name), base + name)).arrayBuffer());
    out.set(part, at);
    at += part.length;
  }
  if (at !== parts.size) throw new Error(`${url} arrived incomplete (${at} of ${parts.size} bytes)`);
  return out;
}

/** The prebundled CLI from the site (`<base>manifest.json` and the files it lists), as tree paths -> contents. */
export async function fetchPrebundled(base: string, get: Fetch = (u) => fetch(u)): Promise<{ manifest: PrebundleManifest; bundle: Record<string, string | Uint8Array> }> {
  const manifestUrl = `${base}manifest.json`;
  const manifest = (await (await ok(await get(manifestUrl), manifestUrl)).json()) as PrebundleManifest;
  const bundle: Record<string, string | Uint8Array> = {};
  await Promise.all(
    manifest.files.map(async (f) => {
      bundle[f.path] = f.binary ? await fetchBytes(base + f.path, get) : await (await ok(await get(base + f.path), base + f.path)).text();
    }),
  );
  return { manifest, bundle };
}

export interface WebContainerRunnerOptions {
  wc: WebContainerLike;
  /** The prebundled CLI (fetchPrebundled). */
  bundle: Record<string, string | Uint8Array>;
  /** The shipped glucose project (project path -> text). */
  project: Record<string, string>;
  /** The section's warehouse: shipped + the learner's layer. */
  storage: SyncTarget;
  /** The learner's edits -> project files and settings (learner-files.ts in the page). */
  learner: (edits: Record<string, string>) => Promise<{ project: Record<string, string>; settings: TreeSettings }>;
  /** The asset graph and Postgres queries still come from the Worker runner. */
  fallback: { lineage(files: Record<string, string>): Promise<LineageGraph>; postgres(sql: string): Promise<PgAnswer> };
}

/** Where the newest run record is among the files a sync wrote (runlog.ts writes pipeline/runs/<stamp>_<id>.json). */
const RUN_RECORD = /^pipeline\/runs\/[^/]+\.json$/;

export class WebContainerRunner implements Runner {
  readonly kind = 'webcontainer' as const;
  private readonly o: WebContainerRunnerOptions;
  private sync: WarehouseSync;
  /** Container path -> text last written there, so a run writes only what the learner changed. */
  private readonly written = new Map<string, string>();
  private current: ContainerProcess | null = null;
  /** One sync at a time: a command's own sync and the shell's watch must not interleave. */
  private syncing: Promise<SyncReport | null> = Promise.resolve(null);

  private constructor(o: WebContainerRunnerOptions) {
    this.o = o;
    this.sync = new WarehouseSync(o.wc.fs, o.storage, WAREHOUSE_DIR);
  }

  /** Mount the tree and the section's warehouse. Throws (the page then stays on the Worker) with what failed. */
  static async start(o: WebContainerRunnerOptions, edits: Record<string, string>): Promise<WebContainerRunner> {
    const r = new WebContainerRunner(o);
    const { project, settings } = await o.learner(edits);
    try {
      await o.wc.mount(webcontainerTree({ bundle: o.bundle, project, settings }));
    } catch (err) {
      throw new Error(`mounting the pipeline into the WebContainer failed (${(err as Error).message})`);
    }
    for (const [path, text] of Object.entries(project)) r.written.set(`${PROJECT_DIR}/${path}`, text);
    r.written.set(PIPELINE_ENTRY, entrySource(settings));
    try {
      await r.sync.mountInto();
    } catch (err) {
      throw new Error(`copying this section's warehouse into the WebContainer failed (${(err as Error).message})`);
    }
    return r;
  }

  /**
   * After the section was reset to its checkpoint: the container's warehouse is replaced by
   * the section's (a fresh copy), so the next command starts where the SQL console is.
   */
  async resetWarehouse(): Promise<void> {
    await this.syncing.catch(() => null);
    await this.o.wc.fs.rm?.(WAREHOUSE_DIR, { recursive: true, force: true });
    this.sync = new WarehouseSync(this.o.wc.fs, this.o.storage, WAREHOUSE_DIR);
    await this.sync.mountInto();
  }

  /** Bring the container's project/ and phlo.mjs to the learner's current files (also for commands typed in the shell). */
  async writeLearnerFiles(files: Record<string, string>): Promise<void> {
    const { project, settings } = await this.o.learner(files);
    const want: [string, string][] = Object.entries(project).map(([p, t]) => [`${PROJECT_DIR}/${p}`, t]);
    want.push([PIPELINE_ENTRY, entrySource(settings)]);
    for (const [path, text] of want) {
      if (this.written.get(path) === text) continue;
      if (path.includes('/')) await this.o.wc.fs.mkdir(path.slice(0, path.lastIndexOf('/')), { recursive: true });
      await this.o.wc.fs.writeFile(path, text);
      this.written.set(path, text);
    }
  }

  /** Copy the container's warehouse changes into the section's storage (serialised). */
  syncBack(): Promise<SyncReport | null> {
    const next = this.syncing.catch(() => null).then(() => this.sync.syncBack());
    this.syncing = next;
    return next;
  }

  async run(line: string, files: Record<string, string>, io: CliIo, onEvent: (e: RunEvent) => void): Promise<CommandResult> {
    await this.writeLearnerFiles(files);
    const argv = splitCommand(line);
    const proc = await this.o.wc.spawn('node', [PIPELINE_ENTRY, ...argv]);
    this.current = proc;
    // The container's output is one terminal stream (stdout and stderr together), in chunks.
    let partial = '';
    const printed = proc.output.pipeTo(
      new WritableStream<string>({
        write(chunk) {
          const lines = (partial + chunk.replace(/\r/g, '')).split('\n');
          partial = lines.pop() ?? '';
          for (const l of lines) io.out(l);
        },
      }),
    ).catch(() => {});
    const code = await proc.exit;
    await printed;
    if (partial) io.out(partial);
    this.current = null;
    const report = await this.syncBack();
    const run = report ? await this.newestRun(report) : null;
    // The pane's asset graph follows the run's events, as with the Worker (after the fact here).
    if (run) for (const e of run.events) onEvent(e);
    return { code, run };
  }

  private async newestRun(report: SyncReport): Promise<RunRecord | null> {
    const path = report.written.filter((p) => RUN_RECORD.test(p)).sort().at(-1);
    if (!path) return null;
    try {
      return JSON.parse(new TextDecoder().decode(await this.o.storage.read(path))) as RunRecord;
    } catch {
      return null;
    }
  }

  cancel(): void {
    this.current?.kill();
  }

  lineage(files: Record<string, string>): Promise<LineageGraph> {
    return this.o.fallback.lineage(files);
  }

  postgres(sql: string): Promise<PgAnswer> {
    return this.o.fallback.postgres(sql);
  }

  /**
   * A real shell in the terminal: what the learner types goes to jsh, what it prints comes
   * back. Commands typed there (`node phlo.mjs ...`, `npm run pipeline -- ...`) write the
   * container's warehouse; a watch on it copies the changes back after a quiet moment.
   */
  async openShell(size: { cols: number; rows: number }, print: (data: string) => void, synced: (r: SyncReport) => void): Promise<{ type(data: string): void; resize(cols: number, rows: number): void; close(): void }> {
    const shell = await this.o.wc.spawn('jsh', [], { terminal: size });
    void shell.output.pipeTo(new WritableStream<string>({ write: (d) => print(d) })).catch(() => {});
    const input = shell.input.getWriter();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const watcher = this.o.wc.fs.watch?.(WAREHOUSE_DIR, { recursive: true }, () => {
      clearTimeout(timer);
      timer = setTimeout(() => void this.syncBack().then((r) => r && (r.written.length || r.changed.length || r.deleted.length) && synced(r), () => {}), 500);
    });
    return {
      type: (data) => void input.write(data),
      resize: (cols, rows) => shell.resize({ cols, rows }),
      close: () => {
        watcher?.close();
        shell.kill();
      },
    };
  }
}

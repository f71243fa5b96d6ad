/**
 * The pipeline pane: the section's pipeline files in a tree and an editor (TypeScript,
 * SQL, YAML), a terminal (xterm.js) that runs the pipeline's command line, and the asset
 * graph with each asset's status during a run. The runner line says where commands run.
 * Edited files are saved as you type (OPFS) and are never touched by a reset or a crash.
 */
import { EditorView, basicSetup } from 'codemirror';
import { EditorState, type Extension } from '@codemirror/state';
import { sql } from '@codemirror/lang-sql';
import { javascript } from '@codemirror/lang-javascript';
import { yaml } from '@codemirror/lang-yaml';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { h, clear, errorText } from './dom.ts';
import type { PaneContext } from './context.ts';
import { editorTheme } from './editor-theme.ts';
import { wrapForTerminal } from './term-wrap.ts';
import { originalFile } from '../pipeline/project-files.ts';
import { isPluginFile } from '../pipeline/learner-plugins.ts';
import { WorkerRunner, InPageRunner, RunnerStopped, type Runner } from '../pipeline/runner.ts';
import { detectWebContainer } from '../pipeline/webcontainer.ts';
import type { WebContainerRunner } from '../pipeline/webcontainer-runner.ts';
import { summarizeRun } from '../pipeline/run-summary.ts';
import { NOT_PUBLISHED_MESSAGE } from '../pipeline/postgres-query.ts';
import type { LineageGraph } from '../../../sandboxes/pipeline/orchestrate/graph.ts';
import type { RunEvent } from '../../../sandboxes/pipeline/orchestrate/runlog.ts';

const FILES_KEY = 'files';
const PROMPT = '\x1b[36mphlo\x1b[0m $ ';

function languageFor(path: string): Extension {
  if (path.endsWith('.sql')) return sql();
  if (path.endsWith('.ts')) return javascript({ typescript: true });
  if (/\.ya?ml$/.test(path)) return yaml();
  return [];
}

type AssetState = 'idle' | 'running' | 'done' | 'failed' | 'skipped';

export class PipelinePane {
  readonly el: HTMLElement;
  private readonly ctx: PaneContext;
  private readonly runnerLine: HTMLElement;
  private readonly treeEl: HTMLElement;
  private readonly editorBox: HTMLElement;
  private readonly fileLabel: HTMLElement;
  private readonly termBox: HTMLElement;
  private readonly graphEl: HTMLElement;
  private readonly scrollNote: HTMLElement;
  /** The terminal's text, line by line, for screen readers (xterm draws to its own rows). */
  private readonly transcript: HTMLElement;
  private partial = '';
  private readonly cmdInput: HTMLInputElement;
  private readonly runBtn: HTMLButtonElement;
  private readonly cancelBtn: HTMLButtonElement;
  private editor: EditorView | null = null;
  private term: Terminal | null = null;
  private fit: FitAddon | null = null;
  private runner: Runner | null = null;
  private edits: Record<string, string> = {};
  private current = '';
  private line = '';
  private history: string[] = [];
  private historyAt = -1;
  private busy = false;
  private saveTimer = 0;
  private graph: LineageGraph | null = null;
  private status = new Map<string, AssetState>();
  /** Why a skipped asset was skipped: it was up to date, or an asset it depends on failed. */
  private skipReason = new Map<string, string>();
  private started = false;
  /** The WebContainer's shell (jsh) attached to the terminal, when a WebContainer runs the pipeline. */
  private shell: { type(data: string): void; resize(cols: number, rows: number): void; close(): void } | null = null;

  constructor(ctx: PaneContext) {
    this.ctx = ctx;
    this.runnerLine = h('p', { class: 'sbx-runner-line', role: 'status', 'data-runner': 'detecting' }, 'Pipeline runner: checking whether a WebContainer can boot…');
    this.treeEl = h('ul', { class: 'sbx-files', role: 'tree', 'aria-label': 'Pipeline files' });
    this.fileLabel = h('span', { class: 'sbx-file-label' });
    this.editorBox = h('div', { class: 'sbx-editor sbx-file-editor' });
    this.termBox = h('div', { class: 'sbx-term', 'aria-label': 'Pipeline terminal' });
    this.graphEl = h('div', { class: 'sbx-assets', 'aria-label': 'Asset graph' });
    this.scrollNote = h('p', { class: 'sbx-note sbx-scroll-note', hidden: true }, 'The graph is wider than this box: scroll it sideways (or focus it and use the arrow keys) to see the downstream assets.');
    this.transcript = h('div', { class: 'sbx-sr-only sbx-transcript', role: 'log', 'aria-label': 'Terminal output' });
    this.cmdInput = h('input', { class: 'sbx-input sbx-cmd', 'aria-label': 'Pipeline command', placeholder: ctx.config.terminalExample ?? 'materialize --partition 2025-01-08 --downstream dlt_glucose_entries', autocomplete: 'off', spellcheck: 'false' });
    this.runBtn = h('button', { type: 'submit', class: 'sbx-btn sbx-primary' }, 'Run command');
    this.cancelBtn = h('button', { type: 'button', class: 'sbx-btn', disabled: true, onclick: () => this.cancel() }, 'Cancel');
    const restore = h('button', { type: 'button', class: 'sbx-btn sbx-small', onclick: () => void this.restoreFile() }, 'Restore original');
    this.el = h(
      'div',
      { class: 'sbx-pipeline' },
      this.runnerLine,
      h(
        'div',
        // A section without editable files gets the terminal and the graph only.
        { class: 'sbx-pipeline-grid', hidden: (ctx.config.files ?? []).length === 0 },
        h('nav', { class: 'sbx-filetree', 'aria-label': 'Pipeline files' }, h('h4', {}, 'Files'), this.treeEl),
        h('div', { class: 'sbx-file-pane' }, h('div', { class: 'sbx-file-head' }, this.fileLabel, restore), this.editorBox),
      ),
      h(
        'form',
        { class: 'sbx-toolbar', onsubmit: (e: Event) => (e.preventDefault(), void this.submit(this.cmdInput.value)) },
        h('label', { class: 'sbx-field sbx-grow' }, h('span', {}, 'Command'), this.cmdInput),
        this.runBtn,
        this.cancelBtn,
      ),
      this.termBox,
      this.transcript,
      h('h4', {}, 'Asset graph'),
      this.graphEl,
      this.scrollNote,
    );
    // Overlay scrollbars (phones, some desktops) show nothing until touched: say it scrolls.
    new ResizeObserver(() => this.markOverflow()).observe(this.graphEl);
    ctx.on('pane', (k) => k === 'pipeline' && void this.startOnce());
    // The dashboard and postgres task checks read the marts through this pane's runner: its
    // worker owns the Postgres that publish writes. No runner yet means nothing published.
    ctx.postgres = (sql) => (this.runner ? this.runner.postgres(sql) : Promise.resolve({ ok: false, notPublished: true, error: NOT_PUBLISHED_MESSAGE }));
    ctx.on('pipeline-files', (d) => {
      const { files, done } = d as { files: Record<string, string>; done: () => void };
      void this.applyFiles(files).finally(done);
    });
    ctx.on('pipeline-command', (d) => {
      const { line, done } = d as { line: string; done: () => void };
      void this.submit(line).finally(done);
    });
  }

  private starting: Promise<void> | null = null;

  /** Everything the pane needs before its first command; every caller waits for the same start. */
  private startOnce(): Promise<void> {
    if (this.starting) {
      this.fit?.fit();
      return this.starting;
    }
    this.started = true;
    this.starting = (async () => {
      this.edits = (await this.ctx.session.store.state.get<Record<string, string>>(FILES_KEY).catch(() => undefined)) ?? {};
      this.renderTree();
      this.open(this.ctx.config.files?.[0] ?? '');
      this.startTerminal();
      await this.chooseRunner();
      void this.drawGraph();
    })();
    return this.starting;
  }

  private async chooseRunner(): Promise<void> {
    if (this.runner) return;
    const session = this.ctx.session;
    if (session.store.kind !== 'opfs') {
      this.runner = new InPageRunner(session);
      this.setRunnerLine('in-page', 'Pipeline runner: in this page, because this browser has no private file storage (OPFS) that a worker could share.');
      return;
    }
    // The Worker is ready in any case; the WebContainer check runs beside it and only
    // changes the line (it can take seconds when StackBlitz is unreachable).
    const worker = new WorkerRunner(session);
    // During a command the failure is reported by the command itself.
    worker.onCrash = (msg) => !this.busy && this.write(`\r\n\x1b[31m${msg}. The worker was restarted; your files are kept.\x1b[0m\r\n`);
    worker.warm();
    this.runner = worker;
    this.setRunnerLine('worker-pending', 'Pipeline runner: Web Worker in this tab (checking whether a WebContainer can boot…).');
    void detectWebContainer().then((wc) => {
      if (!wc.ok) {
        this.setRunnerLine('worker', `Pipeline runner: Web Worker in this tab, because ${wc.reason}. Same commands, same code; your warehouse is saved in this browser.`);
        return;
      }
      void this.useWebContainer(wc.instance, worker);
    });
  }

  /**
   * A WebContainer booted: mount the prebundled pipeline with the learner's files and the
   * section's warehouse, attach its shell to the terminal, and run commands there. Anything
   * failing leaves the Worker in charge and says why; the learner's files live in this
   * browser's storage and are not touched either way.
   */
  private async useWebContainer(instance: unknown, worker: WorkerRunner): Promise<void> {
    if ((this.ctx.config.files ?? []).some(isPluginFile)) {
      this.setRunnerLine('worker', 'Pipeline runner: Web Worker in this tab. A WebContainer booted, but this section’s plugin files are TypeScript modules its Node cannot load, so the same commands run in the worker.');
      return;
    }
    this.setRunnerLine('webcontainer-pending', 'Pipeline runner: Web Worker in this tab while a WebContainer loads the prebundled pipeline and this section’s warehouse…');
    let wc: WebContainerRunner;
    try {
      const { startWebContainerRunner } = await import('../pipeline/webcontainer-page.ts');
      wc = await startWebContainerRunner(instance, this.ctx.session, this.runFiles(), worker);
    } catch (err) {
      this.setRunnerLine('worker', `Pipeline runner: Web Worker in this tab, because a WebContainer booted but ${errorText(err)}. Same commands, same code; your files are kept.`);
      return;
    }
    // A command already running in the worker finishes there; the next one goes to the container.
    while (this.busy) await new Promise((r) => setTimeout(r, 200));
    this.runner = wc;
    this.ctx.session.onChange((why) => {
      if (why === 'reset') void wc.resetWarehouse().catch((err) => this.write(`\r\n\x1b[31mThe WebContainer’s warehouse could not be reset: ${errorText(err)}\x1b[0m\r\n`));
    });
    this.setRunnerLine('webcontainer', 'Pipeline runner: WebContainer, a real Node.js in this tab running the prebundled pipeline (nothing to install). The terminal is a real shell: try npm run pipeline -- assets. What a command writes is copied into this section’s warehouse when it ends.');
    try {
      const term = this.term!;
      this.shell = await wc.openShell(
        { cols: term.cols, rows: term.rows },
        (data) => this.write(data),
        () => this.ctx.session.changed('pipeline'),
      );
      this.write('\r\n\x1b[2mA real shell in a WebContainer: the pipeline is `node phlo.mjs` (or npm run pipeline --).\x1b[0m\r\n');
    } catch (err) {
      // Commands from the field still run in the container; only typing goes to the pane's line editor.
      this.write(`\r\n\x1b[31mThe WebContainer’s shell did not start (${errorText(err)}); commands still run in the container.\x1b[0m\r\n${PROMPT}`);
    }
  }

  private setRunnerLine(kind: string, text: string): void {
    this.runnerLine.dataset.runner = kind;
    this.runnerLine.textContent = text;
  }

  // ------------------------------------------------------------ files

  private text(path: string): string {
    return this.edits[path] ?? originalFile(path) ?? '';
  }

  private renderTree(): void {
    const files = this.ctx.config.files ?? [];
    clear(
      this.treeEl,
      files.map((f) =>
        h(
          'li',
          { role: 'treeitem', 'aria-selected': String(f === this.current) },
          h('button', { type: 'button', class: `sbx-file${f === this.current ? ' current' : ''}`, 'data-file': f, onclick: () => this.open(f) }, f, this.edits[f] !== undefined ? h('span', { class: 'sbx-edited', title: 'edited' }, ' •') : null),
        ),
      ),
    );
  }

  private open(path: string): void {
    if (!path) return;
    this.current = path;
    this.fileLabel.textContent = path;
    const state = EditorState.create({
      doc: this.text(path),
      extensions: [
        basicSetup,
        languageFor(path),
        editorTheme,
        EditorView.contentAttributes.of({ 'aria-label': `Edit ${path}`, tabindex: '0' }),
        EditorView.updateListener.of((u) => u.docChanged && this.edited(path, u.state.doc.toString())),
      ],
    });
    if (this.editor) this.editor.setState(state);
    else {
      this.editor = new EditorView({ state });
      this.editorBox.appendChild(this.editor.dom);
    }
    this.renderTree();
  }

  private edited(path: string, text: string): void {
    if (text === originalFile(path)) delete this.edits[path];
    else this.edits[path] = text;
    clearTimeout(this.saveTimer);
    this.saveTimer = window.setTimeout(() => void this.save(), 300);
  }

  private async save(): Promise<void> {
    await this.ctx.session.store.state.set(FILES_KEY, this.edits).catch((err) => this.write(`\r\n\x1b[31mCould not save your files: ${errorText(err)}\x1b[0m\r\n`));
    this.renderTree();
    // Tasks judged on the project files (Part 10's contracts) are judged again.
    this.ctx.emit('files');
    // Commands typed in the WebContainer's shell read project/ there: keep it current.
    if (this.runner?.kind === 'webcontainer') await (this.runner as WebContainerRunner).writeLearnerFiles(this.runFiles()).catch((err) => this.write(`\r\n\x1b[31m${errorText(err)}\x1b[0m\r\n`));
  }

  private async restoreFile(): Promise<void> {
    if (!this.current) return;
    delete this.edits[this.current];
    await this.save();
    this.open(this.current);
  }

  /** Apply a task's solution files. */
  async applyFiles(files: Record<string, string>): Promise<void> {
    await this.startOnce();
    Object.assign(this.edits, files);
    await this.save();
    this.open(Object.keys(files)[0] ?? this.current);
  }

  // ------------------------------------------------------------ terminal

  private startTerminal(): void {
    const styles = getComputedStyle(this.el);
    const term = new Terminal({
      convertEol: true,
      fontSize: 13,
      rows: 14,
      screenReaderMode: true,
      fontFamily: styles.getPropertyValue('--sl-font-mono') || 'monospace',
      theme: { background: '#0d1117', foreground: '#e6edf3', cursor: '#e6edf3' },
    });
    this.fit = new FitAddon();
    term.loadAddon(this.fit);
    term.open(this.termBox);
    this.term = term;
    this.fit.fit();
    // Re-fit whenever the box changes size (window resize, phone rotation, the pane shown).
    new ResizeObserver(() => this.termBox.clientWidth > 0 && this.fit?.fit()).observe(this.termBox);
    term.onResize(({ cols, rows }) => this.shell?.resize(cols, rows));
    term.write(wrapForTerminal('The glucose pipeline’s command line. Type \x1b[1mhelp\x1b[0m for the commands, e.g.\r\n', term.cols));
    term.write(wrapForTerminal(`  ${this.ctx.config.terminalExample ?? 'materialize --partition 2025-01-08 --downstream dlt_glucose_entries'}\r\n`, term.cols));
    term.write(PROMPT);
    term.onData((data) => this.key(data));
  }

  private write(text: string): void {
    // Whole lines are wrapped at spaces to the terminal's width (xterm cuts words at the edge).
    this.term?.write(wrapForTerminal(text, this.term.cols));
    // Mirror whole lines, without colours, into the transcript.
    const plain = this.partial + text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/\r/g, '');
    const lines = plain.split('\n');
    this.partial = lines.pop() ?? '';
    for (const l of lines) if (!l.startsWith('\b')) this.transcript.appendChild(h('p', {}, l));
    while (this.transcript.childElementCount > 200) this.transcript.firstElementChild?.remove();
  }

  private key(data: string): void {
    if (this.shell && !this.busy) {
      this.shell.type(data);
      return;
    }
    if (data === '\x03') {
      if (this.busy) this.cancel();
      else {
        this.line = '';
        this.write('^C\r\n' + PROMPT);
      }
      return;
    }
    if (this.busy) return;
    if (data === '\r') {
      const line = this.line;
      this.line = '';
      this.write('\r\n');
      void this.execute(line);
      return;
    }
    if (data === '\x7f') {
      if (this.line) {
        this.line = this.line.slice(0, -1);
        this.write('\b \b');
      }
      return;
    }
    if (data === '\x1b[A' || data === '\x1b[B') {
      if (!this.history.length) return;
      this.historyAt = data === '\x1b[A' ? Math.min(this.history.length - 1, this.historyAt + 1) : Math.max(-1, this.historyAt - 1);
      const next = this.historyAt < 0 ? '' : this.history[this.historyAt]!;
      this.write('\b \b'.repeat(this.line.length) + next);
      this.line = next;
      return;
    }
    if (data.startsWith('\x1b')) return;
    const printable = data.replace(/[\x00-\x1f]/g, '');
    this.line += printable;
    this.write(printable);
  }

  /** Run from the command field: echo it in the terminal like a typed line. */
  async submit(line: string): Promise<void> {
    if (this.busy || !line.trim()) return;
    await this.startOnce();
    this.cmdInput.value = '';
    this.write(line + '\r\n');
    await this.execute(line);
  }

  private async execute(raw: string): Promise<void> {
    const line = raw.trim();
    if (!line) {
      this.write(PROMPT);
      return;
    }
    this.history = [line, ...this.history.filter((l) => l !== line)].slice(0, 50);
    this.historyAt = -1;
    if (line === 'clear') {
      this.term?.clear();
      this.write(PROMPT);
      return;
    }
    if (line === 'ls') {
      for (const f of this.ctx.config.files ?? []) this.write(`${f}\r\n`);
      this.write(PROMPT);
      return;
    }
    if (line.startsWith('cat ')) {
      this.write(this.text(line.slice(4).trim()).replace(/\n/g, '\r\n') + '\r\n' + PROMPT);
      return;
    }
    if (!this.runner) await this.chooseRunner();
    this.busy = true;
    this.el.dataset.busy = 'yes';
    this.runBtn.disabled = true;
    this.cancelBtn.disabled = false;
    this.resetStatus();
    const started = performance.now();
    const io = { out: (t: string) => this.write(`${t}\r\n`), err: (t: string) => this.write(`\x1b[31m${t}\x1b[0m\r\n`) };
    try {
      const res = await this.runner!.run(line, this.runFiles(), io, (e) => this.onEvent(e));
      const secs = ((performance.now() - started) / 1000).toFixed(1);
      this.write(`\x1b[2m(exit ${res.code}, ${secs} s)\x1b[0m\r\n`);
      if (res.run) {
        this.ctx.lastRun = summarizeRun(res.run, line);
        await this.ctx.session.store.state.set('last-run', this.ctx.lastRun).catch(() => {});
        this.ctx.emit('run', this.ctx.lastRun);
        this.el.dataset.lastExit = String(res.code);
      }
      this.ctx.session.changed('pipeline');
      // Plugin files can add assets: draw the graph the next command will use.
      if ((this.ctx.config.files ?? []).some(isPluginFile)) void this.drawGraph();
    } catch (err) {
      this.write(`\x1b[31m${errorText(err)}\x1b[0m\r\n`);
      for (const [k, s] of this.status) if (s === 'running') this.status.set(k, 'failed');
      this.paintGraph();
      if (!(err instanceof RunnerStopped)) console.error(err);
    } finally {
      this.busy = false;
      delete this.el.dataset.busy;
      this.runBtn.disabled = false;
      this.cancelBtn.disabled = true;
      // In a WebContainer the shell prints its own prompt.
      if (!this.shell) this.write(PROMPT);
    }
  }

  cancel(): void {
    this.runner?.cancel();
  }

  /**
   * The files a command runs with: the learner's edits, plus every plugin file the section
   * lists (Part 13), edited or not, since the plugins under plugins/ are registered on each run.
   */
  private runFiles(): Record<string, string> {
    const files: Record<string, string> = {};
    for (const f of this.ctx.config.files ?? []) if (isPluginFile(f)) files[f] = this.text(f);
    return { ...files, ...this.edits };
  }

  // ------------------------------------------------------------ asset graph

  private async drawGraph(): Promise<void> {
    try {
      this.graph = await this.runner!.lineage(this.runFiles());
      this.paintGraph();
    } catch (err) {
      clear(this.graphEl, h('p', { class: 'sbx-error' }, `The asset graph could not be built: ${errorText(err)}`));
    }
  }

  private resetStatus(): void {
    this.status.clear();
    this.skipReason.clear();
    this.paintGraph();
  }

  private onEvent(e: RunEvent): void {
    if (!e.asset) return;
    const key = e.asset;
    if (e.type === 'STEP_START') this.status.set(key, 'running');
    else if (e.type === 'MATERIALIZATION' || e.type === 'STEP_SUCCESS') this.status.set(key, 'done');
    else if (e.type === 'STEP_FAILURE') this.status.set(key, 'failed');
    else if (e.type === 'STEP_SKIPPED') {
      this.status.set(key, 'skipped');
      this.skipReason.set(key, e.metadata?.up_to_date ? 'skipped: nothing upstream changed' : 'skipped: an upstream asset failed');
    }
    else if (e.type === 'ASSET_CHECK' && /^FAIL/.test(e.message)) this.status.set(key, 'failed');
    else return;
    this.paintGraph();
  }

  /** Show the "scroll sideways" note while the graph is wider than its box. */
  private markOverflow(): void {
    const cols = this.graphEl.querySelector<HTMLElement>('.sbx-asset-cols');
    this.scrollNote.hidden = !cols || cols.scrollWidth <= cols.clientWidth + 1;
  }

  /** Assets in columns by depth (sources left, marts right), edges as lines. */
  private paintGraph(): void {
    const g = this.graph;
    if (!g) return;
    const nodes = g.nodes.filter((n) => n.kind !== 'check' && n.kind !== 'source');
    const ids = new Set(nodes.map((n) => n.id));
    const deps = new Map<string, string[]>();
    for (const e of g.edges) if (ids.has(e.from) && ids.has(e.to)) deps.set(e.to, [...(deps.get(e.to) ?? []), e.from]);
    const depth = new Map<string, number>();
    const d = (id: string, seen = new Set<string>()): number => {
      if (depth.has(id)) return depth.get(id)!;
      if (seen.has(id)) return 0;
      seen.add(id);
      const v = Math.max(-1, ...(deps.get(id) ?? []).map((p) => d(p, seen))) + 1;
      depth.set(id, v);
      return v;
    };
    nodes.forEach((n) => d(n.id));
    const cols: (typeof nodes)[] = [];
    for (const n of nodes) (cols[depth.get(n.id)!] ??= []).push(n);
    const label: Record<AssetState, string> = { idle: 'not run in this session', running: 'running', done: 'materialized', failed: 'failed', skipped: 'skipped: nothing upstream changed' };
    clear(
      this.graphEl,
      h(
        'ol',
        { class: 'sbx-asset-cols', tabindex: 0, 'aria-label': 'Assets by layer, upstream first (scrollable)' },
        cols.map((col, i) =>
          h(
            'li',
            { class: 'sbx-asset-col', 'aria-label': `Layer ${i + 1}` },
            h(
              'ul',
              {},
              col.map((n) => {
                const s = this.status.get(n.id) ?? 'idle';
                const from = deps.get(n.id) ?? [];
                return h(
                  'li',
                  { class: `sbx-asset ${s}`, 'data-asset': n.id, 'data-status': s },
                  h('span', { class: 'sbx-asset-name' }, n.label),
                  h('span', { class: 'sbx-asset-meta' }, `${n.kind}${n.target ? ` → ${n.target}` : ''}`),
                  h('span', { class: 'sbx-asset-status' }, (s === 'skipped' && this.skipReason.get(n.id)) || label[s]),
                  from.length ? h('span', { class: 'sbx-sr-only' }, `depends on ${from.join(', ')}`) : null,
                );
              }),
            ),
          ),
        ),
      ),
    );
    this.markOverflow();
  }
}

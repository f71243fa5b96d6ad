/**
 * The heavy island of a hands-on section, loaded on demand by ../boot.ts. It opens the
 * section's session (engine + warehouse + saved state), then lays out the panes the
 * section config asks for as tabs (stacked on a phone), the exercise list, and a toolbar
 * with the storage in use, "Reset to checkpoint" and "Download this lakehouse".
 */
// Styles travel as strings and are injected on mount: imported as CSS modules, Astro would
// link them from every page of the site, sandbox or not.
import sandboxCss from '../sandbox.css?inline';
import xtermCss from '@xterm/xterm/css/xterm.css?inline';
import type { SectionConfig, PaneKind } from '../sections/types.ts';
import { SandboxSession, bootEngine, StateError } from '../runtime/session.ts';
import { resetQuestion } from '../runtime/checkpoints.ts';
import type { SqlEngine } from '../../../sandboxes/lakehouse/sql/engine.ts';
import { h, clear, nextId, errorText } from './dom.ts';
import type { PaneContext } from './context.ts';
import { SqlConsole } from './sql-console.ts';
import { TimelinePane } from './timeline.ts';
import { BranchesPane } from './branches.ts';
import { ExplorerPane } from './explorer.ts';
import { PipelinePane } from './pipeline-pane.ts';
import { DashboardPane } from './dashboard.ts';
import { ScalePane } from './scale.ts';
import { allowArrowNullTests } from '../pipeline/arrow-csp.ts';
import { measurePhase } from '../runtime/boot-timing.ts';

// Metadata tables (raw."glucose_entries$files" ...) reach DuckDB as Arrow built in the page,
// and Arrow's null test needs the same CSP workaround as the pipeline worker.
allowArrowNullTests();
import { CatalogPane } from './catalog.ts';
import { Exercises } from './exercises.ts';
import { downloadControl } from './download.ts';

const PANE_LABELS: Record<PaneKind, string> = {
  sql: 'SQL console',
  timeline: 'Snapshots',
  branches: 'Branches',
  explorer: 'Iceberg explorer',
  pipeline: 'Pipeline',
  dashboard: 'Dashboard',
  scale: 'Scale',
  catalog: 'Catalog',
};

const engines = new WeakMap<HTMLElement, Promise<SqlEngine>>();
const sessions = new WeakMap<HTMLElement, Promise<SandboxSession>>();

function configOf(root: HTMLElement): SectionConfig {
  const json = root.querySelector('script[data-config]')?.textContent;
  if (!json) throw new Error('this hands-on section has no configuration');
  return JSON.parse(json) as SectionConfig;
}

function engineFor(root: HTMLElement): Promise<SqlEngine> {
  let p = engines.get(root);
  if (!p) {
    p = bootEngine();
    engines.set(root, p);
    p.catch(() => engines.delete(root));
  }
  return p;
}

function sessionFor(root: HTMLElement): Promise<SandboxSession> {
  let p = sessions.get(root);
  if (!p) {
    p = SandboxSession.open(configOf(root), engineFor(root));
    sessions.set(root, p);
    p.catch(() => sessions.delete(root));
  }
  return p;
}

/** Scrolled near: boot DuckDB-WASM and read the warehouse while the reader reads. */
export function prefetch(root: HTMLElement): void {
  const config = configOf(root);
  void sessionFor(root)
    .then(async (session) => {
      // Load the first prepared query's tables into DuckDB too: the click then only runs it.
      const first = config.queries[0];
      if (!first || root.dataset.ready) return;
      const start = performance.now();
      let bound = start;
      const onBound = () => measurePhase('prefetch-binding', start, (bound = performance.now()));
      await session.warehouse.sql(first.sql, { ref: first.ref ?? 'main', onBound });
      measurePhase('prefetch-query', bound, performance.now());
    })
    .catch(() => {});
}

function injectStyles(): void {
  if (document.getElementById('phlo-sandbox-styles')) return;
  const style = document.createElement('style');
  style.id = 'phlo-sandbox-styles';
  style.textContent = `${xtermCss}\n${sandboxCss}`;
  document.head.appendChild(style);
}

/**
 * Mount the panes. With `fromCheckpoint` (the workshop's "jump to checkpoint" link) the
 * section's warehouse is put back at its checkpoint, so a late attendee starts where the
 * room is; when that would delete work of theirs (branches, tags, commits), they are asked
 * first and told what would go. Edited pipeline files are always kept.
 */
export async function mount(root: HTMLElement, options: { fromCheckpoint?: boolean } = {}): Promise<void> {
  injectStyles();
  const config = configOf(root);
  const stage = root.querySelector<HTMLElement>('[data-stage]')!;
  const line = root.querySelector<HTMLElement>('[data-runner-line]');
  if (line) line.textContent = 'Starting DuckDB-WASM and opening the warehouse…';
  let session: SandboxSession;
  /** The learner declined the jump: their work stays, and the bar says how to jump later. */
  let kept = false;
  try {
    session = await sessionFor(root);
    if (options.fromCheckpoint) {
      if (await askBeforeReset(session, 'jump')) await session.reset();
      else kept = true;
    }
    await session.verify();
  } catch (err) {
    // Whatever failed (a damaged saved state, a missing file), the learner gets the error in
    // words and the one action that can fix it; the page itself keeps working.
    sessions.delete(root);
    showCorrupt(root, stage, config, errorText(err), err instanceof StateError);
    return;
  }
  render(root, stage, session, kept ? 'You kept your work instead of jumping to the checkpoint; “Reset to checkpoint” puts the section where the workshop is.' : undefined);
}

/**
 * Ask before a reset or a workshop jump throws work away, naming what would be lost
 * (branches, tags, moved refs). Nothing to lose: no question. The state cannot be read: the
 * question says so (a reset is then the way out) rather than guessing.
 */
async function askBeforeReset(session: SandboxSession, action: 'reset' | 'jump'): Promise<boolean> {
  let question: string | null;
  try {
    question = resetQuestion(await session.workAtRisk(), session.config.checkpoint, action);
  } catch (err) {
    question = `${action === 'jump' ? 'Jump to' : 'Return to'} the checkpoint “${session.config.checkpoint}”? This section's saved work could not be listed (${errorText(err)}); whatever it holds is deleted. Your edited pipeline files are kept.`;
  }
  return question === null || confirm(question);
}

/** The saved state cannot be read: say so, and offer the one thing that fixes it. */
function showCorrupt(root: HTMLElement, stage: HTMLElement, config: SectionConfig, message: string, damaged: boolean): void {
  const reset = h('button', { type: 'button', class: 'sbx-btn sbx-primary' }, 'Reset this section');
  reset.addEventListener('click', async () => {
    reset.disabled = true;
    const { openSectionStore } = await import('../runtime/section-store.ts');
    const store = await openSectionStore(config.id);
    // Keep the learner's edited files: only the warehouse layer and run state go.
    await store.clearWarehouse();
    for (const k of ['checkpoint-applied', 'tasks', 'last-run', 'last-result']) await store.state.delete(k).catch(() => {});
    sessions.delete(root);
    await mount(root);
  });
  clear(
    stage,
    h(
      'div',
      { class: 'sbx-error', role: 'alert', 'data-corrupt': '' },
      h('p', {}, h('strong', {}, damaged ? 'This section’s saved state is damaged. ' : 'The sandbox could not open. '), message),
      h('p', {}, 'Resetting returns the warehouse to the section’s starting point; your edited pipeline files are kept.'),
      reset,
      ' ',
      h('button', { type: 'button', class: 'sbx-btn', onclick: () => void mount(root) }, 'Try again'),
    ),
  );
}

function render(root: HTMLElement, stage: HTMLElement, session: SandboxSession, note?: string): void {
  const config = session.config;
  const listeners = new Map<string, Set<(d: unknown) => void>>();
  const live = h('div', { class: 'sbx-sr-only', 'aria-live': 'polite' });
  const tabs: { kind: PaneKind; tab: HTMLButtonElement; panel: HTMLElement }[] = [];
  let sqlConsole: SqlConsole | null = null;

  const ctx: PaneContext = {
    session,
    config,
    ref: 'main',
    setRef(ref) {
      if (ref === ctx.ref) return;
      ctx.ref = ref;
      ctx.emit('ref', ref);
    },
    loadQuery(sql, options = {}) {
      ctx.showPane('sql');
      sqlConsole?.load(sql, options);
    },
    showPane(kind) {
      const t = tabs.find((x) => x.kind === kind);
      if (t) select(t);
    },
    lastResult: null,
    lastRun: null,
    announce(text) {
      live.textContent = '';
      setTimeout(() => (live.textContent = text), 30);
    },
    on(event, fn) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(fn);
    },
    emit(event, detail) {
      for (const fn of listeners.get(event) ?? []) {
        try {
          fn(detail);
        } catch (err) {
          console.error(err);
        }
      }
    },
  };
  session.onChange((why) => ctx.emit('changed', why));

  const tabList = h('div', { class: 'sbx-tabs', role: 'tablist', 'aria-label': `${config.title}: panes` });
  const panels = h('div', { class: 'sbx-panels' });
  const select = (t: (typeof tabs)[number], focus = false) => {
    for (const x of tabs) {
      const on = x === t;
      x.tab.setAttribute('aria-selected', String(on));
      x.tab.tabIndex = on ? 0 : -1;
      x.panel.hidden = !on;
    }
    if (focus) t.tab.focus();
    ctx.emit('pane', t.kind);
  };
  for (const kind of config.panes) {
    const tabId = nextId('sbx-tab');
    const panelId = nextId('sbx-panel');
    const tab = h('button', { type: 'button', role: 'tab', id: tabId, 'aria-controls': panelId, class: 'sbx-tab', 'data-pane': kind }, PANE_LABELS[kind]);
    const panel = h('div', { role: 'tabpanel', id: panelId, 'aria-labelledby': tabId, class: 'sbx-panel', 'data-pane': kind, tabindex: 0 });
    let content: HTMLElement;
    switch (kind) {
      case 'sql':
        sqlConsole = new SqlConsole(ctx);
        content = sqlConsole.el;
        break;
      case 'timeline':
        content = new TimelinePane(ctx).el;
        break;
      case 'branches':
        content = new BranchesPane(ctx).el;
        break;
      case 'explorer':
        content = new ExplorerPane(ctx).el;
        break;
      case 'pipeline':
        content = new PipelinePane(ctx).el;
        break;
      case 'catalog':
        content = new CatalogPane(ctx).el;
        break;
      case 'dashboard':
        content = new DashboardPane(ctx).el;
        break;
      case 'scale':
        content = new ScalePane(ctx).el;
        break;
    }
    panel.appendChild(content);
    const entry = { kind, tab, panel };
    tab.addEventListener('click', () => select(entry));
    tab.addEventListener('keydown', (e) => {
      const i = tabs.indexOf(entry);
      const next = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? tabs.length - 1 : null;
      if (next === null) return;
      e.preventDefault();
      select(tabs[(next + tabs.length) % tabs.length]!, true);
    });
    tabs.push(entry);
    tabList.appendChild(tab);
    panels.appendChild(panel);
  }

  const exercises = config.tasks.length ? new Exercises(ctx) : null;
  const storageNote =
    session.store.kind === 'opfs'
      ? 'Your work is saved in this browser (private file storage) and survives a reload.'
      : 'This browser has no private file storage: your work lasts until you leave the page.';
  const resetButton = h('button', { type: 'button', class: 'sbx-btn', 'data-reset': '' }, 'Reset to checkpoint');
  resetButton.addEventListener('click', async () => {
    resetButton.disabled = true;
    try {
      if (!(await askBeforeReset(session, 'reset'))) return;
      await session.reset();
      ctx.setRef('main');
      ctx.lastResult = null;
      ctx.lastRun = null;
      ctx.announce('The section is back at its checkpoint.');
    } finally {
      resetButton.disabled = false;
    }
  });

  root.querySelector('.hands-on-task-preview')?.remove();
  // Start (or a skip link) had focus and is about to go: focus moves into the sandbox, not to <body>.
  const hadFocus = stage.contains(document.activeElement) || document.activeElement === document.body;
  clear(
    stage,
    h(
      'div',
      { class: 'sbx', 'data-sandbox': config.id },
      h(
        'div',
        { class: 'sbx-bar' },
        h('p', { class: 'sbx-where' }, `Checkpoint “${config.checkpoint}”${session.checkpoint ? '' : ' (the warehouse as shipped)'} · ${storageNote}`),
        resetButton,
        downloadControl(session, (text) => ctx.announce(text)),
        note ? h('p', { class: 'sbx-note', 'data-jump-declined': '', role: 'status' }, note) : null,
      ),
      tabList,
      panels,
      exercises?.el,
      live,
    ),
  );
  if (tabs[0]) select(tabs[0], hadFocus && root.dataset.startedBy === 'click');
  root.dataset.ready = 'yes';
  // The reader pressed Start to see data: show the first prepared query's result at once.
  if (sqlConsole && config.queries[0]) void (sqlConsole as SqlConsole).run();
}

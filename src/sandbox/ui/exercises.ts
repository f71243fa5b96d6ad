/**
 * The section's tasks. Each is checked against the learner's own warehouse (never against
 * a stored answer), after every query, commit, merge, run, file edit and typed answer, and
 * on demand. A task shows pass or not yet with the reason, a hint, and a Solution that
 * explains and can apply the answer. How a check is judged is shared with the Node section
 * tests (../pipeline/task-judge.ts); when, so that a verdict is never about an older state
 * than the one on screen, is judgements.ts.
 */
import { h, clear, errorText } from './dom.ts';
import type { PaneContext } from './context.ts';
import type { Task, TaskCheck } from '../sections/types.ts';
import { judgeTask, queryRows, type Outcome, type TaskFacts } from '../pipeline/task-judge.ts';
import { learnerCatalog, typedAnswers, answerKey } from './catalog-data.ts';
import { markTaskPassed } from '../../lib/progress.ts';
import { readScaleRuns } from '../../../sandboxes/pipeline/orchestrate/scale-record.ts';
import { Judgements } from './judgements.ts';

/** The course-wide progress (kept beside the section's own state) counts a task once it passed. */
function recordPass(section: string, task: string): void {
  try {
    markTaskPassed(localStorage, section, task);
    document.dispatchEvent(new CustomEvent('phlo:progress'));
  } catch {
    /* storage disabled: the section still remembers its own tasks */
  }
}

const TASKS_KEY = 'tasks';
/** Answers typed into Part 10's catalog-answer tasks. */
const ANSWERS_KEY = 'answers';

/** How the page reads the learner's state for the shared judge (../pipeline/task-judge.ts). */
export function pageFacts(ctx: PaneContext): TaskFacts {
  const wh = ctx.session.warehouse;
  return {
    query: async (sql, ref) => queryRows(await wh.sql(sql, { ref })),
    // Rows are made only when needed: a result of another size is judged by its count alone,
    // so a million-row result on screen is never turned into JSON on the page's thread.
    lastQuery: () => {
      const data = ctx.lastResult?.data;
      if (!data) return null;
      return {
        columns: data.columns.map((c) => c.name),
        rowCount: data.totalRows,
        get rows() {
          return data.rows;
        },
      };
    },
    refs: () => wh.references(),
    log: async (ref) => (await wh.log(ref)).map((c) => c.hash),
    snapshotCount: async (table, ref) => (await wh.snapshots(table, ref)).length,
    lastRun: () => ctx.lastRun,
    scaleRuns: () => readScaleRuns(ctx.session.storage),
    postgres: (sql) => (ctx.postgres ? ctx.postgres(sql) : null),
    catalog: (ref) => learnerCatalog(ctx, ref),
    typedAnswer: (check) => typedAnswers(ctx)[answerKey(check)] ?? null,
  };
}

export function checkTask(ctx: PaneContext, check: TaskCheck): Promise<Outcome> {
  return judgeTask(check, pageFacts(ctx));
}

export class Exercises {
  readonly el: HTMLElement;
  private readonly ctx: PaneContext;
  private readonly answerInputs = new Map<string, { input: HTMLInputElement; save: () => Promise<void> }>();
  private readonly rows = new Map<string, { status: HTMLElement; detail: HTMLElement; li: HTMLElement }>();
  private passed: Record<string, boolean> = {};
  private readonly judgements: Judgements<Task>;

  constructor(ctx: PaneContext) {
    this.ctx = ctx;
    this.judgements = new Judgements<Task>({
      tasks: () => ctx.config.tasks,
      judge: (t) => checkTask(ctx, t.check),
      commit: (t, out) => this.record(t, out),
      // A task passed once stays passed unless the learner resets the section; refs and
      // snapshot counts are shown as they are now.
      skip: (t) => !!this.passed[t.id] && t.check.kind !== 'ref-exists' && t.check.kind !== 'snapshot-count',
    });
    const list = h('ol', { class: 'sbx-tasks' }, ctx.config.tasks.map((t) => this.task(t)));
    this.el = h(
      'section',
      { class: 'sbx-exercises', 'aria-label': 'Exercises' },
      h('div', { class: 'sbx-ex-head' }, h('h4', {}, 'Exercises'), h('button', { type: 'button', class: 'sbx-btn sbx-small', onclick: () => void this.checkAll() }, 'Check all')),
      list,
    );
    ctx.on('changed', (why) => {
      if (why !== 'reset') return;
      this.passed = {};
      for (const t of ctx.config.tasks) this.paint(t.id, { passed: false, detail: '' });
    });
    // Every change of what a task can be judged on: a console result, a run, a commit, merge,
    // branch or reset, an edited project file, a typed answer (see answerBox).
    for (const ev of ['result', 'run', 'changed', 'files']) ctx.on(ev, () => void this.judgements.changed());
    void this.restore();
  }

  private async restore(): Promise<void> {
    const state = ctx_state(this.ctx);
    this.passed = (await state.get<Record<string, boolean>>(TASKS_KEY).catch(() => undefined)) ?? {};
    this.ctx.lastRun = (await state.get<PaneContext['lastRun']>('last-run').catch(() => undefined)) ?? this.ctx.lastRun;
    for (const [id, ok] of Object.entries(this.passed)) this.paint(id, { passed: ok, detail: ok ? 'passed earlier' : '' });
    // The saved verdicts are on screen: what a reload shows from here on is the section's real
    // state (the chaos test waits for this before comparing tasks across a reload).
    this.el.dataset.restored = 'true';
    await this.checkAll();
  }

  private task(t: Task): HTMLElement {
    const status = h('span', { class: 'sbx-task-status', 'data-status': 'todo' }, 'not yet');
    const detail = h('span', { class: 'sbx-task-detail' });
    const solution = h('div', { class: 'sbx-solution', hidden: true });
    const hint = h('p', { class: 'sbx-hint', hidden: true }, h('strong', {}, 'Hint: '), t.hint);
    const li = h(
      'li',
      { class: 'sbx-task', 'data-task': t.id },
      h('div', { class: 'sbx-task-head' }, status, h('strong', {}, t.title)),
      h('p', {}, t.description),
      t.check.kind === 'catalog-answer' ? this.answerBox(t, t.check) : null,
      h(
        'div',
        { class: 'sbx-task-actions' },
        h('button', { type: 'button', class: 'sbx-btn sbx-small', onclick: () => void this.checkOne(t) }, 'Check'),
        h('button', { type: 'button', class: 'sbx-btn sbx-small', 'aria-expanded': 'false', onclick: (e: Event) => toggle(e.currentTarget as HTMLElement, hint) }, 'Hint'),
        h('button', { type: 'button', class: 'sbx-btn sbx-small', 'aria-expanded': 'false', onclick: (e: Event) => (this.fillSolution(t, solution), toggle(e.currentTarget as HTMLElement, solution)) }, 'Solution'),
        detail,
      ),
      hint,
      solution,
    );
    this.rows.set(t.id, { status, detail, li });
    return li;
  }

  private fillSolution(t: Task, box: HTMLElement): void {
    const s = t.solution;
    clear(
      box,
      h('p', {}, s.explain),
      // In the order "Apply" runs them: terminal commands, then the query.
      s.commands?.length ? h('pre', {}, h('code', {}, s.commands.join('\n'))) : null,
      s.sql ? h('pre', {}, h('code', {}, s.sql)) : null,
      s.files ? h('p', {}, `Changes ${Object.keys(s.files).join(', ')}.`) : null,
      s.answer !== undefined ? h('p', {}, 'Answer: ', h('code', {}, s.answer)) : null,
      h('button', { type: 'button', class: 'sbx-btn sbx-small sbx-primary', onclick: () => void this.apply(t) }, 'Apply the solution'),
    );
  }

  /** Part 10: the box a 'catalog-answer' task's answer is typed into (kept in the section's state). */
  private answerBox(t: Task, check: { question: string; target: string }): HTMLElement {
    const key = answerKey(check);
    const input = h('input', { type: 'text', class: 'sbx-answer', 'data-answer': t.id, 'aria-label': `Your answer: ${t.title}`, placeholder: 'your answer', autocomplete: 'off', spellcheck: 'false' });
    const save = async () => {
      typedAnswers(this.ctx)[key] = input.value;
      await ctx_state(this.ctx).set(ANSWERS_KEY, typedAnswers(this.ctx)).catch(() => {});
    };
    let typing = 0;
    input.addEventListener('input', () => {
      void save();
      // Judge the answer once the learner pauses, not only on Enter.
      clearTimeout(typing);
      typing = window.setTimeout(() => void this.judgements.changed(), 600);
    });
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') void save().then(() => this.judgements.changed());
    });
    void ctx_state(this.ctx).get<Record<string, string>>(ANSWERS_KEY).then((saved) => {
      if (!saved) return;
      Object.assign(typedAnswers(this.ctx), saved);
      if (saved[key] && !input.value) input.value = saved[key]!;
    }).catch(() => {});
    this.answerInputs.set(t.id, { input, save });
    return h('p', { class: 'sbx-answer-row' }, input);
  }

  private async apply(t: Task): Promise<void> {
    const s = t.solution;
    const box = this.answerInputs.get(t.id);
    if (box && s.answer !== undefined) {
      box.input.value = s.answer;
      await box.save();
    }
    if (s.files) {
      this.ctx.showPane('pipeline');
      await new Promise<void>((resolve) => this.ctx.emit('pipeline-files', { files: s.files, done: resolve }));
    }
    for (const cmd of s.commands ?? []) {
      this.ctx.showPane('pipeline');
      await new Promise<void>((resolve) => this.ctx.emit('pipeline-command', { line: cmd, done: resolve }));
    }
    // The query last, as the section tests apply it: it may read what the commands made (Part 3's added column).
    if (s.sql) this.ctx.loadQuery(s.sql, { run: true });
  }

  checkOne(t: Task): Promise<void> {
    return this.judgements.judgeOne(t);
  }

  checkAll(): Promise<void> {
    return this.judgements.judgeAll();
  }

  /** Show a verdict about the current state, and remember a pass (here and in the course progress). */
  private async record(t: Task, out: Outcome): Promise<void> {
    this.paint(t.id, out);
    if (out.passed === this.passed[t.id]) return;
    this.passed[t.id] = out.passed;
    await ctx_state(this.ctx).set(TASKS_KEY, this.passed).catch(() => {});
    if (out.passed) {
      this.ctx.announce(`Task passed: ${t.title}`);
      recordPass(this.ctx.config.id, t.id);
    }
  }

  private paint(id: string, out: Outcome): void {
    const row = this.rows.get(id);
    if (!row) return;
    row.status.dataset.status = out.passed ? 'pass' : 'todo';
    row.status.textContent = out.passed ? 'passed' : 'not yet';
    row.li.dataset.passed = String(out.passed);
    row.detail.textContent = out.detail;
  }
}

function ctx_state(ctx: PaneContext) {
  return ctx.session.store.state;
}

function toggle(button: HTMLElement, box: HTMLElement): void {
  box.hidden = !box.hidden;
  button.setAttribute('aria-expanded', String(!box.hidden));
}

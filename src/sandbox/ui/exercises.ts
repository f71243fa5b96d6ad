/**
 * The section's tasks. Each is checked against the learner's own warehouse (never against
 * a stored answer), after every query, commit, merge and run, and on demand. A task shows
 * pass or not yet, a hint, and a Solution that explains and can apply the answer.
 */
import { h, clear, errorText } from './dom.ts';
import type { PaneContext } from './context.ts';
import type { Task, TaskCheck } from '../sections/types.ts';
import { resultFromArrow, type ResultData } from './grid.ts';
import { judgeRun } from '../pipeline/run-summary.ts';
import { checkCatalogTask, typedAnswers, answerKey } from './catalog-data.ts';
import { markTaskPassed } from '../../lib/progress.ts';
import { readScaleRuns, scaleRunsCover } from '../../../sandboxes/pipeline/orchestrate/scale-record.ts';

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

type Outcome = { passed: boolean; detail: string };

function rowKeys(data: ResultData): string[] {
  return data.rows.map((r) => JSON.stringify(r.map((v) => (typeof v === 'number' ? Number(v.toPrecision(12)) : v)))).sort();
}

export async function checkTask(ctx: PaneContext, check: TaskCheck): Promise<Outcome> {
  const wh = ctx.session.warehouse;
  switch (check.kind) {
    case 'sql': {
      const data = resultFromArrow(await wh.sql(check.sql, { ref: check.ref ?? 'main' }));
      if (check.expect === 'rows') return { passed: data.rows.length > 0, detail: `${data.rows.length} row(s)` };
      const v = data.rows[0]?.[0];
      return { passed: v === true || v === 'true' || v === 1, detail: `the check query returned ${JSON.stringify(v ?? null)}` };
    }
    case 'same-result': {
      const last = ctx.lastResult;
      if (!last) return { passed: false, detail: 'run a query in the console first' };
      const want = resultFromArrow(await wh.sql(check.sql, { ref: check.ref ?? 'main' }));
      // A result of another size cannot match: say so without turning a huge one into JSON.
      if (last.data.totalRows !== want.rowCount) {
        return { passed: false, detail: `your last result has ${last.data.totalRows.toLocaleString('en')} row(s); the expected result has ${want.rowCount.toLocaleString('en')}` };
      }
      const a = rowKeys(last.data);
      const b = rowKeys(want);
      const same = a.length === b.length && a.every((x, i) => x === b[i]);
      return { passed: same, detail: same ? 'your last result matches' : `your last result has ${last.data.rows.length} row(s) that do not match the expected ${want.rows.length}` };
    }
    case 'ref-exists': {
      const refs = await wh.references();
      const ref = refs.find((r) => r.name === check.name && (!check.type || r.type === (check.type === 'tag' ? 'TAG' : 'BRANCH')));
      if (!ref) return { passed: false, detail: `no ${check.type ?? 'reference'} named ${check.name} yet` };
      if (check.minCommitsAhead) {
        const main = new Set((await wh.log('main')).map((c) => c.hash));
        const ahead = (await wh.log(check.name)).filter((c) => !main.has(c.hash)).length;
        return { passed: ahead >= check.minCommitsAhead, detail: `${check.name} is ${ahead} commit(s) ahead of main` };
      }
      return { passed: true, detail: `${check.name} exists at ${ref.hash.slice(0, 8)}` };
    }
    case 'snapshot-count': {
      const n = (await wh.snapshots(check.table, check.ref ?? 'main')).length;
      const ok = (check.atLeast === undefined || n >= check.atLeast) && (check.exactly === undefined || n === check.exactly);
      return { passed: ok, detail: `${check.table} has ${n} snapshot(s)` };
    }
    case 'pipeline-run':
      return judgeRun(ctx.lastRun, check);
    case 'scale-runs':
      return scaleRunsCover(await readScaleRuns(ctx.session.storage), check.workers, check.minDays);
    case 'catalog-answer':
    case 'contract':
      // Part 10: the catalog over the learner's warehouse and edited files (catalog-data.ts).
      return checkCatalogTask(ctx, check);
    case 'postgres': {
      if (!ctx.postgres) return { passed: false, detail: 'this section has no pipeline pane, so no Postgres to check' };
      const answer = await ctx.postgres(check.sql);
      if (!answer.ok) return { passed: false, detail: answer.notPublished ? 'nothing published to Postgres yet: run publish' : answer.error };
      const rows = answer.result.rows;
      if (check.expect === 'rows') return { passed: rows.length > 0, detail: `${rows.length} row(s) in Postgres` };
      const v = rows[0]?.[0];
      return { passed: v === true || v === 'true' || v === 1, detail: `the Postgres check query returned ${JSON.stringify(v ?? null)}` };
    }
  }
}

export class Exercises {
  readonly el: HTMLElement;
  private readonly ctx: PaneContext;
  private readonly answerInputs = new Map<string, { input: HTMLInputElement; save: () => Promise<void> }>();
  private readonly rows = new Map<string, { status: HTMLElement; detail: HTMLElement; li: HTMLElement }>();
  private passed: Record<string, boolean> = {};
  private checking = false;
  private again = false;

  constructor(ctx: PaneContext) {
    this.ctx = ctx;
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
    for (const ev of ['result', 'run', 'changed']) ctx.on(ev, () => void this.checkAll());
    void this.restore();
  }

  private async restore(): Promise<void> {
    const state = ctx_state(this.ctx);
    this.passed = (await state.get<Record<string, boolean>>(TASKS_KEY).catch(() => undefined)) ?? {};
    this.ctx.lastRun = (await state.get<PaneContext['lastRun']>('last-run').catch(() => undefined)) ?? this.ctx.lastRun;
    for (const [id, ok] of Object.entries(this.passed)) this.paint(id, { passed: ok, detail: ok ? 'passed earlier' : '' });
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
    input.addEventListener('input', () => void save());
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') void save().then(() => this.checkOne(t));
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

  async checkOne(t: Task): Promise<void> {
    try {
      const out = await checkTask(this.ctx, t.check);
      this.paint(t.id, out);
      if (out.passed !== this.passed[t.id]) {
        this.passed[t.id] = out.passed;
        await ctx_state(this.ctx).set(TASKS_KEY, this.passed).catch(() => {});
        if (out.passed) {
          this.ctx.announce(`Task passed: ${t.title}`);
          recordPass(this.ctx.config.id, t.id);
        }
      }
    } catch (err) {
      this.paint(t.id, { passed: false, detail: errorText(err) });
    }
  }

  async checkAll(): Promise<void> {
    if (this.checking) {
      this.again = true;
      return;
    }
    this.checking = true;
    try {
      for (const t of this.ctx.config.tasks) {
        // A task passed once stays passed unless the learner resets the section.
        if (this.passed[t.id] && t.check.kind !== 'ref-exists' && t.check.kind !== 'snapshot-count') continue;
        await this.checkOne(t);
      }
    } finally {
      this.checking = false;
      if (this.again) {
        this.again = false;
        void this.checkAll();
      }
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

/**
 * When the exercise list judges its tasks, so that a task is judged on the state it
 * describes and a verdict is never about an older state than the one on screen.
 *
 * Every change of the learner's state (a query result, a run, a commit or merge, a reset, a
 * typed answer, an edited file) calls `changed()`: outcomes still being computed are then
 * stale and are dropped, and a new pass judges every task again from the first. A pass
 * judges one task at a time (the checks share one SQL engine). A check that does not answer
 * within `limitMs` (the engine busy with a long query) is reported as such instead of
 * holding back every later verdict. The Check button judges one task under the same rule.
 *
 * No DOM here: tests/unit/sandbox/judgements.test.ts drives it with fake checks.
 */
export interface Verdict {
  passed: boolean;
  detail: string;
}

export interface JudgementsOptions<T> {
  tasks: () => readonly T[];
  judge: (task: T) => Promise<Verdict>;
  /** Show (and remember) a verdict; called only with verdicts about the current state. */
  commit: (task: T, verdict: Verdict) => void | Promise<void>;
  /** Tasks a pass leaves alone (e.g. passed before and judged once only). */
  skip?: (task: T) => boolean;
  limitMs?: number;
}

export class Judgements<T> {
  private version = 0;
  private pending = false;
  private running: Promise<void> | null = null;
  private readonly o: JudgementsOptions<T>;

  constructor(options: JudgementsOptions<T>) {
    this.o = options;
  }

  /** The learner's state changed: what is being judged now is about the old state. */
  changed(): Promise<void> {
    this.version++;
    return this.judgeAll();
  }

  /** Judge every task (again); resolves when no pass is left to run. */
  judgeAll(): Promise<void> {
    this.pending = true;
    if (!this.running) this.running = this.loop().finally(() => (this.running = null));
    return this.running;
  }

  /** Judge one task now (the Check button); a verdict overtaken by a change is replaced by a new pass. */
  async judgeOne(task: T): Promise<void> {
    const v = this.version;
    const verdict = await this.verdict(task);
    if (v === this.version) await this.o.commit(task, verdict);
    else await this.judgeAll();
  }

  private async loop(): Promise<void> {
    while (this.pending) {
      this.pending = false;
      const v = this.version;
      for (const task of this.o.tasks()) {
        if (this.o.skip?.(task)) continue;
        const verdict = await this.verdict(task);
        if (v !== this.version) {
          this.pending = true;
          break;
        }
        await this.o.commit(task, verdict);
      }
    }
  }

  private async verdict(task: T): Promise<Verdict> {
    const limit = this.o.limitMs ?? 20_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<Verdict>((resolve) => {
      timer = setTimeout(() => resolve({ passed: false, detail: `the check did not finish within ${limit / 1000} s (the engine may be busy with a long query); press Check to try again` }), limit);
    });
    try {
      return await Promise.race([this.o.judge(task).catch((err: unknown) => ({ passed: false, detail: err instanceof Error ? err.message : String(err) })), late]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * What a section remembers of the learner's last pipeline run, and how a `pipeline-run`
 * task is judged against it. Shared by the pipeline pane, the exercise list and the Node
 * section tests, so the browser and the tests cannot judge a run differently.
 */
import type { RunRecord } from '../../../sandboxes/pipeline/orchestrate/runlog.ts';
import type { TaskCheck } from '../sections/types.ts';

export interface RunSummary {
  status: 'success' | 'failed';
  command: string;
  runId?: string;
  /** "group.check" of the first failed ERROR check, if any (else the first of failedChecks). */
  failedCheck?: string;
  /**
   * Everything that failed the run, in this order: failed ERROR asset checks ("group.check"),
   * failed error-severity dbt tests ("dbt_test.<test id>"), validation failures
   * ("validation.<schema>"). A `failedCheck` task passes when any of them contains its text.
   */
  failedChecks?: string[];
  /**
   * Checks and dbt tests that ran without stopping the run (passed, or failed at warn
   * severity): "group.check" and "dbt_test.<test id>". A `passedCheck` task needs its check
   * here, so a run that never ran the check (an earlier task's) cannot pass it.
   */
  ranChecks?: string[];
  assets?: string[];
  at: number;
}

export function summarizeRun(run: RunRecord, command: string, at = Date.now()): RunSummary {
  const failedChecks = [
    ...run.checks.filter((c) => !c.passed && c.severity === 'ERROR').map((c) => `${c.checkGroup}.${c.check}`),
    ...run.events.filter((e) => e.type === 'ASSET_CHECK' && typeof e.metadata?.test === 'string' && e.message.startsWith('FAIL')).map((e) => `dbt_test.${e.metadata!.test as string}`),
    ...run.events.filter((e) => e.type === 'VALIDATION').map((e) => `validation.${String(e.metadata?.schema ?? 'schema')}`),
  ];
  const ranChecks = [
    ...run.checks.filter((c) => c.passed || c.severity !== 'ERROR').map((c) => `${c.checkGroup}.${c.check}`),
    ...run.events.filter((e) => e.type === 'ASSET_CHECK' && typeof e.metadata?.test === 'string' && !e.message.startsWith('FAIL')).map((e) => `dbt_test.${e.metadata!.test as string}`),
  ];
  return {
    status: run.status === 'SUCCESS' ? 'success' : 'failed',
    command,
    runId: run.runId,
    failedCheck: failedChecks[0],
    failedChecks: [...new Set(failedChecks)],
    ranChecks: [...new Set(ranChecks)],
    assets: run.materializations.map((m) => m.asset),
    at,
  };
}

/**
 * Judge the learner's last run against a `pipeline-run` check. The detail says what the run
 * did when it is not what the task asks (its status, the asset it did not build, the check
 * that did not fail or did not run), so the learner knows what to change.
 */
export function judgeRun(run: RunSummary | null, check: Extract<TaskCheck, { kind: 'pipeline-run' }>): { passed: boolean; detail: string } {
  if (!run) return { passed: false, detail: 'no pipeline run yet in this section' };
  const failed = run.failedChecks ?? (run.failedCheck ? [run.failedCheck] : []);
  const what = `your last run (${run.command}) ${run.status === 'success' ? 'succeeded' : `failed${run.failedCheck ? ` on ${run.failedCheck}` : ''}`}`;
  const no = (why: string) => ({ passed: false, detail: `${what}, ${why}` });
  if (run.status !== check.status) return no(`the task asks for a run that ${check.status === 'success' ? 'succeeds' : 'fails'}`);
  if (check.asset && !run.assets?.includes(check.asset)) return no(`but it did not materialize ${check.asset}`);
  if (check.failedCheck && !failed.some((f) => f.includes(check.failedCheck!))) return no(`but not on a check matching ${check.failedCheck}${failed.length ? ` (it failed on ${failed.join(', ')})` : ''}`);
  if (check.passedCheck && !(run.ranChecks ?? []).some((f) => f.includes(check.passedCheck!))) return no(`but it did not run ${check.passedCheck} (without it stopping the run)`);
  return { passed: true, detail: what };
}

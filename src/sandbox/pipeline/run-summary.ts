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
  assets?: string[];
  at: number;
}

export function summarizeRun(run: RunRecord, command: string, at = Date.now()): RunSummary {
  const failedChecks = [
    ...run.checks.filter((c) => !c.passed && c.severity === 'ERROR').map((c) => `${c.checkGroup}.${c.check}`),
    ...run.events.filter((e) => e.type === 'ASSET_CHECK' && typeof e.metadata?.test === 'string' && e.message.startsWith('FAIL')).map((e) => `dbt_test.${e.metadata!.test as string}`),
    ...run.events.filter((e) => e.type === 'VALIDATION').map((e) => `validation.${String(e.metadata?.schema ?? 'schema')}`),
  ];
  return {
    status: run.status === 'SUCCESS' ? 'success' : 'failed',
    command,
    runId: run.runId,
    failedCheck: failedChecks[0],
    failedChecks: [...new Set(failedChecks)],
    assets: run.materializations.map((m) => m.asset),
    at,
  };
}

export function judgeRun(run: RunSummary | null, check: Extract<TaskCheck, { kind: 'pipeline-run' }>): { passed: boolean; detail: string } {
  if (!run) return { passed: false, detail: 'no pipeline run yet in this section' };
  let ok = run.status === check.status;
  if (ok && check.asset) ok = !!run.assets?.includes(check.asset);
  if (ok && check.failedCheck) ok = (run.failedChecks ?? (run.failedCheck ? [run.failedCheck] : [])).some((f) => f.includes(check.failedCheck!));
  return { passed: ok, detail: `last run ${run.runId ?? ''} ${run.status}${run.failedCheck ? ` (failed check ${run.failedCheck})` : ''}` };
}

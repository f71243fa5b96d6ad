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
  /** "group.check" of the first failed ERROR check, if any. */
  failedCheck?: string;
  assets?: string[];
  at: number;
}

export function summarizeRun(run: RunRecord, command: string, at = Date.now()): RunSummary {
  const failed = run.checks.find((c) => !c.passed && c.severity === 'ERROR');
  return {
    status: run.status === 'SUCCESS' ? 'success' : 'failed',
    command,
    runId: run.runId,
    failedCheck: failed ? `${failed.checkGroup}.${failed.check}` : undefined,
    assets: run.materializations.map((m) => m.asset),
    at,
  };
}

export function judgeRun(run: RunSummary | null, check: Extract<TaskCheck, { kind: 'pipeline-run' }>): { passed: boolean; detail: string } {
  if (!run) return { passed: false, detail: 'no pipeline run yet in this section' };
  let ok = run.status === check.status;
  if (ok && check.asset) ok = !!run.assets?.includes(check.asset);
  if (ok && check.failedCheck) ok = !!run.failedCheck?.includes(check.failedCheck);
  return { passed: ok, detail: `last run ${run.runId ?? ''} ${run.status}${run.failedCheck ? ` (failed check ${run.failedCheck})` : ''}` };
}

/** What the panes of one section share: the session, the chosen reference, and events. */
import type { SandboxSession } from '../runtime/session.ts';
import type { SectionConfig } from '../sections/types.ts';
import type { ResultData } from './grid.ts';
import type { RunSummary } from '../pipeline/run-summary.ts';
import type { PgAnswer } from '../pipeline/postgres-query.ts';

export type { RunSummary };

export interface PaneContext {
  session: SandboxSession;
  config: SectionConfig;
  /** Branch or tag the console and the panes read (the reader's "checked out" ref). */
  ref: string;
  setRef(ref: string): void;
  /** Put SQL in the console (and run it when `run`), e.g. from the timeline. */
  loadQuery(sql: string, options?: { run?: boolean; ref?: string; snapshotId?: string }): void;
  /** Show a pane by kind. */
  showPane(kind: string): void;
  /** The last result the console produced (for "same-result" tasks). */
  lastResult: { sql: string; data: ResultData } | null;
  lastRun: RunSummary | null;
  /**
   * A Postgres query on the marts the learner published, answered by the pipeline pane's
   * runner (its worker owns PGlite). Undefined when the section has no pipeline pane.
   */
  postgres?: (sql: string) => Promise<PgAnswer>;
  /** Announce something to screen readers. */
  announce(text: string): void;
  /** Listen to section events: 'ref', 'result', 'run', 'changed'. */
  on(event: string, fn: (detail: unknown) => void): void;
  emit(event: string, detail?: unknown): void;
}

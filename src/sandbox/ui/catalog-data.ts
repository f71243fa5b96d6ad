/**
 * The data catalog as the page sees it (Part 10): built over the section's warehouse on a
 * reference and the pipeline project with the learner's edited files applied, so a model
 * the learner changed and rebuilt shows up in the catalog, its lineage and its contract
 * check. Shared by the catalog pane and the task checks (judged in ../pipeline/task-judge.ts).
 */
import type { PaneContext } from './context.ts';
import { projectFiles } from '../pipeline/project-files.ts';
import { learnerProject } from '../pipeline/learner-files.ts';
import { arrowToRows } from '../../../sandboxes/pipeline/util/arrow.ts';
import { openProjectCatalog, type ProjectCatalog } from '../../../sandboxes/pipeline/catalog/tasks.ts';

/** Where the pipeline pane keeps the learner's edited files (see pipeline-pane.ts). */
const FILES_KEY = 'files';

export async function learnerCatalog(ctx: PaneContext, ref = ctx.ref): Promise<ProjectCatalog> {
  const edits = (await ctx.session.store.state.get<Record<string, string>>(FILES_KEY).catch(() => undefined)) ?? {};
  const wh = ctx.session.warehouse;
  return openProjectCatalog({
    warehouse: wh,
    ref,
    files: learnerProject(projectFiles(), edits),
    sql: async (q, r) => arrowToRows(await wh.sql(q, { ref: r })),
  });
}

/** Answers typed into 'catalog-answer' tasks, per section (kept in the section's state by exercises.ts). */
const answers = new WeakMap<PaneContext, Record<string, string>>();
export const answerKey = (check: { question: string; target: string }) => `${check.question}:${check.target}`;
export function typedAnswers(ctx: PaneContext): Record<string, string> {
  let a = answers.get(ctx);
  if (!a) answers.set(ctx, (a = {}));
  return a;
}

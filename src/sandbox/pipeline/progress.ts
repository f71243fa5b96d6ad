/** The pipeline's progress lines for the terminal (the same ones the Node CLI prints). */
import type { RunEvent } from '../../../sandboxes/pipeline/orchestrate/runlog.ts';

export function progressLine(e: RunEvent): string | null {
  const where = [e.asset, e.partition].filter(Boolean).join(' @ ');
  if (e.type === 'PROGRESS') return `  [${e.metadata?.done}/${e.metadata?.total}] ${where}`;
  if (e.type === 'MATERIALIZATION' || e.type === 'STEP_FAILURE' || e.type === 'VALIDATION' || e.type.startsWith('BRANCH_')) {
    return `  ${e.type.toLowerCase().replace('_', ' ')}: ${where ? where + ': ' : ''}${e.message}${e.ms != null ? ` (${e.ms} ms)` : ''}`;
  }
  if (e.type === 'ASSET_CHECK' && !/^PASS/.test(e.message)) return `  check: ${where}: ${e.message}`;
  return null;
}

/**
 * The section harness itself: a learner's edited pipeline.config.ts (TypeScript) reaches the
 * terminal's runs, and a pipeline-run check is judged on the last run the way the browser
 * judges it. Other section tests rely on both.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SectionConfig } from '../../../src/sandbox/sections/types.ts';
import { sectionHarness } from './prebuilt-section.ts';

const badDay = `const settings: { seed: string; badDays: Record<string, 'impossible' | 'sensor-fault'> } = {
  seed: 'phlo',
  badDays: { '2025-01-08': 'impossible' },
};
export default settings;
`;

const section: SectionConfig = {
  id: 'harness-self-test',
  part: 5,
  anchor: 'x',
  title: 'Harness self-test',
  checkpoint: 'part-05-ingestion',
  panes: ['pipeline'],
  queries: [],
  tasks: [],
  runForReal: { stack: 'example', intro: '', commands: [], phloFiles: [] },
};

const h = sectionHarness({ section, tmpPrefix: 'harness-', phloPathsOk: [], forbiddenCommands: /^$/ });

test('pipeline-run checks follow the last run, and edited settings reach the run', async () => {
  const failed = { kind: 'pipeline-run', status: 'failed' } as const;
  const succeeded = { kind: 'pipeline-run', status: 'success', asset: 'dlt_glucose_entries' } as const;
  assert.equal(await h.passes(failed), false, 'no run yet');
  const [bad] = await h.applySolution({ explain: '', files: { 'pipeline.config.ts': badDay }, commands: ['materialize dlt_glucose_entries --partition 2025-01-08 --as-of 2025-01-10T00:00:00Z'] });
  assert.equal(bad!.code, 1, `the bad day stops the run: ${bad!.out.concat(bad!.err).join('\n')}`);
  assert.equal(await h.passes(failed), true);
  assert.equal(await h.passes(succeeded), false);
  h.setEdits({});
  const [good] = await h.applySolution({ explain: '', commands: ['materialize dlt_glucose_entries --partition 2025-01-08 --as-of 2025-01-10T00:00:00Z'] });
  assert.equal(good!.code, 0, good!.err.join('\n'));
  assert.equal(await h.passes(succeeded), true);
  assert.equal(h.lastRun()?.assets?.includes('dlt_glucose_entries'), true);
});

test('a broken pipeline.config.ts is reported with its file and line, and runs nothing', async () => {
  h.setEdits({ 'pipeline.config.ts': 'const settings = {\n  seed: ,\n};\nexport default settings;\n' });
  const r = await h.terminal('materialize dlt_glucose_entries --partition 2025-01-09 --as-of 2025-01-10T00:00:00Z');
  assert.notEqual(r.code, 0);
  assert.match(r.err.join('\n'), /pipeline\.config\.ts:2/);
  assert.equal(r.run, null);
});

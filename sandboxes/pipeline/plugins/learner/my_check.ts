/**
 * plugins/my_check.ts — your quality check plugin: threshold_check, the check of Phlo's
 * example plugin package. It fails when more than `tolerance` (a share, 0..1) of the rows
 * have `column` outside `min`..`max`; nulls count as violations.
 *
 * Two TODOs:
 *   1. count the rows outside the bounds in run();
 *   2. attach the check to fct_glucose_readings in extend() (like Phlo's
 *      glucose_consecutive_highs_plugin: readings above 250 mg/dL).
 * Then run:  materialize fct_glucose_readings --partition 2025-01-15
 */
import type { PluginApi, PluginModuleExports, CheckContext } from '../api.ts';

export default function myCheck(phlo: PluginApi): PluginModuleExports {
  const thresholdCheck = {
    type: 'quality' as const,
    metadata: { name: 'threshold_check', version: '0.1.0', description: 'Share of rows outside min..max, with a tolerance', tags: ['quality', 'course'] },
    createCheck(params: Record<string, unknown>) {
      const column = String(params.column);
      const min = params.min == null ? null : Number(params.min);
      const max = params.max == null ? null : Number(params.max);
      const tolerance = Math.min(1, Math.max(0, Number(params.tolerance ?? 0)));
      return {
        name: `threshold_check(${column},min=${min ?? '-'},max=${max ?? '-'})`,
        kind: 'threshold_check',
        severity: 'ERROR' as const,
        async run(ctx: CheckContext) {
          // ctx.table is the table, ctx.where limits it to the run's partitions (or is null).
          // TODO 1: count all rows and the violations, e.g. with
          //   const [r] = await phlo.query(ctx, `select count(*) as total, count(*) filter (where ...) as bad from ${ctx.table} ...`);
          const total = 0;
          const bad = 0;
          const rate = total ? bad / total : 0;
          return {
            passed: rate <= tolerance,
            total,
            failures: bad,
            observed: { violation_rate: Number(rate.toFixed(4)) },
            message: `${bad} of ${total} rows outside ${min ?? '-inf'}..${max ?? 'inf'} (tolerance ${tolerance})`,
            sample: [],
          };
        },
      };
    },
  };

  return {
    plugins: [thresholdCheck],
    extend: (defs) => {
      // TODO 2: add a check group on fct_glucose_readings that uses the plugin:
      // return {
      //   ...defs,
      //   checks: [...defs.checks, {
      //     name: 'glucose_highs_plugin', asset: 'fct_glucose_readings', table: 'silver.fct_glucose_readings',
      //     partitionColumn: 'reading_timestamp', blocking: true,
      //     description: 'Readings above 250 mg/dL stay rare.',
      //     checks: [{ plugin: 'threshold_check', params: { column: 'glucose_mg_dl', max: 250, tolerance: 0 } }],
      //   }],
      // };
      return defs;
    },
  };
}

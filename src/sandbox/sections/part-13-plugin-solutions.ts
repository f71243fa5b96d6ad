/**
 * Part 13's solution files: the learner's two plugin templates, completed. They are plain
 * text (a section config is data, shipped to the page and read by the Node tests); the
 * section test runs each one through the same loader as the browser.
 */

/** plugins/my_source.ts, done: the meal_log source and its ingestion asset dlt_meal_entries. */
export const MY_SOURCE_SOLUTION = `/**
 * plugins/my_source.ts — the meals the patient logged (carbohydrates eaten), one daily
 * partition at a time, into raw.meal_entries.
 */
import type { PluginApi, PluginModuleExports } from '../api.ts';

export default function mySource(phlo: PluginApi): PluginModuleExports {
  // The meal log, as the patient's app would return it: carbs in grams, Monday first.
  const MEALS = [
    { meal: 'breakfast', time: '07:30', carbs: [45, 50, 40, 55, 45, 60, 35] },
    { meal: 'lunch', time: '12:45', carbs: [60, 55, 70, 65, 60, 40, 50] },
    { meal: 'dinner', time: '19:15', carbs: [80, 75, 90, 70, 95, 85, 65] },
  ];

  // The columns after normalisation (snake_case), checked row by row before the merge.
  const MealEntries = phlo.defineSchema('MealEntries', {
    id: phlo.col.string({ nullable: false, unique: true }),
    meal: phlo.col.string({ nullable: false, oneOf: ['breakfast', 'lunch', 'dinner'] }),
    carbs_g: phlo.col.int64({ nullable: false, min: 0, max: 200 }),
    eaten_at: phlo.col.timestamp({ nullable: false }),
    _dlt_load_id: phlo.col.string({ nullable: false }),
    _dlt_id: phlo.col.string({ nullable: false }),
  });

  const mealLog = {
    type: 'source' as const,
    metadata: { name: 'meal_log', version: '0.1.0', description: 'Meals and carbohydrates the patient logged', tags: ['meals', 'course'] },
    async fetchPartition(config: Record<string, unknown>, partition: string) {
      // The weekday of the partition day: 0 = Monday .. 6 = Sunday.
      const weekday = (new Date(phlo.dayStart(partition)).getUTCDay() + 6) % 7;
      const records = MEALS.map((m) => ({
        id: \`meal-\${partition}-\${m.meal}\`,
        meal: m.meal,
        carbsG: m.carbs[weekday],
        eatenAt: \`\${partition}T\${m.time}:00Z\`,
      }));
      return { records, stats: { meals_in_log: MEALS.length, weekday } };
    },
    getSchema: () => MealEntries,
  };

  return {
    plugins: [mealLog],
    extend: (defs) => ({
      ...defs,
      ingestion: [...defs.ingestion, {
        name: 'dlt_meal_entries', table: 'raw.meal_entries', group: 'meals',
        source: { plugin: 'meal_log', config: {} },
        transforms: [{ plugin: 'dlt_normalize', config: { timestamps: ['eaten_at'] } }],
        uniqueKey: ['id'], mergeStrategy: 'merge', partitionColumn: 'eaten_at',
        description: 'Meals logged by the patient, one day at a time.',
      }],
    }),
  };
}
`;

/** plugins/my_check.ts, done, with the tolerance given (0 fails on 2025-01-09 on purpose; 0.05 is Phlo's value). */
export function myCheckSolution(tolerance: number): string {
  return `/**
 * plugins/my_check.ts — threshold_check: fails when more than \`tolerance\` (a share, 0..1)
 * of the rows have \`column\` outside \`min\`..\`max\`; nulls count as violations.
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
      const c = \`"\${column.replace(/"/g, '""')}"\`;
      const outside = [\`\${c} is null\`, min != null ? \`\${c} < \${min}\` : null, max != null ? \`\${c} > \${max}\` : null].filter(Boolean).join(' or ');
      return {
        name: \`threshold_check(\${column},min=\${min ?? '-'},max=\${max ?? '-'})\`,
        kind: 'threshold_check',
        severity: 'ERROR' as const,
        async run(ctx: CheckContext) {
          const where = ctx.where ? \`where \${ctx.where}\` : '';
          const [r] = await phlo.query(ctx, \`select count(*) as total, count(*) filter (where \${outside}) as bad from \${ctx.table} \${where}\`);
          const total = Number(r.total);
          const bad = Number(r.bad);
          const rate = total ? bad / total : 0;
          return {
            passed: rate <= tolerance,
            total,
            failures: bad,
            observed: { violation_rate: Number(rate.toFixed(4)) },
            message: \`\${bad} of \${total} rows outside \${min ?? '-inf'}..\${max ?? 'inf'} (tolerance \${tolerance})\`,
            sample: [],
          };
        },
      };
    },
  };

  return {
    plugins: [thresholdCheck],
    extend: (defs) => ({
      ...defs,
      checks: [...defs.checks, {
        name: 'glucose_highs_plugin', asset: 'fct_glucose_readings', table: 'silver.fct_glucose_readings',
        partitionColumn: 'reading_timestamp', blocking: true,
        description: 'Readings above 250 mg/dL stay rare.',
        checks: [{ plugin: 'threshold_check', params: { column: 'glucose_mg_dl', max: 250, tolerance: ${tolerance} } }],
      }],
    }),
  };
}
`;
}

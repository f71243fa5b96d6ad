/**
 * plugins/my_source.ts — your source plugin: the meals the patient logged (carbohydrates
 * eaten), one daily partition at a time, into a new table raw.meal_entries.
 *
 * Everything a plugin needs arrives in `phlo` (this file cannot import; the line below is
 * types only and is erased before it runs). Every file under plugins/ is registered on
 * every run, the way Phlo discovers installed plugin packages. Three TODOs:
 *   1. return one record per meal of the partition day from fetchPartition;
 *   2. declare the table's columns in the schema;
 *   3. add the ingestion asset dlt_meal_entries in extend().
 * Then run:  materialize dlt_meal_entries --partition 2025-01-08
 */
import type { PluginApi, PluginModuleExports } from '../api.ts';

export default function mySource(phlo: PluginApi): PluginModuleExports {
  // The meal log, as the patient's app would return it: carbs in grams, Monday first.
  const MEALS = [
    { meal: 'breakfast', time: '07:30', carbs: [45, 50, 40, 55, 45, 60, 35] },
    { meal: 'lunch', time: '12:45', carbs: [60, 55, 70, 65, 60, 40, 50] },
    { meal: 'dinner', time: '19:15', carbs: [80, 75, 90, 70, 95, 85, 65] },
  ];

  // TODO 2: the columns of raw.meal_entries after normalisation (snake_case), e.g.
  //   id: phlo.col.string({ nullable: false, unique: true }),
  //   carbs_g: phlo.col.int64({ nullable: false, min: 0, max: 200 }),
  // plus meal, eaten_at (a timestamp), and the _dlt_load_id / _dlt_id the normaliser adds.
  const MealEntries = phlo.defineSchema('MealEntries', {
    id: phlo.col.string({ nullable: false, unique: true }),
  });

  const mealLog = {
    type: 'source' as const,
    metadata: { name: 'meal_log', version: '0.1.0', description: 'Meals and carbohydrates the patient logged', tags: ['meals', 'course'] },
    async fetchPartition(config: Record<string, unknown>, partition: string) {
      // The weekday of the partition day: 0 = Monday .. 6 = Sunday.
      const weekday = (new Date(phlo.dayStart(partition)).getUTCDay() + 6) % 7;
      // TODO 1: one record per meal, e.g.
      //   { id: `meal-${partition}-breakfast`, meal: 'breakfast', carbsG: 45, eatenAt: `${partition}T07:30:00Z` }
      // (camelCase on purpose: dlt_normalize turns carbsG into carbs_g, eatenAt into eaten_at).
      const records: Record<string, unknown>[] = [];
      return { records, stats: { meals_in_log: MEALS.length, weekday } };
    },
    getSchema: () => MealEntries,
  };

  return {
    plugins: [mealLog],
    extend: (defs) => {
      // TODO 3: add the ingestion asset that uses the plugin, then return the new definitions:
      // return {
      //   ...defs,
      //   ingestion: [...defs.ingestion, {
      //     name: 'dlt_meal_entries', table: 'raw.meal_entries', group: 'meals',
      //     source: { plugin: 'meal_log', config: {} },
      //     transforms: [{ plugin: 'dlt_normalize', config: { timestamps: ['eaten_at'] } }],
      //     uniqueKey: ['id'], mergeStrategy: 'merge', partitionColumn: 'eaten_at',
      //     description: 'Meals logged by the patient, one day at a time.',
      //   }],
      // };
      return defs;
    },
  };
}

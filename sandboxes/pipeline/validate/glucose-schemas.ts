/**
 * Phlo's glucose schemas (workflows/schemas/nightscout.py at the pinned commit), in TypeScript.
 * RawGlucoseEntries guards ingestion with the wide plausibility range 1-1000 mg/dL; the
 * physiological range 20-600 belongs to the silver layer, as in Phlo.
 */
import { col, defineSchema } from './schema.ts';
import { VALID_DIRECTIONS } from '../source/nightscout.ts';

export const MIN_GLUCOSE_MG_DL = 20;
export const MAX_GLUCOSE_MG_DL = 600;
export const GLUCOSE_CATEGORIES = ['hypoglycemia', 'in_range', 'hyperglycemia_mild', 'hyperglycemia_severe'] as const;

/** raw.glucose_entries as staged (DLT's snake_case names). Extra columns are allowed (strict=False). */
export const RawGlucoseEntries = defineSchema('RawGlucoseEntries', {
  _id: col.string({ nullable: false, unique: true, doc: 'Nightscout entry id (MongoDB ObjectId)' }),
  sgv: col.int64({ nullable: false, min: 1, max: 1000, doc: 'Sensor glucose value, mg/dL' }),
  date: col.int64({ nullable: false, doc: 'Reading time, Unix epoch milliseconds' }),
  date_string: col.timestamp({ nullable: false, doc: 'Reading time, UTC' }),
  direction: col.string({ oneOf: VALID_DIRECTIONS, doc: 'Trend arrow' }),
  trend: col.int64({ doc: 'Numeric trend (Nightscout)' }),
  device: col.string({ doc: 'Uploading device' }),
  type: col.string({ doc: 'Entry type, "sgv" for sensor readings' }),
  utc_offset: col.int64({ doc: 'Minutes from UTC on the uploader' }),
  sys_time: col.string({ doc: 'Uploader system time' }),
  rssi: col.int64({ doc: 'Signal strength' }),
  _dlt_load_id: col.string({ nullable: false, doc: 'Load that wrote the row' }),
  _dlt_id: col.string({ nullable: false, doc: 'Row id within the load' }),
});

/** silver.fct_glucose_readings. Phlo's day_of_week rule says 0-6, but Trino's day_of_week is 1-7; we follow the model (1-7). */
export const FactGlucoseReadings = defineSchema('FactGlucoseReadings', {
  entry_id: col.string({ nullable: false, unique: true }),
  glucose_mg_dl: col.int64({ min: MIN_GLUCOSE_MG_DL, max: MAX_GLUCOSE_MG_DL }),
  reading_timestamp: col.timestamp(),
  direction: col.string({ oneOf: VALID_DIRECTIONS }),
  hour_of_day: col.int64({ min: 0, max: 23 }),
  day_of_week: col.int64({ min: 1, max: 7 }),
  glucose_category: col.string({ oneOf: GLUCOSE_CATEGORIES }),
  is_in_range: col.int64({ oneOf: [0, 1] }),
}, { strict: true });

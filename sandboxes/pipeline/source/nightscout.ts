/**
 * A deterministic stand-in for a Nightscout server's `entries.json`.
 *
 * The fields follow the real API (camelCase as Nightscout sends them): `_id` (a MongoDB
 * ObjectId as 24 hex digits), `sgv` (mg/dL), `date` (epoch ms), `dateString` (ISO-8601 UTC),
 * `direction`, `trend`, `device`, `type`, `utcOffset`, `sysTime`, `rssi`.
 *
 * One reading every five minutes (288 a day) drawn from a daily curve: a night-time
 * baseline, the dawn rise, three meals with jittered times and sizes, and sensor noise.
 * Real-world untidiness is part of the lesson, so the source also produces sensor warm-up
 * gaps, re-sent duplicates, entries that reach the server late, and, on request, a bad-data
 * day. Every value depends only on (seed, day), so any day can be fetched on its own.
 */
import { createRng, hashString, type Rng } from '../util/prng.ts';
import { dayStart, dayRange, DAY_MS } from '../util/dates.ts';

export const VALID_DIRECTIONS = [
  'Flat', 'FortyFiveUp', 'FortyFiveDown', 'SingleUp', 'SingleDown', 'DoubleUp', 'DoubleDown', 'NONE',
] as const;
export type Direction = (typeof VALID_DIRECTIONS)[number];

/** Nightscout's numeric trend for each arrow. */
const TREND_OF: Record<Direction, number> = {
  NONE: 0, DoubleUp: 1, SingleUp: 2, FortyFiveUp: 3, Flat: 4, FortyFiveDown: 5, SingleDown: 6, DoubleDown: 7,
};

export interface NightscoutEntry {
  _id: string;
  sgv: number;
  date: number;
  dateString: string;
  direction: string | null;
  trend: number | null;
  device: string | null;
  type: string | null;
  utcOffset: number;
  sysTime: string;
  rssi: number;
}

/**
 * "impossible": values no sensor can report (negative, above 1000, an unknown arrow): the
 * raw schema stops them at validation.
 * "sensor-fault": a failing sensor reports plausible-looking but out-of-physiology values
 * (below 20 or above 600) for a stretch of hours: they pass the raw schema (1-1000) and are
 * meant to be caught later by the range check on the raw table.
 */
export type BadDataKind = 'impossible' | 'sensor-fault';

export interface SourceOptions {
  seed: string;
  /** Days that carry bad data, and which kind. */
  badDays?: Record<string, BadDataKind>;
  /** Share of readings re-sent by the uploader (duplicates of the same `_id`). Default 0.01. */
  duplicateRate?: number;
  /** Share of readings that reach the server only the next morning. Default 0.02. */
  lateRate?: number;
  device?: string;
}

export interface FetchResult {
  entries: NightscoutEntry[];
  /** Readings of this day the server does not have yet at `asOf` (they will arrive later). */
  notYetArrived: number;
  /** Readings the sensor never produced (warm-up after a sensor change). */
  sensorGap: number;
}

const READINGS_PER_DAY = 288;
const FIVE_MIN = 300_000;
/** A sensor session lasts ten days; the first two hours of a new one give no readings. */
const SENSOR_DAYS = 10;
const WARMUP_READINGS = 24;

function directionFor(ratePerMin: number): Direction {
  if (ratePerMin > 3) return 'DoubleUp';
  if (ratePerMin > 2) return 'SingleUp';
  if (ratePerMin > 1) return 'FortyFiveUp';
  if (ratePerMin >= -1) return 'Flat';
  if (ratePerMin >= -2) return 'FortyFiveDown';
  if (ratePerMin >= -3) return 'SingleDown';
  return 'DoubleDown';
}

/** Glucose response to a meal: rises over ~45 minutes, settles over ~3 hours. */
function mealEffect(minutesSince: number, size: number): number {
  if (minutesSince < 0) return 0;
  const peak = 50;
  if (minutesSince < peak) return size * Math.sin((Math.PI / 2) * (minutesSince / peak));
  return size * Math.exp(-(minutesSince - peak) / 75);
}

interface Reading { entry: NightscoutEntry; availableAt: number }

/** The full truth for one day: every reading the sensor took, with the time it reaches the server. */
function simulateDay(options: SourceOptions, day: string): { readings: Reading[]; sensorGap: number } {
  const start = dayStart(day);
  const rng: Rng = createRng(`${options.seed}|${day}`);
  const dayNumber = Math.floor(start / DAY_MS);
  const lateRate = options.lateRate ?? 0.02;
  const device = options.device ?? 'share2';
  const bad = options.badDays?.[day];

  const meals = [
    { at: 7 * 60 + 30 + rng.int(-40, 40), size: 55 + rng.next() * 85 },
    { at: 12 * 60 + 30 + rng.int(-45, 45), size: 40 + rng.next() * 70 },
    { at: 19 * 60 + rng.int(-60, 60), size: 60 + rng.next() * 90 },
  ];
  const baseline = 100 + rng.next() * 25;
  const nightDip = rng.chance(0.3) ? 25 + rng.next() * 20 : 0;
  const offsetMs = rng.int(0, 299) * 1000;

  let warmupFrom = -1;
  if (dayNumber % SENSOR_DAYS === 0) warmupFrom = rng.int(24, READINGS_PER_DAY - WARMUP_READINGS - 24);
  let faultFrom = -1;
  if (bad === 'sensor-fault') faultFrom = rng.int(60, 150);

  const readings: Reading[] = [];
  let noise = 0;
  let previous: number | null = null;
  let sensorGap = 0;
  for (let i = 0; i < READINGS_PER_DAY; i++) {
    const minute = i * 5;
    noise = 0.8 * noise + rng.normal() * 3;
    if (warmupFrom >= 0 && i >= warmupFrom && i < warmupFrom + WARMUP_READINGS) {
      sensorGap++;
      previous = null;
      continue;
    }
    const dawn = minute > 240 && minute < 480 ? 18 * Math.sin((Math.PI * (minute - 240)) / 240) : 0;
    const night = minute > 60 && minute < 300 ? -nightDip * Math.sin((Math.PI * (minute - 60)) / 240) : 0;
    let value = baseline + dawn + night + noise;
    for (const meal of meals) value += mealEffect(minute - meal.at, meal.size);
    let sgv = Math.round(Math.min(400, Math.max(40, value)));
    if (faultFrom >= 0 && i >= faultFrom && i < faultFrom + 48) {
      // A failing sensor: alternates between implausibly low and high readings for four hours.
      sgv = i % 2 === 0 ? rng.int(5, 15) : rng.int(650, 900);
    }
    let direction: string | null = previous === null ? 'NONE' : directionFor((sgv - previous) / 5);
    previous = sgv;

    const date = start + minute * 60_000 + offsetMs;
    const seconds = Math.floor(date / 1000).toString(16).padStart(8, '0');
    const id = seconds + createRng(hashString(`${options.seed}|${date}`)).hex8() + rng.hex8();
    let finalSgv = sgv;
    if (bad === 'impossible' && i % 37 === 5) {
      // Every 37th reading is corrupted in one of three ways a real feed has shown.
      const kind = Math.floor(i / 37) % 3;
      if (kind === 0) finalSgv = -50;
      else if (kind === 1) finalSgv = 1500;
      else direction = 'Sideways';
    }
    const dateString = new Date(date).toISOString();
    const entry: NightscoutEntry = {
      _id: id,
      sgv: finalSgv,
      date,
      dateString,
      direction,
      trend: direction !== null && direction in TREND_OF ? TREND_OF[direction as Direction] : null,
      device,
      type: 'sgv',
      utcOffset: 0,
      sysTime: dateString,
      rssi: rng.int(90, 100),
    };
    // Late entries reach the server the next morning (an uploader that was offline).
    const late = rng.chance(lateRate);
    const availableAt = late ? start + DAY_MS + 8 * 3_600_000 : date + 60_000;
    readings.push({ entry, availableAt });
  }
  return { readings, sensorGap };
}

/**
 * What the server returns for one day's query (`find[dateString][$gte]=day`, `$lt` next
 * day), as seen at `asOf`: readings that have not arrived yet are missing, re-sent
 * readings appear twice. Sorted newest first, as Nightscout sorts.
 */
export function fetchDay(options: SourceOptions, day: string, asOf: number): FetchResult {
  const { readings, sensorGap } = simulateDay(options, day);
  const dupRng = createRng(`${options.seed}|dup|${day}`);
  const duplicateRate = options.duplicateRate ?? 0.01;
  const entries: NightscoutEntry[] = [];
  let notYetArrived = 0;
  for (const r of readings) {
    if (r.availableAt > asOf) {
      notYetArrived++;
      continue;
    }
    entries.push(r.entry);
    if (dupRng.chance(duplicateRate)) entries.push({ ...r.entry });
  }
  entries.sort((a, b) => b.date - a.date);
  return { entries, notYetArrived, sensorGap };
}

/** Every reading of a range as the server holds it at `asOf` (for exports and examples). */
export function generateEntries(options: SourceOptions, from: string, to: string, asOf = Number.MAX_SAFE_INTEGER): NightscoutEntry[] {
  return dayRange(from, to).flatMap((day) => fetchDay(options, day, asOf).entries);
}

export { READINGS_PER_DAY, FIVE_MIN };

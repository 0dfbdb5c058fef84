// UTC calendar days (`YYYY-MM-DD`), what the API's from/to take.

const DAY_MS = 86_400_000;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isoDay(t: number | Date): string {
  return new Date(typeof t === "number" ? t : t.getTime()).toISOString().slice(0, 10);
}

export function isDay(text: string | undefined | null): text is string {
  if (!text) return false;
  const m = DAY.exec(text);
  if (!m) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && isoDay(d) === text;
}

export function addDays(day: string, n: number): string {
  return isoDay(new Date(`${day}T00:00:00Z`).getTime() + n * DAY_MS);
}

/** Whole days from `from` to `to`, both included (`to` = `from` → 1). */
export function spanDays(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
}

export type Range = {
  from: string;
  to: string;
};

/** The last `days` days up to today, today included (the API's default is 30). */
export function lastDays(days: number, now: number = Date.now()): Range {
  const to = isoDay(now);
  return { from: addDays(to, -(days - 1)), to };
}

/**
 * The range a view shows: the URL's valid days, else the last 30 days;
 * a reversed range is put the right way round.
 */
export function rangeFrom(params: { from?: string; to?: string }, now: number = Date.now()): Range {
  const fallback = lastDays(30, now);
  const to = isDay(params.to) ? params.to : fallback.to;
  const from = isDay(params.from) ? params.from : addDays(to, -29);
  return from <= to ? { from, to } : { from: to, to: from };
}

export const PRESETS: { label: string; days: number }[] = [
  { label: "Today", days: 1 },
  { label: "7 days", days: 7 },
  { label: "30 days", days: 30 },
  { label: "90 days", days: 90 },
];

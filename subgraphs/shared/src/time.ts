// Local wall-clock time in a plant's time zone <-> UTC instants, with one rule for clock changes.

export const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** One cached formatter per time zone: building one costs far more than using it. */
function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Offset of a time zone from UTC at an instant, in milliseconds (local = UTC + offset). */
export function offsetAt(timeZone: string, instant: number): number {
  const parts = formatterOf(timeZone).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * The UTC instant of a local wall-clock time: `date` (UTC midnight of the local calendar date)
 * plus `minuteOfDay` minutes (may exceed 1440 for a shift ending the next day).
 *
 * One rule for every caller: the EARLIEST instant at which the plant's clock reads this time or
 * later. So a time that happens twice (the hour repeated when clocks go back) is its first
 * occurrence, and a time that never happens (the hour skipped when clocks go forward) is the
 * instant of the jump: 02:30 on 29 March 2026 in Europe/Berlin is 03:00 CEST (01:00Z), as is
 * 02:00; 02:30 on 25 October 2026 there is 02:30 CEST (00:30Z), not 02:30 CET.
 */
export function localToUtc(date: Date, minuteOfDay: number, timeZone: string): Date {
  const local = date.getTime() + minuteOfDay * 60_000;
  // Every offset in force within a day of the time covers any real zone's transitions.
  const offsets = [...new Set([offsetAt(timeZone, local - DAY_MS), offsetAt(timeZone, local), offsetAt(timeZone, local + DAY_MS)])];
  const exact = offsets.map((o) => local - o).filter((utc) => offsetAt(timeZone, utc) === local - utc);
  if (exact.length) return new Date(Math.min(...exact));
  // Skipped: the clock jumps over it between local - max(offset) and local - min(offset).
  let before = local - Math.max(...offsets);
  let after = local - Math.min(...offsets);
  // Transitions fall on whole seconds: halve until the jump is pinned to the second.
  while (after - before > 1000) {
    const mid = Math.floor((before + after) / 2000) * 1000;
    if (mid + offsetAt(timeZone, mid) < local) before = mid;
    else after = mid;
  }
  return new Date(after);
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Local calendar date (as UTC midnight) of an instant in a time zone. */
export function localDate(instant: Date, timeZone: string): Date {
  const s = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(instant);
  return new Date(`${s}T00:00:00Z`);
}

export function formatMinute(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
}

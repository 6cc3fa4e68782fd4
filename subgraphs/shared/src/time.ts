/** Offset of a time zone from UTC at an instant, in milliseconds. */
function offsetAt(timeZone: string, instant: number): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * The UTC instant of a local wall-clock time: `date` (UTC midnight of the local calendar date)
 * plus `minuteOfDay` minutes (may exceed 1440 for a shift ending the next day). A time skipped by a
 * daylight-saving jump resolves to the instant just after the jump.
 */
export function localToUtc(date: Date, minuteOfDay: number, timeZone: string): Date {
  const local = date.getTime() + minuteOfDay * 60_000;
  let utc = local - offsetAt(timeZone, local);
  utc = local - offsetAt(timeZone, utc);
  return new Date(utc);
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

export const DAY_MS = 86_400_000;

export function formatMinute(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
}

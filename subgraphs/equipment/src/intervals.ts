/** Half-open time intervals [start, end) in epoch milliseconds. */
export interface Interval {
  start: number;
  end: number;
}

export const span = (start: Date, end: Date | null, cap: Date): Interval => ({ start: start.getTime(), end: (end ?? cap).getTime() });

/** Parts of `from` not covered by any of `cut`. */
export function subtract(from: Interval[], cut: Interval[]): Interval[] {
  let result = from.filter((i) => i.end > i.start);
  for (const c of cut) {
    result = result.flatMap((i) => {
      if (c.end <= i.start || c.start >= i.end) return [i];
      return [
        { start: i.start, end: c.start },
        { start: c.end, end: i.end },
      ].filter((p) => p.end > p.start);
    });
  }
  return result;
}

/** `items` clipped to `window`. */
export function clip(items: Interval[], window: Interval): Interval[] {
  return items.map((i) => ({ start: Math.max(i.start, window.start), end: Math.min(i.end, window.end) })).filter((i) => i.end > i.start);
}

export const minutes = (items: Interval[]) => items.reduce((sum, i) => sum + (i.end - i.start), 0) / 60_000;

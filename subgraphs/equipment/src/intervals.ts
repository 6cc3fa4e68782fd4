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

/** Parts of `a` that lie within some interval of `b`. */
export function intersect(a: Interval[], b: Interval[]): Interval[] {
  return subtract(a, subtract(a, b));
}

/** The part of `window` that has happened by `now`: time to come is counted as nothing. */
export function happened(window: Interval, now: Date): Interval {
  return { start: window.start, end: Math.max(window.start, Math.min(window.end, now.getTime())) };
}

/** The time covered by any of `items`, as disjoint intervals in order (overlapping or touching ones merged). */
export function union(items: Interval[]): Interval[] {
  const sorted = items.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
  const merged: Interval[] = [];
  for (const i of sorted) {
    const last = merged.at(-1);
    if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else merged.push({ ...i });
  }
  return merged;
}

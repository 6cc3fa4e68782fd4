import { requestQueries } from "./db.ts";

/**
 * The current time for anything a read answers with (the current shift, "down for 12 minutes",
 * what is overdue). It marks the request's answer as aging with the clock, so the read cache keeps
 * it only briefly (READ_CACHE_CLOCK_MS) instead of until the data changes. Use it, not `new Date()`,
 * in every resolver and domain module (test/clock-use.test.ts checks).
 */
export function clockNow(): Date {
  const scope = requestQueries.getStore();
  if (scope) scope.clock = true;
  return new Date();
}

/** clockNow in milliseconds since the epoch. */
export function clockMs(): number {
  return clockNow().getTime();
}

/**
 * One instant per request, read when first asked. `now()` is clockNow's (the answer ages with the
 * clock); `bounded()` is for an answer that stays right until an instant its code can name (the
 * current shift holds until it ends or the next one starts): the caches keep it until then, not
 * just READ_CACHE_CLOCK_MS. A bounded use that never says `holdsUntil` counts as `now()`.
 */
export interface RequestClock {
  now(): Date;
  bounded(): { now: Date; holdsUntil(instant: Date | null): void };
}

export function requestClock(): RequestClock {
  let at: Date | undefined;
  const instant = () => (at ??= new Date());
  return {
    now() {
      const scope = requestQueries.getStore();
      if (scope) scope.clock = true;
      return instant();
    },
    bounded() {
      const scope = requestQueries.getStore();
      if (scope) scope.clockPending = (scope.clockPending ?? 0) + 1;
      let said = false;
      return {
        now: instant(),
        holdsUntil(until) {
          if (!scope || said) return;
          said = true;
          scope.clockPending = (scope.clockPending ?? 1) - 1;
          if (until) scope.clockHorizon = Math.min(scope.clockHorizon ?? Number.POSITIVE_INFINITY, until.getTime());
        },
      };
    },
  };
}

/** Milliseconds from now until an instant (epoch ms), for caches that keep time by performance.now(). */
export function msUntil(epochMs: number): number {
  return epochMs - Date.now();
}

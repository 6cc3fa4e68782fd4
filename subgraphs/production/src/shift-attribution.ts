// Which production logs belong to a shift. One rule, shared with equipment's shift OEE counts:
// a log belongs to the shift it names; a log naming no shift belongs to the shifts of its plant
// whose window [startsAt, endsAt) contains its loggedAt.
import { badUserInput, byIdLoader, CLOCK_SKEW_MS, isUuid, type ReferenceBook, clockNow } from "@mes/shared";
import type { Prisma, PrismaClient, ProductionLog } from "./generated/prisma/client.ts";
import type { ShiftMapper } from "./mappers.ts";

/** A shift as production sees it: its id and, when the shifts subgraph sent them, its plant and window. */
export interface ShiftWindow {
  id: string;
  plantId: string | null;
  start: Date | null;
  end: Date | null;
}

const instant = (v: string | Date | undefined) => {
  if (v === undefined) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
};

export function shiftWindowOf(shift: ShiftMapper): ShiftWindow {
  return { id: shift.id, plantId: shift.plant?.id ?? null, start: instant(shift.startsAt), end: instant(shift.endsAt) };
}

export function belongsToShift(log: Pick<ProductionLog, "shiftId" | "plantId" | "loggedAt">, shift: ShiftWindow): boolean {
  if (log.shiftId) return log.shiftId === shift.id;
  return shift.start !== null && shift.end !== null && log.plantId === shift.plantId && log.loggedAt >= shift.start && log.loggedAt < shift.end;
}

/** The loader key of a shift window (the kit's loaders batch by string keys). */
export const shiftKey = (s: ShiftWindow) => JSON.stringify([s.id, s.plantId, s.start?.toISOString() ?? null, s.end?.toISOString() ?? null]);

function parseKey(key: string): ShiftWindow {
  const [id, plantId, start, end] = JSON.parse(key) as [string, string | null, string | null, string | null];
  return { id, plantId, start: start ? new Date(start) : null, end: end ? new Date(end) : null };
}

/** The logs of every shift asked for in one tick, in one query, oldest first; load by shiftKey. */
export function shiftLogsLoader(db: PrismaClient) {
  return byIdLoader(async (keys) => {
    const shifts = keys.map(parseKey);
    const named = shifts.map((s) => s.id).filter(isUuid);
    const windows: Prisma.ProductionLogWhereInput[] = shifts.flatMap((s) =>
      s.start && s.end && s.plantId && isUuid(s.plantId) ? [{ shiftId: null, plantId: s.plantId, loggedAt: { gte: s.start, lt: s.end } }] : [],
    );
    const or: Prisma.ProductionLogWhereInput[] = [...(named.length ? [{ shiftId: { in: named } }] : []), ...windows];
    const logs = or.length ? await db.productionLog.findMany({ where: { OR: or }, orderBy: [{ loggedAt: "asc" }, { id: "asc" }] }) : [];
    return shifts.map((s, i) => ({ id: keys[i]!, logs: logs.filter((l) => belongsToShift(l, s)) }));
  });
}

/**
 * Where a log made at `at` lies against the window of the shift it names: a log may name a shift
 * whose window [startsAt, endsAt] contains it, `skewMs` (the accepted clock skew) allowed at both
 * edges, both inclusive: counts entered up to 5 minutes after the end still name the shift.
 */
export function outsideShift(at: Date, window: { startsAt: Date; endsAt: Date }, skewMs = CLOCK_SKEW_MS): "before" | "after" | null {
  if (at.getTime() < window.startsAt.getTime() - skewMs) return "before";
  if (at.getTime() > window.endsAt.getTime() + skewMs) return "after";
  return null;
}

/**
 * Refuses a log naming a shift whose window does not contain its time (loggedAt, or now), with
 * BAD_USER_INPUT naming input.shiftId (and input.loggedAt when it was given). The window is
 * production's copy of the shifts subgraph's, read after the reference guard has checked the shift
 * (at the start of the write's transaction); a copy without a window is not checked.
 */
export async function assertLogInShift(references: Pick<ReferenceBook, "lookup">, shiftId: string, loggedAt: Date | null | undefined): Promise<void> {
  // The guard has already waited for the copy to know the shift (lookupFresh): a plain read is enough.
  const shift = (await references.lookup("Shift", [shiftId])).get(shiftId);
  if (!shift?.startsAt || !shift.endsAt) return;
  const at = loggedAt ?? clockNow();
  const miss = outsideShift(at, { startsAt: shift.startsAt, endsAt: shift.endsAt });
  if (!miss) return;
  const when = `${shift.startsAt.toISOString()} to ${shift.endsAt.toISOString()}`;
  const skew = `${CLOCK_SKEW_MS / 60_000} minutes`;
  const message = miss === "before" ? `more than ${skew} before the shift starts (${when})` : `more than ${skew} after the shift ends (${when})`;
  const subject = loggedAt ? `loggedAt ${at.toISOString()}` : `Now (${at.toISOString()})`;
  throw badUserInput(`${subject} is ${message}: name the shift the units were made in`, [
    { field: "input.shiftId", message: `the shift runs ${when}` },
    ...(loggedAt ? [{ field: "input.loggedAt", message }] : []),
  ]);
}

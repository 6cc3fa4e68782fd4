import DataLoader from "dataloader";
import type { RequestClock, SubgraphContext, Tx } from "@mes/shared";
import { byIdLoader, childrenLoader, notFound, requireId, validIds } from "@mes/shared";
import type { PrismaClient, Shift } from "./generated/prisma/client.ts";

export type ShiftsDb = PrismaClient;
/** What domain functions take: one interactive transaction, or the request's scoped client. */
export type ShiftsTx = Tx<ShiftsDb>;

/** How far ahead the current shift's query looks for the next change of shift. */
const SHIFT_LOOK_AHEAD_MS = 24 * 3600_000;

export function createLoaders(db: ShiftsDb, clock: RequestClock) {
  return {
    shift: byIdLoader((ids) => db.shift.findMany({ where: { id: { in: validIds(ids) } } })),
    pattern: byIdLoader((ids) => db.shiftPattern.findMany({ where: { id: { in: ids } } })),
    crew: byIdLoader((ids) => db.crew.findMany({ where: { id: { in: ids } } })),
    membersOfCrew: childrenLoader(
      (ids) => db.crewMember.findMany({ where: { crewId: { in: ids } }, orderBy: { displayName: "asc" } }),
      (m) => m.crewId,
    ),
    assignmentsOfShift: childrenLoader(
      (ids) => db.crewAssignment.findMany({ where: { shiftId: { in: ids } } }),
      (a) => a.shiftId,
    ),
    coverageOfPlant: childrenLoader(
      (ids) => db.coverageRequirement.findMany({ where: { plantId: { in: ids } }, orderBy: { workCenterId: "asc" } }),
      (c) => c.plantId,
    ),
    attendanceOfShift: childrenLoader(
      (ids) => db.attendance.findMany({ where: { shiftId: { in: ids } }, orderBy: { personId: "asc" } }),
      (a) => a.shiftId,
    ),
    handoversOfShift: childrenLoader(
      (ids) => db.handover.findMany({ where: { shiftId: { in: ids } }, orderBy: { createdAt: "asc" } }),
      (h) => h.shiftId,
    ),
    /**
     * The shift running at request time per plant: one query for all plants asked for. The answer
     * holds until the next change of shift among them (a current shift's end, a coming one's start,
     * looked ahead a day), so the caches keep it until then rather than for a second.
     */
    currentShiftOfPlant: new DataLoader<string, Shift | null>(async (plantIds) => {
      const { now, holdsUntil } = clock.bounded();
      const ahead = new Date(now.getTime() + SHIFT_LOOK_AHEAD_MS);
      const rows = await db.shift.findMany({
        where: { plantId: { in: validIds(plantIds) }, startsAt: { lt: ahead }, endsAt: { gt: now } },
        orderBy: { startsAt: "desc" },
      });
      holdsUntil(new Date(Math.min(ahead.getTime(), ...rows.map((s) => (s.startsAt > now ? s.startsAt : s.endsAt).getTime()))));
      return plantIds.map((id) => rows.find((s) => s.plantId === id && s.startsAt <= now) ?? null);
    }),
  };
}

export interface ShiftsContext extends SubgraphContext {
  db: ShiftsDb;
  /** The request's time (read when first asked): reads never count what happens after it. */
  clock: RequestClock;
  loaders: ReturnType<typeof createLoaders>;
}

/** The shift a mutation names (argument `shiftId`), or NOT_FOUND. */
export async function loadShift(ctx: ShiftsContext, id: string): Promise<Shift> {
  const shift = await ctx.loaders.shift.load(requireId(id, "shiftId"));
  if (!shift) throw notFound("Shift", id);
  return shift;
}

/**
 * The row a non-null relation points to. Foreign keys keep it there; should it be missing (or out of
 * the caller's scope), NOT_FOUND names it instead of a bare non-null violation.
 */
export function found<T>(row: T | null, entity: string, id: string): T {
  if (row === null) throw notFound(entity, id);
  return row;
}

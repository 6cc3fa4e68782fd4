import DataLoader from "dataloader";
import type { SubgraphContext, Tx } from "@mes/shared";
import { byIdLoader, childrenLoader, notFound, requireId, validIds } from "@mes/shared";
import type { PrismaClient, Shift } from "./generated/prisma/client.ts";

export type ShiftsDb = PrismaClient;
/** What domain functions take: one interactive transaction, or the request's scoped client. */
export type ShiftsTx = Tx<ShiftsDb>;

export function createLoaders(db: ShiftsDb, now: Date) {
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
    /** The shift running at request time per plant: one query for all plants asked for. */
    currentShiftOfPlant: new DataLoader<string, Shift | null>(async (plantIds) => {
      const rows = await db.shift.findMany({
        where: { plantId: { in: validIds(plantIds) }, startsAt: { lte: now }, endsAt: { gt: now } },
        orderBy: { startsAt: "desc" },
      });
      return plantIds.map((id) => rows.find((s) => s.plantId === id) ?? null);
    }),
  };
}

export interface ShiftsContext extends SubgraphContext {
  db: ShiftsDb;
  /** The request's time: reads never count what happens after it. */
  now: Date;
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

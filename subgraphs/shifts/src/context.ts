import DataLoader from "dataloader";
import type { SubgraphContext } from "@mes/shared";
import { byIdLoader, childrenLoader, validIds } from "@mes/shared";
import type { PrismaClient, Shift } from "./generated/prisma/client.ts";

export type ShiftsDb = PrismaClient;

export function createLoaders(db: ShiftsDb, now: Date) {
  return {
    shift: byIdLoader((ids) => db.shift.findMany({ where: { id: { in: validIds(ids) } } })),
    pattern: byIdLoader((ids) => db.shiftPattern.findMany({ where: { id: { in: ids } } })),
    crew: byIdLoader((ids) => db.crew.findMany({ where: { id: { in: ids } } })),
    membersOfCrew: childrenLoader((ids) => db.crewMember.findMany({ where: { crewId: { in: ids } }, orderBy: { displayName: "asc" } }), (m) => m.crewId),
    assignmentsOfShift: childrenLoader((ids) => db.crewAssignment.findMany({ where: { shiftId: { in: ids } } }), (a) => a.shiftId),
    coverageOfPlant: childrenLoader((ids) => db.coverageRequirement.findMany({ where: { plantId: { in: ids } }, orderBy: { workCenterId: "asc" } }), (c) => c.plantId),
    attendanceOfShift: childrenLoader((ids) => db.attendance.findMany({ where: { shiftId: { in: ids } }, orderBy: { personId: "asc" } }), (a) => a.shiftId),
    handoversOfShift: childrenLoader((ids) => db.handover.findMany({ where: { shiftId: { in: ids } }, orderBy: { createdAt: "asc" } }), (h) => h.shiftId),
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
  loaders: ReturnType<typeof createLoaders>;
}

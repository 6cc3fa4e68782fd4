// Crews of a plant and their assignment to shifts.
import { badUserInput } from "@mes/shared";
import type { Crew, Shift } from "./generated/prisma/client.ts";
import type { CreateCrewInput } from "./resolvers-types.generated.ts";
import type { ShiftsTx } from "./context.ts";

export function createCrew(tx: ShiftsTx, organizationId: string, { members, ...crew }: CreateCrewInput) {
  return tx.crew.create({ data: { ...crew, organizationId, members: { create: members } } });
}

/** A crew works shifts of its own plant only. */
export function checkCrewFitsShift(crew: Pick<Crew, "plantId">, shift: Pick<Shift, "plantId">): void {
  if (crew.plantId !== shift.plantId)
    throw badUserInput("The crew belongs to another plant than the shift", [{ field: "crewId", message: "crew of another plant" }]);
}

export function assignCrew(tx: ShiftsTx, shift: Shift, crew: Crew, workCenterId: string | null) {
  checkCrewFitsShift(crew, shift);
  return tx.crewAssignment.create({
    data: { organizationId: shift.organizationId, plantId: shift.plantId, shiftId: shift.id, crewId: crew.id, workCenterId },
  });
}

export function crewsOfPlant(tx: ShiftsTx, plantId: string) {
  return tx.crew.findMany({ where: { plantId }, orderBy: { name: "asc" } });
}

// Crews of a plant and their assignment to shifts.
import { badUserInput, conflict } from "@mes/shared";
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

/** Assigns a crew to a shift once: the unique (shift, crew) key makes a racing duplicate a CONFLICT. */
export async function assignCrew(tx: ShiftsTx, shift: Shift, crew: Crew, workCenterId: string | null) {
  checkCrewFitsShift(crew, shift);
  const { count } = await tx.crewAssignment.createMany({
    data: [{ organizationId: shift.organizationId, plantId: shift.plantId, shiftId: shift.id, crewId: crew.id, workCenterId }],
    skipDuplicates: true,
  });
  const assignment = await tx.crewAssignment.findUniqueOrThrow({ where: { shiftId_crewId: { shiftId: shift.id, crewId: crew.id } } });
  if (count === 0) throw conflict(`Crew ${crew.name} is already assigned to this shift`, { crewAssignmentId: assignment.id });
  return assignment;
}

/** The position of the first value that repeats an earlier one, or null when all differ. */
export function repeatedIndex(values: readonly string[]): number | null {
  const seen = new Set<string>();
  for (const [i, v] of values.entries()) {
    if (seen.has(v)) return i;
    seen.add(v);
  }
  return null;
}

/** Crews of one plant, or of every plant the caller may see: by name, then plant. */
export function listCrews(tx: ShiftsTx, plantId: string | null) {
  return tx.crew.findMany({ where: plantId ? { plantId } : {}, orderBy: [{ name: "asc" }, { plantId: "asc" }, { id: "asc" }] });
}

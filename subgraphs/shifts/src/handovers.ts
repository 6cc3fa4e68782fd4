// Handovers: notes the outgoing supervisor leaves, acknowledged once by the incoming one.
import { conflict, notFound } from "@mes/shared";
import type { Shift } from "./generated/prisma/client.ts";
import type { LogHandoverInput } from "./resolvers-types.generated.ts";
import type { ShiftsTx } from "./context.ts";

/** A validated LogHandoverInput: open issues defaulted to none. */
export type NewHandover = Omit<LogHandoverInput, "openIssues"> & { openIssues: string[] };

/** Logs a handover; `actor` (the token's subject) is recorded as its author, never a name from the input. */
export function logHandover(tx: ShiftsTx, shift: Pick<Shift, "organizationId" | "plantId">, handover: NewHandover, actor: string) {
  return tx.handover.create({ data: { ...handover, createdBy: actor, organizationId: shift.organizationId, plantId: shift.plantId } });
}

/** Acknowledges a handover as `actor` (the token's subject); CONFLICT if someone did first (the first acknowledgement stays). */
export async function acknowledgeHandover(tx: ShiftsTx, id: string, actor: string) {
  // Conditional update: of two people acknowledging at once, exactly one wins.
  const { count } = await tx.handover.updateMany({
    where: { id, acknowledgedAt: null },
    data: { acknowledgedBy: actor, acknowledgedAt: new Date() },
  });
  const handover = await tx.handover.findUnique({ where: { id } });
  if (!handover) throw notFound("Handover", id);
  if (count === 0) throw conflict(`Handover ${id} was already acknowledged by ${handover.acknowledgedBy}`);
  return handover;
}

export function unacknowledgedHandovers(tx: ShiftsTx, plantId: string) {
  return tx.handover.findMany({ where: { plantId, acknowledgedAt: null }, orderBy: { createdAt: "asc" } });
}

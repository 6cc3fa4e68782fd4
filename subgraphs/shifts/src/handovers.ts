// Handovers: notes the outgoing supervisor leaves, acknowledged once by the incoming one.
import { conflict, notFound, clockNow, orderByOf, paginate, type OrderArg, type Page, type PageArgs } from "@mes/shared";
import type { Handover, Prisma, Shift } from "./generated/prisma/client.ts";
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
    data: { acknowledgedBy: actor, acknowledgedAt: clockNow() },
  });
  const handover = await tx.handover.findUnique({ where: { id } });
  if (!handover) throw notFound("Handover", id);
  if (count === 0) throw conflict(`Handover ${id} was already acknowledged by ${handover.acknowledgedBy}`);
  return handover;
}

/** Columns of HandoverOrderField; left out, oldest first. */
const HANDOVER_ORDER = { CREATED_AT: "createdAt", SHIFT_START: "shift.startsAt", CREATED_BY: "createdBy" } as const;

/** Handovers not yet acknowledged, of a plant or every plant the caller may see, logged in [from, to). */
export function unacknowledgedHandovers(
  tx: ShiftsTx,
  filter: { plantId: string | null; from?: Date | null; to?: Date | null },
  page: PageArgs & { orderBy?: OrderArg<keyof typeof HANDOVER_ORDER> | null },
): Promise<Page<Handover>> {
  const where: Prisma.HandoverWhereInput = {
    acknowledgedAt: null,
    ...(filter.plantId ? { plantId: filter.plantId } : {}),
    ...(filter.from || filter.to ? { createdAt: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lt: filter.to } : {}) } } : {}),
  };
  const orderBy = orderByOf(page.orderBy, HANDOVER_ORDER, [{ createdAt: "asc" }]);
  return paginate(
    page,
    (w) => tx.handover.findMany({ where, orderBy, ...w }),
    () => tx.handover.count({ where }),
  );
}

// The NCR status state machine and the rules of a disposition: pure, no database.
import { conflict, type FieldProblem } from "@mes/shared";
import type { Ncr, NcrStatus } from "./generated/prisma/client.ts";

/** OPEN -> UNDER_REVIEW -> DISPOSITIONED -> CLOSED, one step at a time. */
export const NCR_NEXT: Record<NcrStatus, NcrStatus[]> = {
  OPEN: ["UNDER_REVIEW"],
  UNDER_REVIEW: ["DISPOSITIONED"],
  DISPOSITIONED: ["CLOSED"],
  CLOSED: [],
};

/** A move the state machine does not allow is a CONFLICT naming the statuses it does allow. */
export function assertMove(ncr: Pick<Ncr, "number" | "status">, to: NcrStatus): void {
  const allowed = NCR_NEXT[ncr.status];
  if (!allowed.includes(to)) {
    throw conflict(`${ncr.number} is ${ncr.status}; it can go to ${allowed.join(" or ") || "no other status"}, not ${to}`, {
      currentStatus: ncr.status,
      allowedNextStatuses: allowed,
    });
  }
}

/** A closed NCR takes no more assignees, defects or lot holds. */
export function assertNotClosed(ncr: Pick<Ncr, "number" | "status">): void {
  if (ncr.status === "CLOSED") throw conflict(`${ncr.number} is closed`);
}

/**
 * What a SCRAP disposition lacks to name stock to scrap (material, lot, quantity, location), each with
 * the input field it is about (the NCR itself is `input.id`); empty when complete.
 */
export function scrapProblems(
  ncr: Pick<Ncr, "materialId" | "lotId" | "locationId">,
  input: { quantity?: number | null; locationId?: string | null },
): FieldProblem[] {
  const gaps: FieldProblem[] = [];
  if (!ncr.materialId) gaps.push({ field: "input.id", message: "the NCR names no material" });
  if (!ncr.lotId) gaps.push({ field: "input.id", message: "the NCR names no lot" });
  if (!input.quantity) gaps.push({ field: "input.quantity", message: "give quantity" });
  if (!(input.locationId ?? ncr.locationId)) gaps.push({ field: "input.locationId", message: "give locationId" });
  return gaps;
}

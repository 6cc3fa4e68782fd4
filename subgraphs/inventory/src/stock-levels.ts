import { Prisma, type StockAlertSeverity } from "./generated/prisma/client.ts";

// Stock-level arithmetic without the database: availability, alert severity and its changes, and
// which stock rows an issue takes.

type Decimal = Prisma.Decimal;
const ZERO = new Prisma.Decimal(0);

export interface Availability {
  onHand: Decimal;
  reserved: Decimal;
  /** On hand less reserved; negative when more is reserved than is there. */
  available: Decimal;
}

/** Availability from the database's sums (null: no rows). */
export function availabilityOf(onHand: Decimal | null, reserved: Decimal | null): Availability {
  const on = onHand ?? ZERO;
  const res = reserved ?? ZERO;
  return { onHand: on, reserved: res, available: on.sub(res) };
}

/** How low an available quantity is; null at or above the reorder point. */
export function severityOf(available: Decimal, reorderPoint: Decimal, safetyStock: Decimal): StockAlertSeverity | null {
  if (available.lte(0)) return "STOCKOUT";
  if (available.lt(safetyStock)) return "BELOW_SAFETY_STOCK";
  if (available.lt(reorderPoint)) return "BELOW_REORDER_POINT";
  return null;
}

/**
 * What a change of availability does to a material's alert at a plant: `open` a new one (and
 * announce it), `update` the open one's severity or quantity (silently), `clear` it (and announce
 * the restock), or nothing.
 */
export type AlertChange<A> =
  | { kind: "open"; severity: StockAlertSeverity }
  | { kind: "update"; alert: A; severity: StockAlertSeverity }
  | { kind: "clear"; alert: A }
  | { kind: "none" };

export function alertChange<A extends { severity: StockAlertSeverity; available: Decimal }>(
  open: A | null,
  severity: StockAlertSeverity | null,
  available: Decimal,
): AlertChange<A> {
  if (severity && !open) return { kind: "open", severity };
  if (severity && open)
    return open.severity !== severity || !open.available.eq(available) ? { kind: "update", alert: open, severity } : { kind: "none" };
  if (!severity && open) return { kind: "clear", alert: open };
  return { kind: "none" };
}

const SEVERITY_ORDER: Record<StockAlertSeverity, number> = { STOCKOUT: 0, BELOW_SAFETY_STOCK: 1, BELOW_REORDER_POINT: 2 };

/** Comparator: most severe first (stable, so equal severities keep their order). */
export const mostSevereFirst = (a: { severity: StockAlertSeverity }, b: { severity: StockAlertSeverity }) =>
  SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity];

export interface IssuePlan<R> {
  /** Everything the candidate rows hold. */
  there: Decimal;
  /** The rows to take from, in order, and how much of each; empty when `there` is short. */
  takes: { row: R; quantity: Decimal }[];
}

/** Takes `wanted` from the candidate rows in their order (oldest lots first), each up to what it holds. */
export function planIssue<R extends { quantity: Decimal }>(rows: readonly R[], wanted: Decimal): IssuePlan<R> {
  const there = rows.reduce((sum, r) => sum.add(r.quantity), ZERO);
  if (there.lt(wanted)) return { there, takes: [] };
  const takes: IssuePlan<R>["takes"] = [];
  let left = wanted;
  for (const row of rows) {
    if (left.lte(0)) break;
    const part = Prisma.Decimal.min(left, row.quantity);
    takes.push({ row, quantity: part });
    left = left.sub(part);
  }
  return { there, takes };
}

/** What stays reserved for a work order after `issued` of it was issued (never below zero). */
export function reservedAfterIssue(reserved: Decimal, issued: Decimal): Decimal {
  return Prisma.Decimal.max(ZERO, reserved.sub(issued));
}

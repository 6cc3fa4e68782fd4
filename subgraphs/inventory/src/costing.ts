import { Prisma, type StockTransactionType } from "./generated/prisma/client.ts";

// Costing arithmetic without the database: FIFO layers, unit costs, a work order's material cost.

type Decimal = Prisma.Decimal;
const ZERO = new Prisma.Decimal(0);

/** What is left of one FIFO cost layer, at its unit cost. */
export interface OpenLayer {
  id: string;
  remainingQuantity: Decimal;
  unitCost: Decimal;
}

/** The part of one layer a movement out of stock takes. */
export interface LayerDraw {
  layerId: string;
  quantity: Decimal;
  unitCost: Decimal;
}

export interface FifoCharge {
  draws: LayerDraw[];
  /** Sum of the draws at their layers' unit costs, unrounded. */
  cost: Decimal;
  /** What the layers could not cover: zero unless the books were edited by hand. */
  uncovered: Decimal;
}

/** Charges `quantity` to `layers` (oldest first) in order, each up to what is left of it. */
export function chargeFifo(layers: readonly OpenLayer[], quantity: Decimal): FifoCharge {
  let left = quantity;
  let cost = ZERO;
  const draws: LayerDraw[] = [];
  for (const layer of layers) {
    if (left.lte(0)) break;
    const part = Prisma.Decimal.min(left, layer.remainingQuantity);
    draws.push({ layerId: layer.id, quantity: part, unitCost: layer.unitCost });
    cost = cost.add(part.mul(layer.unitCost));
    left = left.sub(part);
  }
  return { draws, cost, uncovered: left };
}

/** Value of `quantity` at `unitCost`, as stored on a transaction (4 decimal places). */
export function valueAt(quantity: Decimal, unitCost: Decimal): Decimal {
  return quantity.mul(unitCost).toDecimalPlaces(4);
}

/** Cost per unit (6 decimal places, as cost layers store it); null for a zero quantity. */
export function perUnit(totalCost: Decimal, quantity: Decimal): Decimal | null {
  return quantity.isZero() ? null : totalCost.div(quantity).toDecimalPlaces(6);
}

/** The unit cost a transaction shows: none for a transfer (it moves no value) or a zero quantity. */
export function transactionUnitCost(t: { type: StockTransactionType; quantity: Decimal; totalCost: Decimal }): number | null {
  if (t.type === "TRANSFER") return null;
  return perUnit(t.totalCost, t.quantity)?.toNumber() ?? null;
}

/** Material cost of a work order from its issues (negative cost) and returns (positive cost). */
export function materialCostOf(moves: readonly { totalCost: Decimal }[]): Decimal {
  return moves.reduce((acc, t) => acc.sub(t.totalCost), ZERO);
}

export function sumQuantity(rows: readonly { quantity: Decimal }[]): Decimal {
  return rows.reduce((acc, r) => acc.add(r.quantity), ZERO);
}

export function sumCost(rows: readonly { totalCost: Decimal }[]): Decimal {
  return rows.reduce((acc, r) => acc.add(r.totalCost), ZERO);
}

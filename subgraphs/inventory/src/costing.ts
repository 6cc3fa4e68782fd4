import { Prisma, type StockTransactionType } from "./generated/prisma/client.ts";

// Costing arithmetic without the database: FIFO layers, unit costs, a work order's material cost.
// Money is kept to the cent: every value posted (a transaction's totalCost, a layer's value) is
// rounded once, half-up (0.005 -> 0.01, -0.005 -> -0.01), where it is posted. Unit costs are
// quotients kept to 6 places and never multiplied back into posted values where a value is known.

type Decimal = Prisma.Decimal;
const ZERO = new Prisma.Decimal(0);

/** A value rounded to the cent, half-up (away from zero at exactly half a cent). */
export function toCent(value: Decimal): Decimal {
  return value.toDecimalPlaces(2, Prisma.Decimal.ROUND_HALF_UP);
}

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

/** Value of `quantity` at `unitCost`, as posted on a transaction: to the cent, half-up. */
export function valueAt(quantity: Decimal, unitCost: Decimal): Decimal {
  return toCent(quantity.mul(unitCost));
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

/** An open cost layer with the value left in it (to the cent). */
export interface ValuedLayer extends OpenLayer {
  remainingValue: Decimal;
}

/** One draw on a layer with the value it takes out of the layer. */
export interface ValuedDraw extends LayerDraw {
  value: Decimal;
}

/**
 * What taking `part` of a layer is worth: its share of the value left (to the cent), or all of the
 * value when the part empties the layer, so a layer never keeps value without quantity.
 */
export function drawValue(layer: { remainingQuantity: Decimal; remainingValue: Decimal }, part: Decimal): Decimal {
  if (part.gte(layer.remainingQuantity)) return layer.remainingValue;
  return toCent(layer.remainingValue.mul(part).div(layer.remainingQuantity));
}

/**
 * Charges `quantity` to `layers` in the order given (oldest first: FIFO; a moving-average material
 * has one open layer, so this is its average cost). `value` is what leaves stock, to the cent.
 */
export function chargeLayers(layers: readonly ValuedLayer[], quantity: Decimal): { draws: ValuedDraw[]; value: Decimal; uncovered: Decimal } {
  const byId = new Map(layers.map((l) => [l.id, l]));
  const charge = chargeFifo(layers, quantity);
  const draws = charge.draws.map((d) => ({ ...d, value: drawValue(byId.get(d.layerId)!, d.quantity) }));
  return { draws, value: draws.reduce((acc, d) => acc.add(d.value), ZERO), uncovered: charge.uncovered };
}

/**
 * A moving-average layer after `quantity` worth `value` came in: quantities and values add up, the
 * unit cost is their quotient (6 places; null when nothing is left).
 */
export function mergeAverage(open: { remainingQuantity: Decimal; remainingValue: Decimal }, quantity: Decimal, value: Decimal) {
  const remainingQuantity = open.remainingQuantity.add(quantity);
  const remainingValue = open.remainingValue.add(value);
  return { remainingQuantity, remainingValue, unitCost: perUnit(remainingValue, remainingQuantity) };
}

/**
 * The value of a return of `quantity` of what a work order was issued of one lot: the issues' value
 * per unit (to the cent), and exactly what is still charged to the order when the return takes back
 * everything not yet returned, so a lot returned in full leaves no cost on the order.
 */
export function returnValue(
  issued: { quantity: Decimal; value: Decimal },
  returned: { quantity: Decimal; value: Decimal },
  quantity: Decimal,
): Decimal {
  const netQuantity = issued.quantity.sub(returned.quantity);
  const netValue = issued.value.sub(returned.value);
  if (quantity.gte(netQuantity)) return netValue;
  if (issued.quantity.isZero()) return ZERO;
  return Prisma.Decimal.min(netValue, toCent(issued.value.mul(quantity).div(issued.quantity)));
}

/**
 * Splits `total` (to the cent) over `weights` in proportion, by largest remainder: each share is
 * rounded down to the cent, and the cents left go one each to the largest remainders (the first
 * of equal ones), so the shares always add up to the total exactly. Null when the weights add to 0.
 */
export function allocate(total: Decimal, weights: readonly Decimal[]): Decimal[] | null {
  const sum = weights.reduce((acc, w) => acc.add(w), ZERO);
  if (sum.isZero()) return null;
  const cents = toCent(total).abs().mul(100);
  const exact = weights.map((w) => cents.mul(w).div(sum));
  const floors = exact.map((e) => e.floor());
  let left = cents.sub(floors.reduce((acc, f) => acc.add(f), ZERO)).toNumber();
  const order = exact.map((e, i) => ({ i, rest: e.sub(floors[i]!) })).sort((a, b) => b.rest.comparedTo(a.rest) || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i] = floors[i]!.add(1);
    left--;
  }
  const sign = total.isNegative() ? -1 : 1;
  return floors.map((f) => f.div(100).mul(sign));
}

/**
 * A production receipt before its work order is settled (provisional): the order's material cost
 * consumed so far per unit received so far, this receipt included, times this receipt's quantity.
 */
export function provisionalReceiptValue(consumedCost: Decimal, receivedBefore: Decimal, quantity: Decimal): Decimal {
  const received = receivedBefore.add(quantity);
  if (received.lte(0) || consumedCost.lte(0)) return ZERO;
  return toCent(consumedCost.mul(quantity).div(received));
}

/** One production receipt of a work order and what it carries so far (its value plus earlier variances). */
export interface ReceiptBooking {
  id: string;
  quantity: Decimal;
  booked: Decimal;
}

/**
 * Settlement of a work order: its actual cost is apportioned over its receipts by quantity (to the
 * cent, shares adding up to the cost exactly); each receipt's variance is its share less what it
 * carries. Empty when the order received nothing (there is nothing to put the cost on).
 */
export function settlementVariances(actualCost: Decimal, receipts: readonly ReceiptBooking[]): { id: string; target: Decimal; variance: Decimal }[] {
  const targets = allocate(
    actualCost,
    receipts.map((r) => r.quantity),
  );
  if (!targets) return [];
  return receipts.map((r, i) => ({ id: r.id, target: targets[i]!, variance: targets[i]!.sub(r.booked) }));
}

/**
 * The part of a receipt's variance that goes into stock: the receipt's share still on hand
 * (`onHand` of its `quantity`), to the cent, never taking the layer's value below 0. The rest is
 * expensed: the units it belongs to have left stock.
 */
export function capitalisedVariance(variance: Decimal, onHand: Decimal, quantity: Decimal, layerValue: Decimal): Decimal {
  if (quantity.lte(0) || onHand.lte(0)) return ZERO;
  const share = toCent(variance.mul(Prisma.Decimal.min(onHand, quantity)).div(quantity));
  return Prisma.Decimal.max(share, layerValue.neg());
}

/**
 * The value of each stock row (lot at location) of one material at one plant: the plant's value
 * apportioned by quantity (largest remainder, so the rows add up to it exactly). Layers are kept
 * per material and plant, so this is how value follows a transfer. Rows without quantity are worth 0.
 */
export function rowValues(value: Decimal, rows: readonly { id: string; quantity: Decimal }[]): Map<string, Decimal> {
  const shares = allocate(
    value,
    rows.map((r) => Prisma.Decimal.max(r.quantity, ZERO)),
  );
  return new Map(rows.map((r, i) => [r.id, shares?.[i] ?? ZERO]));
}

/**
 * What was consumed, net of returns: the keys (lots of a work order, or work orders of a lot) whose
 * issues (negative quantities) exceed their returns, in order of first issue. A lot returned in full
 * is not consumed; a partial return keeps it.
 */
export function netConsumed<T extends { type: StockTransactionType; quantity: Decimal }>(
  moves: readonly T[],
  keyOf: (t: T) => string | null,
): string[] {
  const net = new Map<string, Decimal>();
  for (const t of moves) {
    const key = keyOf(t);
    if (key === null || (t.type !== "ISSUE" && t.type !== "RETURN")) continue;
    net.set(key, (net.get(key) ?? ZERO).add(t.quantity));
  }
  return [...net].filter(([, q]) => q.lt(0)).map(([key]) => key);
}

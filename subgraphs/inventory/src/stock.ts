import { randomUUID } from "node:crypto";
import { badUserInput, conflict, paginate, type PageArgs } from "@mes/shared";
import { Prisma, type Location, type Lot, type Material, type StockTransactionType } from "./generated/prisma/client.ts";
import type {
  AdjustStockInput,
  IssueStockInput,
  ReceiveStockInput,
  ReturnStockInput,
  ScrapStockInput,
  StockTransactionFilter,
  TransferStockInput,
} from "./resolvers-types.generated.ts";
import type { InventoryDb, InventoryTx } from "./context.ts";
import { evaluateStockAlert, lockMaterialAtPlant } from "./alerts.ts";
import { chargeFifo, perUnit, valueAt } from "./costing.ts";
import { planIssue, reservedAfterIssue } from "./stock-levels.ts";
import { issuePlant, MAX_AMOUNT } from "./stock-input.ts";

const D = (n: number | string | Prisma.Decimal) => new Prisma.Decimal(n);
const ZERO = D(0);

/** What one stock mutation wrote: its transactions, sharing one document id. */
export interface Movement {
  documentId: string;
  type: StockTransactionType;
  transactionIds: string[];
}

interface Context {
  tx: InventoryTx;
  actor: string;
  documentId: string;
  /** The input field a refusal about the quantity moved names (adjustStock's is quantityChange). */
  quantityField: string;
}

async function material(tx: InventoryTx, id: string): Promise<Material> {
  const m = await tx.material.findUnique({ where: { id } });
  if (!m) throw badUserInput(`Material ${id} does not exist`, [{ field: "input.materialId", message: "no such material" }]);
  return m;
}

async function location(tx: InventoryTx, id: string, m: Material, field = "input.locationId"): Promise<Location> {
  const l = await tx.location.findUnique({ where: { id } });
  if (!l || l.organizationId !== m.organizationId) throw badUserInput(`Location ${id} does not exist`, [{ field, message: "no such location" }]);
  return l;
}

async function lotOf(tx: InventoryTx, id: string, m: Material): Promise<Lot> {
  const lot = await tx.lot.findUnique({ where: { id } });
  if (!lot || lot.materialId !== m.id)
    throw badUserInput(`Lot ${id} is not a lot of ${m.code}`, [{ field: "input.lotId", message: "no such lot of this material" }]);
  return lot;
}

/** A lot's stock is only ever at locations of its own plant (receipts and transfers keep it there). */
function requireSamePlant(lot: Lot, loc: Location, field = "input.locationId") {
  if (loc.plantId !== lot.plantId)
    throw badUserInput(`Lot ${lot.lotNumber} is at another plant than location ${loc.code}`, [{ field, message: "another plant" }]);
}

/** Refuses a movement that would take the material's stock at the plant beyond what a quantity column holds. */
async function requireRoomFor(c: Context, m: Material, plantId: string, quantity: Prisma.Decimal) {
  const { _sum } = await c.tx.stock.aggregate({ where: { materialId: m.id, plantId }, _sum: { quantity: true } });
  if ((_sum.quantity ?? ZERO).add(quantity).gte(MAX_AMOUNT))
    throw badUserInput(`${m.code} on hand at this plant would reach ${MAX_AMOUNT}, more than stock can record`, [
      { field: c.quantityField, message: `on hand would reach ${MAX_AMOUNT}` },
    ]);
}

/** Refuses a movement worth more than a transaction records (its NUMERIC(18,4) totalCost). */
function requireRecordableValue(c: Context, value: Prisma.Decimal) {
  if (value.abs().gte(MAX_AMOUNT))
    throw badUserInput(`This movement is worth ${value.abs()}, more than one stock transaction records; move it in parts`, [
      { field: c.quantityField, message: `worth ${MAX_AMOUNT} or more` },
    ]);
}

async function record(c: Context, data: Omit<Prisma.StockTransactionUncheckedCreateInput, "documentId" | "actor">) {
  return c.tx.stockTransaction.create({ data: { ...data, documentId: c.documentId, actor: c.actor } });
}

/** Adds stock and a FIFO cost layer at `unitCost`. */
async function addStock(
  c: Context,
  m: Material,
  lot: Lot,
  loc: Location,
  quantity: Prisma.Decimal,
  unitCost: Prisma.Decimal,
  type: StockTransactionType,
  extra: { workOrderId?: string | null; reason?: string | null },
) {
  const tenant = { organizationId: m.organizationId, plantId: loc.plantId };
  const totalCost = valueAt(quantity, unitCost);
  requireRecordableValue(c, totalCost);
  await requireRoomFor(c, m, loc.plantId, quantity);
  await c.tx.stock.upsert({
    where: { materialId_locationId_lotId: { materialId: m.id, locationId: loc.id, lotId: lot.id } },
    create: { ...tenant, materialId: m.id, locationId: loc.id, lotId: lot.id, quantity },
    update: { quantity: { increment: quantity } },
  });
  const t = await record(c, {
    ...tenant,
    type,
    materialId: m.id,
    lotId: lot.id,
    locationId: loc.id,
    quantity,
    totalCost,
    workOrderId: extra.workOrderId ?? null,
    reason: extra.reason ?? null,
  });
  await c.tx.costLayer.create({
    data: { ...tenant, materialId: m.id, sourceTransactionId: t.id, originalQuantity: quantity, remainingQuantity: quantity, unitCost },
  });
  return t;
}

/**
 * Takes `quantity` out of one stock row and charges it to the oldest cost layers of the material at
 * the plant (FIFO). The decrement is conditional, so stock can never go below zero.
 */
async function takeStock(
  c: Context,
  stockId: string,
  m: Material,
  lotId: string,
  loc: Location,
  quantity: Prisma.Decimal,
  type: StockTransactionType,
  extra: { workOrderId?: string | null; reason?: string | null },
) {
  const taken = await c.tx.stock.updateMany({ where: { id: stockId, quantity: { gte: quantity } }, data: { quantity: { decrement: quantity } } });
  if (taken.count === 0) throw conflict(`Not enough ${m.code} in stock at ${loc.code}; it changed meanwhile, try again`);
  const layers = await c.tx.costLayer.findMany({
    where: { materialId: m.id, plantId: loc.plantId, remainingQuantity: { gt: 0 } },
    orderBy: [{ receivedAt: "asc" }, { id: "asc" }],
  });
  const charge = chargeFifo(layers, quantity);
  // Stock and layers move together, so this only happens if the books were edited by hand.
  if (charge.uncovered.gt(0))
    throw new Error(`cost layers of ${m.code} at plant ${loc.plantId} cover ${quantity.sub(charge.uncovered)} of ${quantity}`);
  requireRecordableValue(c, charge.cost.toDecimalPlaces(4));
  for (const draw of charge.draws) {
    await c.tx.costLayer.update({ where: { id: draw.layerId }, data: { remainingQuantity: { decrement: draw.quantity } } });
  }
  return record(c, {
    organizationId: m.organizationId,
    plantId: loc.plantId,
    type,
    materialId: m.id,
    lotId,
    locationId: loc.id,
    quantity: quantity.neg(),
    totalCost: charge.cost.toDecimalPlaces(4).neg(),
    workOrderId: extra.workOrderId ?? null,
    reason: extra.reason ?? null,
    consumptions: { create: charge.draws },
  });
}

async function finish(c: Context, type: StockTransactionType, ids: string[], m: Material, plantId: string): Promise<Movement> {
  await evaluateStockAlert(c.tx, m.id, plantId);
  return { documentId: c.documentId, type, transactionIds: ids };
}

const begin = (tx: InventoryTx, actor: string, quantityField = "input.quantity"): Context => ({ tx, actor, documentId: randomUUID(), quantityField });

/** A cost layer's unit cost is NUMERIC(18,6): below 10^12. */
const MAX_UNIT_COST = 1e12;

/**
 * RECEIPT: from a supplier, or (with workOrderId) the output of a work order, which records the lot
 * as produced by it for genealogy. A production receipt without a unit cost is valued at the work
 * order's material cost per unit received.
 */
export async function receive(tx: InventoryTx, input: ReceiveStockInput, actor: string): Promise<Movement> {
  const c = begin(tx, actor);
  const m = await material(tx, input.materialId);
  const loc = await location(tx, input.locationId, m);
  await lockMaterialAtPlant(tx, m.id, loc.plantId);
  let unitCost: Prisma.Decimal;
  if (input.unitCost != null) unitCost = D(input.unitCost);
  // A receipt's quantity is positive (validated), so the per-unit cost exists.
  else if (input.workOrderId) {
    unitCost = perUnit(await workOrderMaterialCost(tx, input.workOrderId), D(input.quantity)) ?? ZERO;
    if (unitCost.abs().gte(MAX_UNIT_COST))
      throw badUserInput(`The work order's material cost per unit received would be ${unitCost}; give unitCost`, [
        { field: "input.unitCost", message: "is required: the work order's material cost per unit is beyond what a cost layer records" },
      ]);
  } else throw badUserInput("unitCost is required for a receipt from a supplier", [{ field: "input.unitCost", message: "is required" }]);
  const lot = await tx.lot.upsert({
    where: { organizationId_materialId_lotNumber: { organizationId: m.organizationId, materialId: m.id, lotNumber: input.lotNumber } },
    create: {
      organizationId: m.organizationId,
      plantId: loc.plantId,
      materialId: m.id,
      lotNumber: input.lotNumber,
      supplier: input.supplier ?? null,
      expiresAt: input.expiresAt ?? null,
      producedByWorkOrderId: input.workOrderId ?? null,
    },
    update: {},
  });
  if (lot.plantId !== loc.plantId)
    throw badUserInput(`Lot ${lot.lotNumber} is at another plant`, [{ field: "input.lotNumber", message: "lot is at another plant" }]);
  if ((lot.producedByWorkOrderId ?? null) !== (input.workOrderId ?? null)) {
    throw conflict(
      `Lot ${lot.lotNumber} already exists ${lot.producedByWorkOrderId ? "as the output of another work order" : "as a supplier lot"}; use a new lot number`,
    );
  }
  const t = await addStock(c, m, lot, loc, D(input.quantity), unitCost, "RECEIPT", { workOrderId: input.workOrderId });
  return finish(c, "RECEIPT", [t.id], m, loc.plantId);
}

/** ISSUE to a work order: picks the oldest available lots first, costs at the oldest layers (FIFO). */
export async function issue(tx: InventoryTx, input: IssueStockInput, actor: string): Promise<Movement> {
  const c = begin(tx, actor);
  const m = await material(tx, input.materialId);
  const loc = input.locationId ? await location(tx, input.locationId, m) : null;
  const lot = input.lotId ? await lotOf(tx, input.lotId, m) : null;
  const plantId = issuePlant({ plantId: input.plantId, locationPlantId: loc?.plantId, lotPlantId: lot?.plantId });
  await lockMaterialAtPlant(tx, m.id, plantId);
  // Read under the lock holdLot takes too: a hold placed while this issue waited counts.
  const held = lot && (await tx.lot.findUniqueOrThrow({ where: { id: lot.id } }));
  if (held?.status === "ON_HOLD") throw conflict(`Lot ${held.lotNumber} is on hold (${held.holdReason}); it cannot be issued`);
  const rows = await tx.stock.findMany({
    where: {
      materialId: m.id,
      plantId,
      quantity: { gt: 0 },
      ...(loc ? { locationId: loc.id } : {}),
      ...(lot ? { lotId: lot.id } : { lot: { status: "AVAILABLE" } }),
    },
    include: { lot: true, location: true },
    orderBy: [{ lot: { receivedAt: "asc" } }, { lotId: "asc" }, { location: { code: "asc" } }],
  });
  const wanted = D(input.quantity);
  const { there, takes } = planIssue(rows, wanted);
  if (there.lt(wanted)) {
    const where = [loc && `location ${loc.code}`, lot && `lot ${lot.lotNumber}`].filter(Boolean).join(", ") || "this plant";
    throw conflict(`Only ${there} ${m.unitOfMeasure} of ${m.code} can be issued from ${where}; ${wanted} requested`, { available: there.toNumber() });
  }
  const ids: string[] = [];
  for (const { row, quantity } of takes) {
    ids.push((await takeStock(c, row.id, m, row.lotId, row.location, quantity, "ISSUE", { workOrderId: input.workOrderId })).id);
  }
  // What is issued to the order no longer needs to be reserved for it.
  const reservation = await tx.reservation.findUnique({ where: { workOrderId_materialId: { workOrderId: input.workOrderId, materialId: m.id } } });
  if (reservation)
    await tx.reservation.update({ where: { id: reservation.id }, data: { quantity: reservedAfterIssue(reservation.quantity, wanted) } });
  return finish(c, "ISSUE", ids, m, plantId);
}

/** RETURN from a work order: back into stock at the cost it was issued at. */
export async function returnToStock(tx: InventoryTx, input: ReturnStockInput, actor: string): Promise<Movement> {
  const c = begin(tx, actor);
  const m = await material(tx, input.materialId);
  const lot = await lotOf(tx, input.lotId, m);
  const loc = await location(tx, input.locationId, m);
  if (loc.plantId !== lot.plantId)
    throw badUserInput("Return the lot to a location of its own plant", [{ field: "input.locationId", message: "another plant" }]);
  await lockMaterialAtPlant(tx, m.id, loc.plantId);
  const issuedCost = (
    await tx.stockTransaction.aggregate({
      where: { workOrderId: input.workOrderId, lotId: lot.id, type: "ISSUE" },
      _sum: { quantity: true, totalCost: true },
    })
  )._sum;
  // Never issued to it: the work order is what is wrong, not the quantity.
  if (!issuedCost.quantity || issuedCost.quantity.isZero())
    throw badUserInput(`Nothing of lot ${lot.lotNumber} was issued to work order ${input.workOrderId}`, [
      { field: "input.workOrderId", message: "this lot was never issued to it" },
    ]);
  const moved = await tx.stockTransaction.aggregate({
    where: { workOrderId: input.workOrderId, lotId: lot.id, type: { in: ["ISSUE", "RETURN"] } },
    _sum: { quantity: true },
  });
  const netIssued = (moved._sum.quantity ?? ZERO).neg();
  const quantity = D(input.quantity);
  if (netIssued.lt(quantity)) {
    throw badUserInput(`Only ${netIssued} of lot ${lot.lotNumber} is issued to this work order and not returned; ${quantity} cannot be returned`, [
      { field: "input.quantity", message: "more than was issued" },
    ]);
  }
  // Some of it was issued (checked above), so the issues' quantity is not zero.
  const unitCost = perUnit(issuedCost.totalCost ?? ZERO, issuedCost.quantity ?? ZERO) ?? ZERO;
  const t = await addStock(c, m, lot, loc, quantity, unitCost, "RETURN", { workOrderId: input.workOrderId });
  return finish(c, "RETURN", [t.id], m, loc.plantId);
}

/** ADJUSTMENT after a count: up at a unit cost (default: the newest layer's), down at FIFO cost. */
export async function adjust(tx: InventoryTx, input: AdjustStockInput, actor: string): Promise<Movement> {
  const c = begin(tx, actor, "input.quantityChange");
  const m = await material(tx, input.materialId);
  const lot = await lotOf(tx, input.lotId, m);
  const loc = await location(tx, input.locationId, m);
  requireSamePlant(lot, loc);
  await lockMaterialAtPlant(tx, m.id, loc.plantId);
  const change = D(input.quantityChange);
  if (change.gt(0)) {
    let unitCost = input.unitCost != null ? D(input.unitCost) : null;
    if (!unitCost) {
      const newest = await tx.costLayer.findFirst({
        where: { materialId: m.id, plantId: loc.plantId },
        orderBy: [{ receivedAt: "desc" }, { id: "desc" }],
      });
      if (!newest)
        throw badUserInput(`No cost is known for ${m.code} at this plant; give unitCost`, [{ field: "input.unitCost", message: "is required" }]);
      unitCost = newest.unitCost;
    }
    const t = await addStock(c, m, lot, loc, change, unitCost, "ADJUSTMENT", { reason: input.reason });
    return finish(c, "ADJUSTMENT", [t.id], m, loc.plantId);
  }
  return takeFromRow(c, m, lot, loc, change.neg(), "ADJUSTMENT", input.reason);
}

async function takeFromRow(c: Context, m: Material, lot: Lot, loc: Location, quantity: Prisma.Decimal, type: StockTransactionType, reason: string) {
  const row = await c.tx.stock.findUnique({ where: { materialId_locationId_lotId: { materialId: m.id, locationId: loc.id, lotId: lot.id } } });
  if (!row || row.quantity.lt(quantity)) {
    throw conflict(`Only ${row?.quantity ?? 0} ${m.unitOfMeasure} of lot ${lot.lotNumber} is at ${loc.code}; ${quantity} cannot be taken out`, {
      available: row?.quantity.toNumber() ?? 0,
    });
  }
  const t = await takeStock(c, row.id, m, lot.id, loc, quantity, type, { reason });
  return finish(c, type, [t.id], m, loc.plantId);
}

export async function scrap(tx: InventoryTx, input: ScrapStockInput, actor: string): Promise<Movement> {
  const c = begin(tx, actor);
  const m = await material(tx, input.materialId);
  const lot = await lotOf(tx, input.lotId, m);
  const loc = await location(tx, input.locationId, m);
  requireSamePlant(lot, loc);
  await lockMaterialAtPlant(tx, m.id, loc.plantId);
  return takeFromRow(c, m, lot, loc, D(input.quantity), "SCRAP", input.reason);
}

/** TRANSFER between locations of one plant: stock moves, its value stays in the same layers. */
export async function transfer(tx: InventoryTx, input: TransferStockInput, actor: string): Promise<Movement> {
  const c = begin(tx, actor);
  const m = await material(tx, input.materialId);
  const lot = await lotOf(tx, input.lotId, m);
  const from = await location(tx, input.fromLocationId, m, "input.fromLocationId");
  const to = await location(tx, input.toLocationId, m, "input.toLocationId");
  requireSamePlant(lot, from, "input.fromLocationId");
  if (from.id === to.id)
    throw badUserInput("fromLocationId and toLocationId are the same", [{ field: "input.toLocationId", message: "must differ from fromLocationId" }]);
  if (from.plantId !== to.plantId)
    throw badUserInput("Transfers between plants are not supported; ship and receive instead", [
      { field: "input.toLocationId", message: "at another plant" },
    ]);
  await lockMaterialAtPlant(tx, m.id, from.plantId);
  const quantity = D(input.quantity);
  const taken = await tx.stock.updateMany({
    where: { materialId: m.id, locationId: from.id, lotId: lot.id, quantity: { gte: quantity } },
    data: { quantity: { decrement: quantity } },
  });
  if (taken.count === 0) throw conflict(`Not enough of lot ${lot.lotNumber} at ${from.code} to transfer ${quantity}`);
  await tx.stock.upsert({
    where: { materialId_locationId_lotId: { materialId: m.id, locationId: to.id, lotId: lot.id } },
    create: { organizationId: m.organizationId, plantId: to.plantId, materialId: m.id, locationId: to.id, lotId: lot.id, quantity },
    update: { quantity: { increment: quantity } },
  });
  const t = await record(c, {
    organizationId: m.organizationId,
    plantId: from.plantId,
    type: "TRANSFER",
    materialId: m.id,
    lotId: lot.id,
    locationId: from.id,
    toLocationId: to.id,
    quantity: quantity.neg(),
    totalCost: ZERO,
  });
  return { documentId: c.documentId, type: "TRANSFER", transactionIds: [t.id] };
}

/** Material cost of a work order: what was issued to it at FIFO cost, less what came back. */
export async function workOrderMaterialCost(tx: InventoryTx, workOrderId: string): Promise<Prisma.Decimal> {
  const sum = await tx.stockTransaction.aggregate({ where: { workOrderId, type: { in: ["ISSUE", "RETURN"] } }, _sum: { totalCost: true } });
  return (sum._sum.totalCost ?? ZERO).neg();
}

/** Stock transactions, newest first; the filter's ids are valid UUIDs. */
export function transactionPage(db: InventoryDb, filter: StockTransactionFilter, page: PageArgs) {
  const where: Prisma.StockTransactionWhereInput = {
    ...(filter.plantId ? { plantId: filter.plantId } : {}),
    ...(filter.materialId ? { materialId: filter.materialId } : {}),
    ...(filter.lotId ? { lotId: filter.lotId } : {}),
    ...(filter.workOrderId ? { workOrderId: filter.workOrderId } : {}),
    ...(filter.type?.length ? { type: { in: filter.type } } : {}),
  };
  return paginate(
    page,
    (w) => db.stockTransaction.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "asc" }], ...w }),
    () => db.stockTransaction.count({ where }),
  );
}

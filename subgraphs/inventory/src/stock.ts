import { randomUUID } from "node:crypto";
import { badUserInput, conflict } from "@mes/shared";
import { Prisma, type Location, type Lot, type Material, type StockTransactionType } from "./generated/prisma/client.ts";
import type {
  AdjustStockInput,
  IssueStockInput,
  ReceiveStockInput,
  ReturnStockInput,
  ScrapStockInput,
  TransferStockInput,
} from "./resolvers-types.generated.ts";
import type { InventoryTx } from "./context.ts";
import { evaluateStockAlert, lockMaterialAtPlant } from "./alerts.ts";
import { perUnit, provisionalReceiptValue, returnValue, valueAt } from "./costing.ts";
import { addToLayers, takeFromLayers } from "./layers.ts";
import { lockWorkOrderCost, receivedQuantity, resettleIfSettled, workOrderMaterialCost } from "./settlement.ts";
import { planIssue, reservedAfterIssue } from "./stock-levels.ts";
import { issuePlant, MAX_AMOUNT } from "./stock-input.ts";
import { settleLotStatuses } from "./lots.ts";

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
  /** The lots this movement has moved (their status is settled at its end). */
  lots: Set<string>;
}

/** The material, read under a share lock: its costing method cannot change until this movement commits (updateMaterial). */
async function material(tx: InventoryTx, id: string): Promise<Material> {
  await tx.$executeRaw`SELECT 1 FROM "Material" WHERE id = ${id}::uuid FOR SHARE`;
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
  c.lots.add(data.lotId);
  return c.tx.stockTransaction.create({ data: { ...data, documentId: c.documentId, actor: c.actor } });
}

/** Adds stock worth `totalCost` (to the cent) into the material's cost layers (by its costing method). */
async function addStock(
  c: Context,
  m: Material,
  lot: Lot,
  loc: Location,
  quantity: Prisma.Decimal,
  value: { totalCost: Prisma.Decimal; unitCost: Prisma.Decimal | null },
  type: StockTransactionType,
  extra: { workOrderId?: string | null; reason?: string | null },
) {
  const tenant = { organizationId: m.organizationId, plantId: loc.plantId };
  const { totalCost } = value;
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
  await addToLayers(c.tx, m, loc.plantId, t.id, quantity, totalCost, value.unitCost);
  return t;
}

/**
 * Takes `quantity` out of one stock row and charges it to the material's cost layers at the plant
 * (oldest first; the average for a moving-average material). The decrement is conditional, so
 * stock can never go below zero.
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
  const charge = await takeFromLayers(c.tx, m, loc.plantId, quantity);
  // Stock and layers move together, so this only happens if the books were edited by hand.
  if (charge.uncovered.gt(0))
    throw new Error(`cost layers of ${m.code} at plant ${loc.plantId} cover ${quantity.sub(charge.uncovered)} of ${quantity}`);
  requireRecordableValue(c, charge.value);
  return record(c, {
    organizationId: m.organizationId,
    plantId: loc.plantId,
    type,
    materialId: m.id,
    lotId,
    locationId: loc.id,
    quantity: quantity.neg(),
    totalCost: charge.value.neg(),
    workOrderId: extra.workOrderId ?? null,
    reason: extra.reason ?? null,
    consumptions: { create: charge.draws },
  });
}

async function finish(c: Context, type: StockTransactionType, ids: string[], m: Material, plantId: string): Promise<Movement> {
  await settleLotStatuses(c.tx, [...c.lots]);
  await evaluateStockAlert(c.tx, m.id, plantId);
  return { documentId: c.documentId, type, transactionIds: ids };
}

const begin = (tx: InventoryTx, actor: string, quantityField = "input.quantity"): Context => ({
  tx,
  actor,
  documentId: randomUUID(),
  quantityField,
  lots: new Set(),
});

/** A cost layer's unit cost is NUMERIC(18,6): below 10^12. */
const MAX_UNIT_COST = 1e12;

/**
 * RECEIPT: from a supplier, or (with workOrderId) the output of a work order, which records the lot
 * as produced by it for genealogy. A production receipt without a unit cost is valued provisionally
 * (material cost consumed so far / quantity received so far); a settled order settles again.
 */
export async function receive(tx: InventoryTx, input: ReceiveStockInput, actor: string): Promise<Movement> {
  const c = begin(tx, actor);
  const m = await material(tx, input.materialId);
  const loc = await location(tx, input.locationId, m);
  if (input.workOrderId) await lockWorkOrderCost(tx, input.workOrderId);
  await lockMaterialAtPlant(tx, m.id, loc.plantId);
  const quantity = D(input.quantity);
  let unitCost: Prisma.Decimal;
  let totalCost: Prisma.Decimal;
  if (input.unitCost != null) {
    unitCost = D(input.unitCost);
    totalCost = valueAt(quantity, unitCost);
  } else if (input.workOrderId) {
    const [consumed, before] = [await workOrderMaterialCost(tx, input.workOrderId), await receivedQuantity(tx, input.workOrderId)];
    totalCost = provisionalReceiptValue(consumed, before, quantity);
    // A receipt's quantity is positive (validated), so the per-unit cost exists.
    unitCost = perUnit(totalCost, quantity) ?? ZERO;
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
  const t = await addStock(c, m, lot, loc, quantity, { totalCost, unitCost }, "RECEIPT", { workOrderId: input.workOrderId });
  if (input.workOrderId) await resettleIfSettled(tx, input.workOrderId, actor);
  return finish(c, "RECEIPT", [t.id], m, loc.plantId);
}

/** ISSUE to a work order: picks the oldest available lots first, costs at the oldest layers (FIFO). */
export async function issue(tx: InventoryTx, input: IssueStockInput, actor: string): Promise<Movement> {
  const c = begin(tx, actor);
  const m = await material(tx, input.materialId);
  const loc = input.locationId ? await location(tx, input.locationId, m) : null;
  const lot = input.lotId ? await lotOf(tx, input.lotId, m) : null;
  const plantId = issuePlant({ plantId: input.plantId, locationPlantId: loc?.plantId, lotPlantId: lot?.plantId });
  await lockWorkOrderCost(tx, input.workOrderId);
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
      ...(lot ? { lotId: lot.id } : { lot: { status: { not: "ON_HOLD" } } }),
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
  await resettleIfSettled(tx, input.workOrderId, actor);
  return finish(c, "ISSUE", ids, m, plantId);
}

/** RETURN from a work order: back into stock at the value it was issued at (all of what is left when returned in full). */
export async function returnToStock(tx: InventoryTx, input: ReturnStockInput, actor: string): Promise<Movement> {
  const c = begin(tx, actor);
  const m = await material(tx, input.materialId);
  const lot = await lotOf(tx, input.lotId, m);
  const loc = await location(tx, input.locationId, m);
  if (loc.plantId !== lot.plantId)
    throw badUserInput("Return the lot to a location of its own plant", [{ field: "input.locationId", message: "another plant" }]);
  await lockWorkOrderCost(tx, input.workOrderId);
  await lockMaterialAtPlant(tx, m.id, loc.plantId);
  const sums = async (type: "ISSUE" | "RETURN") =>
    (
      await tx.stockTransaction.aggregate({
        where: { workOrderId: input.workOrderId, lotId: lot.id, type },
        _sum: { quantity: true, totalCost: true },
      })
    )._sum;
  const [issuedSum, returnedSum] = [await sums("ISSUE"), await sums("RETURN")];
  // Never issued to it: the work order is what is wrong, not the quantity.
  if (!issuedSum.quantity || issuedSum.quantity.isZero())
    throw badUserInput(`Nothing of lot ${lot.lotNumber} was issued to work order ${input.workOrderId}`, [
      { field: "input.workOrderId", message: "this lot was never issued to it" },
    ]);
  // Issues are negative out of stock; returns positive.
  const issued = { quantity: issuedSum.quantity.neg(), value: (issuedSum.totalCost ?? ZERO).neg() };
  const returned = { quantity: returnedSum.quantity ?? ZERO, value: returnedSum.totalCost ?? ZERO };
  const netIssued = issued.quantity.sub(returned.quantity);
  const quantity = D(input.quantity);
  if (netIssued.lt(quantity)) {
    throw badUserInput(`Only ${netIssued} of lot ${lot.lotNumber} is issued to this work order and not returned; ${quantity} cannot be returned`, [
      { field: "input.quantity", message: "more than was issued" },
    ]);
  }
  const totalCost = returnValue(issued, returned, quantity);
  const t = await addStock(c, m, lot, loc, quantity, { totalCost, unitCost: perUnit(totalCost, quantity) }, "RETURN", {
    workOrderId: input.workOrderId,
  });
  await resettleIfSettled(tx, input.workOrderId, actor);
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
    const t = await addStock(c, m, lot, loc, change, { totalCost: valueAt(change, unitCost), unitCost }, "ADJUSTMENT", { reason: input.reason });
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

import { appendEvent, type RawSqlClient } from "@mes/shared";
import { Prisma, type StockAlertSeverity } from "./generated/prisma/client.ts";

export type Tx = Prisma.TransactionClient & RawSqlClient;

/**
 * Serializes every stock change of one material at one plant until commit: the availability
 * check of an issue, its FIFO layer consumption and the alert decision all see one consistent state.
 */
export async function lockMaterialAtPlant(tx: Tx, materialId: string, plantId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`stock:${materialId}:${plantId}`}))`;
}

export async function availability(tx: Tx, materialId: string, plantId: string) {
  const [onHand, reserved] = await Promise.all([
    tx.stock.aggregate({ where: { materialId, plantId }, _sum: { quantity: true } }),
    tx.reservation.aggregate({ where: { materialId, plantId }, _sum: { quantity: true } }),
  ]);
  const on = onHand._sum.quantity ?? new Prisma.Decimal(0);
  const res = reserved._sum.quantity ?? new Prisma.Decimal(0);
  return { onHand: on, reserved: res, available: on.sub(res) };
}

export function severityOf(available: Prisma.Decimal, reorderPoint: Prisma.Decimal, safetyStock: Prisma.Decimal): StockAlertSeverity | null {
  if (available.lte(0)) return "STOCKOUT";
  if (available.lt(safetyStock)) return "BELOW_SAFETY_STOCK";
  if (available.lt(reorderPoint)) return "BELOW_REORDER_POINT";
  return null;
}

/**
 * After a change of on-hand or reserved quantity: opens an alert (one LowStockAlert event) when
 * the available quantity crosses below the reorder point, keeps it (updating its severity, no new
 * event) while it stays below, and clears it (one Restocked event) when it climbs back.
 * Callers hold lockMaterialAtPlant.
 */
export async function evaluateStockAlert(tx: Tx, materialId: string, plantId: string): Promise<void> {
  const material = await tx.material.findUniqueOrThrow({ where: { id: materialId } });
  const { onHand, reserved, available } = await availability(tx, materialId, plantId);
  const severity = severityOf(available, material.reorderPoint, material.safetyStock);
  const open = await tx.stockAlert.findFirst({ where: { materialId, plantId, clearedAt: null } });
  const payload = {
    materialId, plantId, code: material.code, available: available.toString(), onHand: onHand.toString(), reserved: reserved.toString(),
    reorderPoint: material.reorderPoint.toString(), safetyStock: material.safetyStock.toString(),
  };
  if (severity && !open) {
    const alert = await tx.stockAlert.create({ data: { organizationId: material.organizationId, plantId, materialId, severity, available } });
    await appendEvent(tx, { organizationId: material.organizationId, plantId, type: "LowStockAlert", aggregateId: materialId, payload: { ...payload, alertId: alert.id, severity } });
  } else if (severity && open) {
    if (open.severity !== severity || !open.available.eq(available)) await tx.stockAlert.update({ where: { id: open.id }, data: { severity, available } });
  } else if (!severity && open) {
    await tx.stockAlert.update({ where: { id: open.id }, data: { clearedAt: new Date(), available } });
    await appendEvent(tx, { organizationId: material.organizationId, plantId, type: "Restocked", aggregateId: materialId, payload: { ...payload, alertId: open.id } });
  }
}

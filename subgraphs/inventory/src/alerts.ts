import { appendEvent, orderByOf, paginate, type OrderArg, type PageArgs, clockNow } from "@mes/shared";
import type { Prisma, StockAlertSeverity } from "./generated/prisma/client.ts";
import type { InventoryDb, InventoryTx } from "./context.ts";
import { alertChange, availabilityOf, severityOf, type Availability } from "./stock-levels.ts";

/**
 * Serializes every stock change of one material at one plant until commit: the availability
 * check of an issue, its FIFO layer consumption and the alert decision all see one consistent state.
 */
export async function lockMaterialAtPlant(tx: InventoryTx, materialId: string, plantId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`stock:${materialId}:${plantId}`}))`;
}

export async function availability(tx: InventoryTx, materialId: string, plantId: string): Promise<Availability> {
  const [onHand, reserved] = await Promise.all([
    tx.stock.aggregate({ where: { materialId, plantId }, _sum: { quantity: true } }),
    tx.reservation.aggregate({ where: { materialId, plantId }, _sum: { quantity: true } }),
  ]);
  return availabilityOf(onHand._sum.quantity, reserved._sum.quantity);
}

/**
 * After a change of on-hand or reserved quantity: opens an alert (one LowStockAlert event) when
 * the available quantity crosses below the reorder point, keeps it (updating its severity, no new
 * event) while it stays below, and clears it (one Restocked event) when it climbs back.
 * Callers hold lockMaterialAtPlant.
 */
export async function evaluateStockAlert(tx: InventoryTx, materialId: string, plantId: string): Promise<void> {
  const material = await tx.material.findUniqueOrThrow({ where: { id: materialId } });
  const { onHand, reserved, available } = await availability(tx, materialId, plantId);
  const severity = severityOf(available, material.reorderPoint, material.safetyStock);
  const open = await tx.stockAlert.findFirst({ where: { materialId, plantId, clearedAt: null } });
  const level = {
    materialId,
    plantId,
    code: material.code,
    available: available.toString(),
    onHand: onHand.toString(),
    reserved: reserved.toString(),
    reorderPoint: material.reorderPoint.toString(),
    safetyStock: material.safetyStock.toString(),
  };
  const event = { organizationId: material.organizationId, plantId, aggregateId: materialId };
  const change = alertChange(open, severity, available);
  if (change.kind === "open") {
    const alert = await tx.stockAlert.create({
      data: { organizationId: material.organizationId, plantId, materialId, severity: change.severity, available },
    });
    await appendEvent(tx, { ...event, type: "LowStockAlert", payload: { ...level, alertId: alert.id, severity: change.severity } });
  } else if (change.kind === "update") {
    await tx.stockAlert.update({ where: { id: change.alert.id }, data: { severity: change.severity, available } });
  } else if (change.kind === "clear") {
    await tx.stockAlert.update({ where: { id: change.alert.id }, data: { clearedAt: clockNow(), available } });
    await appendEvent(tx, { ...event, type: "Restocked", payload: { ...level, alertId: change.alert.id } });
  }
}

const ALERT_ORDER = { SEVERITY: "severity", OPENED_AT: "openedAt", AVAILABLE: "available" } as const;

/**
 * Open low-stock alerts, most severe first (oldest first within a severity: the database's enum
 * order is the severity order, see mostSevereFirst) unless `orderBy` says otherwise. Ids are valid.
 */
export function openAlertPage(
  db: InventoryDb,
  filter: { plantId: string | null; materialId: string | null; severity: StockAlertSeverity[] | null },
  orderBy: OrderArg<keyof typeof ALERT_ORDER> | null | undefined,
  page: PageArgs,
) {
  const where: Prisma.StockAlertWhereInput = {
    clearedAt: null,
    ...(filter.plantId ? { plantId: filter.plantId } : {}),
    ...(filter.materialId ? { materialId: filter.materialId } : {}),
    ...(filter.severity?.length ? { severity: { in: filter.severity } } : {}),
  };
  const order = orderByOf(orderBy, ALERT_ORDER, [{ severity: "desc" }, { openedAt: "asc" }, { id: "asc" }]);
  return paginate(
    page,
    (w) => db.stockAlert.findMany({ where, orderBy: order, ...w }),
    () => db.stockAlert.count({ where }),
  );
}

import { badUserInput, plantFilter, type Tenant } from "@mes/shared";
import { Prisma } from "./generated/prisma/client.ts";
import type { InventoryDb } from "./context.ts";

/** One lot found by a genealogy query, with the work order that links it and how far away it is. */
export interface GenealogyLink {
  depth: number;
  lotId: string;
  workOrderId: string;
}

export const MAX_GENEALOGY_DEPTH = 100;

/** The depth a genealogy query may go to: the default when not given, else 1 to MAX_GENEALOGY_DEPTH. */
export function genealogyDepth(maxDepth?: number | null): number {
  const depth = maxDepth ?? MAX_GENEALOGY_DEPTH;
  if (!Number.isInteger(depth) || depth < 1 || depth > MAX_GENEALOGY_DEPTH) {
    throw badUserInput(`maxDepth must be between 1 and ${MAX_GENEALOGY_DEPTH}`, [
      { field: "maxDepth", message: `must be between 1 and ${MAX_GENEALOGY_DEPTH}` },
    ]);
  }
  return depth;
}

// Raw SQL is outside the scoped Prisma client: each query filters by the caller's tenant itself.

/**
 * The issue `t` still counts as consumption: its work order's issues of its lot exceed the returns
 * of it (a lot returned in full is no input; a partial return keeps it). Uses the work order index.
 */
const NET_CONSUMED = Prisma.sql`(SELECT sum(n.quantity) FROM "StockTransaction" n
   WHERE n."workOrderId" = t."workOrderId" AND n."lotId" = t."lotId" AND n.type IN ('ISSUE', 'RETURN')) < 0`;

/**
 * Ancestors of a lot: the lots its producing work order consumed, net of returns (depth 1), the lots their producing
 * work orders consumed (depth 2), and so on. Each link names the work order that consumed the lot.
 */
export async function ancestors(db: InventoryDb, tenant: Tenant, lotId: string, maxDepth: number): Promise<GenealogyLink[]> {
  return db.$queryRaw<GenealogyLink[]>`
    WITH RECURSIVE up(lot_id, work_order_id, depth) AS (
      SELECT t."lotId", t."workOrderId", 1
        FROM "Lot" l JOIN "StockTransaction" t ON t."workOrderId" = l."producedByWorkOrderId" AND t.type = 'ISSUE'
       WHERE l.id = ${lotId}::uuid AND ${NET_CONSUMED}
      UNION
      SELECT t."lotId", t."workOrderId", up.depth + 1
        FROM up JOIN "Lot" l ON l.id = up.lot_id
        JOIN "StockTransaction" t ON t."workOrderId" = l."producedByWorkOrderId" AND t.type = 'ISSUE'
       WHERE up.depth < ${maxDepth} AND ${NET_CONSUMED}
    )
    SELECT g.lot_id::text AS "lotId", g.work_order_id::text AS "workOrderId", g.depth
      FROM (SELECT lot_id, work_order_id, min(depth)::int AS depth FROM up GROUP BY lot_id, work_order_id) g
      JOIN "Lot" l ON l.id = g.lot_id
     WHERE l."organizationId" = ${tenant.organizationId}::uuid
       AND (${plantFilter(tenant)}::uuid[] IS NULL OR l."plantId" = ANY(${plantFilter(tenant)}::uuid[]))
     ORDER BY g.depth, l."lotNumber", g.work_order_id`;
}

/**
 * Descendants of a lot (the recall query): lots made by the work orders that consumed it, lots made
 * from those, and so on. Each link names the work order that produced the lot.
 */
export async function descendants(db: InventoryDb, tenant: Tenant, lotId: string, maxDepth: number): Promise<GenealogyLink[]> {
  return db.$queryRaw<GenealogyLink[]>`
    WITH RECURSIVE down(lot_id, work_order_id, depth) AS (
      SELECT p.id, t."workOrderId", 1
        FROM "StockTransaction" t JOIN "Lot" p ON p."producedByWorkOrderId" = t."workOrderId"
       WHERE t."lotId" = ${lotId}::uuid AND t.type = 'ISSUE' AND ${NET_CONSUMED}
      UNION
      SELECT p.id, t."workOrderId", down.depth + 1
        FROM down JOIN "StockTransaction" t ON t."lotId" = down.lot_id AND t.type = 'ISSUE'
        JOIN "Lot" p ON p."producedByWorkOrderId" = t."workOrderId"
       WHERE down.depth < ${maxDepth} AND ${NET_CONSUMED}
    )
    SELECT g.lot_id::text AS "lotId", g.work_order_id::text AS "workOrderId", g.depth
      FROM (SELECT lot_id, work_order_id, min(depth)::int AS depth FROM down GROUP BY lot_id, work_order_id) g
      JOIN "Lot" l ON l.id = g.lot_id
     WHERE l."organizationId" = ${tenant.organizationId}::uuid
       AND (${plantFilter(tenant)}::uuid[] IS NULL OR l."plantId" = ANY(${plantFilter(tenant)}::uuid[]))
     ORDER BY g.depth, l."lotNumber", g.work_order_id`;
}

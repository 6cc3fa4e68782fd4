import { nestedPageLoader, plantFilter, requireWindow, validIds, type NestedPageRow, type Tenant } from "@mes/shared";
import { Prisma, type Lot, type PrismaClient, type Stock } from "./generated/prisma/client.ts";
type InventoryDb = PrismaClient;

// Nested lists that grow with history (a material's, a location's or a lot's stock rows, a
// material's lots), paged: every parent of a tick in one statement, each parent's window and total
// from LATERAL subqueries, so 50 materials asking for 5 lots each is one query.

/** An optional [from, to) range: `to` must be after `from` (BAD_USER_INPUT naming `to`); lists have no span limit. */
export function checkRange(from: Date | null | undefined, to: Date | null | undefined): void {
  if (from && to) requireWindow(from, to, Number.POSITIVE_INFINITY);
}

/** A Prisma filter on an instant column for an optional [from, to) range. */
export const inRange = (from: Date | null | undefined, to: Date | null | undefined) =>
  from || to ? { ...(from ? { gte: from } : {}), ...(to ? { lt: to } : {}) } : undefined;

/** The same in SQL, on column `t.<column>`. */
function rangeSql(column: string, from: Date | null | undefined, to: Date | null | undefined): Prisma.Sql {
  const col = Prisma.raw(`t."${column}"`);
  return Prisma.sql`(${from ?? null}::timestamp IS NULL OR ${col} >= ${from ?? null}::timestamp)
    AND (${to ?? null}::timestamp IS NULL OR ${col} < ${to ?? null}::timestamp)`;
}

interface LateralQuery {
  /** The table (alias t) and its parent column; joins may add aliases the order uses. */
  table: "Stock" | "Lot";
  parentColumn: "materialId" | "locationId" | "lotId";
  joins?: Prisma.Sql;
  where: Prisma.Sql;
  /** ORDER BY of one parent's rows, ending with t.id (constant text, never input). */
  orderBy: string;
}

async function lateralPage<T extends { id: string }>(
  db: InventoryDb,
  tenant: Tenant,
  parentIds: string[],
  q: LateralQuery,
  window: { take: number; skip: number },
): Promise<NestedPageRow<T>[]> {
  const ids = validIds(parentIds);
  if (!ids.length) return [];
  const plants = plantFilter(tenant);
  const table = Prisma.raw(`"${q.table}"`);
  const parent = Prisma.raw(`t."${q.parentColumn}"`);
  const joins = q.joins ?? Prisma.empty;
  // The scoped client cannot see raw SQL: the tenant is added here (row-level security holds too).
  const where = Prisma.sql`${parent} = p.id AND t."organizationId" = ${tenant.organizationId}::uuid
    AND (${plants}::uuid[] IS NULL OR t."plantId" = ANY(${plants}::uuid[])) AND ${q.where}`;
  const rows = await db.$queryRaw<(T & { _parentId: string; _totalCount: bigint; _rn: bigint | null })[]>`
    SELECT p.id::text AS "_parentId", c.n AS "_totalCount", w.* FROM unnest(${ids}::uuid[]) AS p(id)
    CROSS JOIN LATERAL (SELECT count(*) AS n FROM ${table} t WHERE ${where}) c
    LEFT JOIN LATERAL (
      SELECT t.*, row_number() OVER (ORDER BY ${Prisma.raw(q.orderBy)}) AS "_rn" FROM ${table} t ${joins} WHERE ${where}
       ORDER BY ${Prisma.raw(q.orderBy)} LIMIT ${window.take} OFFSET ${window.skip}) w ON true
    ORDER BY p.id, w."_rn"`;
  return rows.map(({ _parentId, _totalCount, _rn, ...row }) => ({
    parentId: _parentId,
    totalCount: Number(_totalCount),
    row: _rn == null ? null : (row as unknown as T),
  }));
}

export interface PlantPageArgs {
  plantId: string | null;
  from?: Date | null;
  to?: Date | null;
}

const plantSql = (plantId: string | null) => Prisma.sql`(${plantId}::uuid IS NULL OR t."plantId" = ${plantId}::uuid)`;

export function nestedLoaders(db: InventoryDb, tenant: Tenant) {
  return {
    /** Material.stock: by plant, location code, oldest lot first. */
    stockOfMaterialPage: nestedPageLoader<PlantPageArgs, Stock>((ids, args, window) =>
      lateralPage(
        db,
        tenant,
        ids,
        {
          table: "Stock",
          parentColumn: "materialId",
          joins: Prisma.sql`JOIN "Location" loc ON loc.id = t."locationId" JOIN "Lot" lot ON lot.id = t."lotId"`,
          where: plantSql(args.plantId),
          orderBy: `t."plantId" ASC, loc.code ASC, lot."receivedAt" ASC, t.id ASC`,
        },
        window,
      ),
    ),
    /** Location.stock: by material code, oldest lot first. */
    stockOfLocationPage: nestedPageLoader<Record<string, never>, Stock>((ids, _args, window) =>
      lateralPage(
        db,
        tenant,
        ids,
        {
          table: "Stock",
          parentColumn: "locationId",
          joins: Prisma.sql`JOIN "Material" m ON m.id = t."materialId" JOIN "Lot" lot ON lot.id = t."lotId"`,
          where: Prisma.sql`true`,
          orderBy: `m.code ASC, lot."receivedAt" ASC, t.id ASC`,
        },
        window,
      ),
    ),
    /** Lot.stock: by location code. */
    stockOfLotPage: nestedPageLoader<Record<string, never>, Stock>((ids, _args, window) =>
      lateralPage(
        db,
        tenant,
        ids,
        {
          table: "Stock",
          parentColumn: "lotId",
          joins: Prisma.sql`JOIN "Location" loc ON loc.id = t."locationId"`,
          where: Prisma.sql`true`,
          orderBy: `loc.code ASC, t.id ASC`,
        },
        window,
      ),
    ),
    /** Material.lots: oldest received first. */
    lotsOfMaterialPage: nestedPageLoader<PlantPageArgs, Lot>((ids, args, window) =>
      lateralPage(
        db,
        tenant,
        ids,
        {
          table: "Lot",
          parentColumn: "materialId",
          where: Prisma.sql`${plantSql(args.plantId)} AND ${rangeSql("receivedAt", args.from, args.to)}`,
          orderBy: `t."receivedAt" ASC, t.id ASC`,
        },
        window,
      ),
    ),
  };
}

import { nestedPageLoader, plantFilter, validIds, type NestedPageRow, type Tenant } from "@mes/shared";
import {
  Prisma,
  type Downtime,
  type MachineStatusChange,
  type MaintenanceOrder,
  type MaintenanceOrderStatus,
  type PrismaClient,
} from "./generated/prisma/client.ts";
type EquipmentDb = PrismaClient;

// A machine's lists that grow with its history (state intervals, downtimes, maintenance orders),
// paged with totals: every machine of a tick in one statement, each machine's window and count from
// LATERAL subqueries, so a page of 40 machines with their histories is one query per list.

/** An optional [from, to) range, already checked (`to` after `from`). */
export interface RangeArgs {
  from: Date | null;
  to: Date | null;
}

export interface OrderPageArgs extends RangeArgs {
  status: MaintenanceOrderStatus[] | null;
}

interface LateralQuery {
  table: "MachineStatusChange" | "Downtime" | "MaintenanceOrder";
  where: Prisma.Sql;
  /** ORDER BY of one machine's rows, ending with t.id (constant text, never input). */
  orderBy: string;
}

async function lateralPage<T>(
  db: EquipmentDb,
  tenant: Tenant,
  machineIds: string[],
  q: LateralQuery,
  window: { take: number; skip: number },
): Promise<NestedPageRow<T>[]> {
  const ids = validIds(machineIds);
  if (!ids.length) return [];
  const plants = plantFilter(tenant);
  const table = Prisma.raw(`"${q.table}"`);
  const order = Prisma.raw(q.orderBy);
  // The scoped client cannot see raw SQL: the tenant is added here (row-level security holds too).
  const where = Prisma.sql`t."machineId" = m.id AND t."organizationId" = ${tenant.organizationId}::uuid
    AND (${plants}::uuid[] IS NULL OR t."plantId" = ANY(${plants}::uuid[])) AND ${q.where}`;
  const rows = await db.$queryRaw<(T & { _machineId: string; _totalCount: bigint; _rn: bigint | null })[]>`
    SELECT m.id::text AS "_machineId", c.n AS "_totalCount", w.* FROM unnest(${ids}::uuid[]) AS m(id)
    CROSS JOIN LATERAL (SELECT count(*) AS n FROM ${table} t WHERE ${where}) c
    LEFT JOIN LATERAL (
      SELECT t.*, row_number() OVER (ORDER BY ${order}) AS "_rn" FROM ${table} t WHERE ${where}
       ORDER BY ${order} LIMIT ${window.take} OFFSET ${window.skip}) w ON true
    ORDER BY m.id, w."_rn"`;
  return rows.map(({ _machineId, _totalCount, _rn, ...row }) => ({
    parentId: _machineId,
    totalCount: Number(_totalCount),
    row: _rn == null ? null : (row as unknown as T),
  }));
}

/** Rows overlapping [from, to): started before `to`, and not ended by `from` (an open one counts). */
const overlapping = ({ from, to }: RangeArgs) =>
  Prisma.sql`(${to}::timestamp IS NULL OR t."startedAt" < ${to}::timestamp)
    AND (${from}::timestamp IS NULL OR t."endedAt" IS NULL OR t."endedAt" > ${from}::timestamp)`;

export function historyLoaders(db: EquipmentDb, tenant: Tenant) {
  return {
    statusHistory: nestedPageLoader<RangeArgs, MachineStatusChange>((ids, args, window) =>
      lateralPage(db, tenant, ids, { table: "MachineStatusChange", where: overlapping(args), orderBy: `t."startedAt" DESC, t.id ASC` }, window),
    ),
    downtimes: nestedPageLoader<RangeArgs, Downtime>((ids, args, window) =>
      lateralPage(db, tenant, ids, { table: "Downtime", where: overlapping(args), orderBy: `t."startedAt" DESC, t.id ASC` }, window),
    ),
    maintenanceOrdersOfMachine: nestedPageLoader<OrderPageArgs, MaintenanceOrder>((ids, args, window) => {
      const status = args.status?.length ? args.status : null;
      const where = Prisma.sql`(${status}::text[] IS NULL OR t."status"::text = ANY(${status}::text[]))
        AND (${args.from}::timestamp IS NULL OR t."createdAt" >= ${args.from}::timestamp)
        AND (${args.to}::timestamp IS NULL OR t."createdAt" < ${args.to}::timestamp)`;
      return lateralPage(db, tenant, ids, { table: "MaintenanceOrder", where, orderBy: `t."createdAt" DESC, t.id ASC` }, window);
    }),
  };
}

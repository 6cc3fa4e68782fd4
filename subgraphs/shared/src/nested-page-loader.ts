// Pages of a nested list (a work order's inspections, an operation's production logs): every parent
// of a long list asks for its own page, so the pages of all parents asked for in one tick are read
// in one statement, however many parents there are.
import DataLoader from "dataloader";
import { badUserInput } from "./errors.ts";
import { isUuid } from "./ids.ts";
import { pageWindow, type Page, type PageArgs } from "./pagination.ts";
import { plantFilter, type Tenant } from "./tenancy.ts";

/** A nested page's arguments: the window and, for events in time, a half-open [from, to) range. */
export interface ChildPageArgs extends PageArgs {
  from?: Date | null;
  to?: Date | null;
}

/** The children's table as SQL knows it. Names come from code, never from input. */
export interface ChildTable {
  table: string;
  /** The column pointing at the parent, e.g. "workOrderId". */
  parentColumn: string;
  /** The instant `from`/`to` apply to, e.g. "inspectedAt"; without one the list takes no range. */
  timeColumn?: string;
  /** ORDER BY of one parent's children on alias t, e.g. `t."at" ASC, t.id ASC`: it must end with t.id so pages never overlap. */
  order: string;
  /** Whether the table has a required plantId column to scope by the caller's plants. */
  plantScoped: boolean;
}

interface RawDb {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): PromiseLike<T>;
}

interface ChildPageKey {
  parentId: string;
  take: number;
  skip: number;
  from: Date | null;
  to: Date | null;
}

/** Checks a nested page's arguments (limit, offset, `to` after `from`): the loader key of one parent's page. */
export function childPageKey(parentId: string, args: ChildPageArgs): ChildPageKey {
  const { take, skip } = pageWindow(args);
  const from = args.from ?? null;
  const to = args.to ?? null;
  if (from && to && !(from < to)) throw badUserInput("to must be after from", [{ field: "to", message: "must be after from" }]);
  return { parentId, take, skip, from, to };
}

const keyOf = (k: ChildPageKey) => JSON.stringify([k.parentId, k.take, k.skip, k.from?.toISOString() ?? null, k.to?.toISOString() ?? null]);
const windowOf = (k: ChildPageKey) => JSON.stringify([k.take, k.skip, k.from?.toISOString() ?? null, k.to?.toISOString() ?? null]);

/**
 * A per-request loader of nested pages: the pages of every parent asked for in one tick with the same
 * window come from one statement (per parent, a LATERAL count and a LATERAL window in the list's
 * order, using the parent's index). Raw SQL is outside the scoped Prisma client, so it filters by the
 * caller's tenant itself (row-level security holds too). Rows come back as the table's columns, which
 * are the Prisma model's scalar fields.
 */
export function childPageLoader<T extends { id: string }>(db: RawDb, tenant: Tenant, table: ChildTable): DataLoader<ChildPageKey, Page<T>, string> {
  return new DataLoader<ChildPageKey, Page<T>, string>(
    async (keys) => {
      const groups = new Map<string, ChildPageKey[]>();
      for (const k of keys) groups.set(windowOf(k), [...(groups.get(windowOf(k)) ?? []), k]);
      const pages = new Map<string, Page<T>>();
      await Promise.all(
        [...groups.values()].map(async (group) => {
          const k = group[0]!;
          const parents = [...new Set(group.map((g) => g.parentId).filter(isUuid))];
          if (!parents.length) return;
          const { where, params } = whereOf(table, tenant, k);
          const n = params.length;
          const rows = await db.$queryRawUnsafe<(T & { _parentId: string; _totalCount: number; _rn: bigint | null })[]>(
            `SELECT p.id::text AS "_parentId", c.n AS "_totalCount", w.* FROM unnest($${n + 1}::uuid[]) AS p(id)
             CROSS JOIN LATERAL (SELECT count(*)::int AS n FROM "${table.table}" t WHERE t."${table.parentColumn}" = p.id AND ${where}) c
             LEFT JOIN LATERAL (
               SELECT t.*, row_number() OVER (ORDER BY ${table.order}) AS "_rn" FROM "${table.table}" t
               WHERE t."${table.parentColumn}" = p.id AND ${where} ORDER BY ${table.order} LIMIT $${n + 2} OFFSET $${n + 3}) w ON true
             ORDER BY p.id, w."_rn"`,
            ...params,
            parents,
            k.take,
            k.skip,
          );
          for (const { _parentId, _totalCount, _rn, ...row } of rows) {
            const key = `${windowOf(k)}|${_parentId}`;
            const page = pages.get(key) ?? { items: [], totalCount: _totalCount, limit: k.take, offset: k.skip, hasMore: false };
            if (_rn !== null) page.items.push(row as unknown as T);
            page.hasMore = k.skip + page.items.length < page.totalCount;
            pages.set(key, page);
          }
        }),
      );
      const empty = (k: ChildPageKey): Page<T> => ({ items: [], totalCount: 0, limit: k.take, offset: k.skip, hasMore: false });
      return keys.map((k) => pages.get(`${windowOf(k)}|${k.parentId}`) ?? empty(k));
    },
    { cacheKeyFn: keyOf },
  );
}

function whereOf(table: ChildTable, tenant: Tenant, k: ChildPageKey): { where: string; params: unknown[] } {
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const conditions = [`t."organizationId" = ${param(tenant.organizationId)}::uuid`];
  const plants = plantFilter(tenant);
  if (table.plantScoped && plants) conditions.push(`t."plantId" = ANY(${param(plants)}::uuid[])`);
  // Columns are TIMESTAMP(3) holding UTC: compare with the instant read as UTC.
  if (table.timeColumn && k.from) conditions.push(`t."${table.timeColumn}" >= (${param(k.from.toISOString())}::timestamptz AT TIME ZONE 'UTC')`);
  if (table.timeColumn && k.to) conditions.push(`t."${table.timeColumn}" < (${param(k.to.toISOString())}::timestamptz AT TIME ZONE 'UTC')`);
  return { where: conditions.join(" AND "), params };
}

/** A page of a list already in memory (a shift's logs, loaded whole for its sums): `from`/`to` on `instant`. */
export function pageOfLoaded<T>(rows: readonly T[], args: ChildPageArgs, instant: (row: T) => Date): Page<T> {
  const { take, skip, from, to } = childPageKey("", args);
  const matching = rows.filter((r) => (!from || instant(r) >= from) && (!to || instant(r) < to));
  const items = matching.slice(skip, skip + take);
  return { items, totalCount: matching.length, limit: take, offset: skip, hasMore: skip + items.length < matching.length };
}

// Pages of nested lists (a machine's downtimes, a work order's inspections, an operation's logs):
// every parent of a long list asks for its own page, so the pages of all parents asked for in one
// tick are read together, one statement per distinct filter and window, however many parents.
// `nestedPageLoader` takes the subgraph's own SQL; `childPageLoader` writes it for a plain child table.
import DataLoader from "dataloader";
import { badUserInput } from "./errors.ts";
import { isUuid } from "./ids.ts";
import { pageWindow, type Page, type PageArgs } from "./pagination.ts";
import { plantFilter, type Tenant } from "./tenancy.ts";

/**
 * One row of a batched nested page: the parent it belongs to, the parent's total count of matching
 * rows, and the row itself (null for a parent whose page is empty, so its count still comes back).
 */
export interface NestedPageRow<T> {
  parentId: string;
  totalCount: number;
  row: T | null;
}

/** What a nested page is asked for: whose page, its filters (`args`) and its window. */
export interface NestedPageKey<A> {
  parentId: string;
  args: A;
  take: number;
  skip: number;
}

/**
 * A nested page's key, its limit/offset checked like any page's (BAD_USER_INPUT naming limit or
 * offset) before it is loaded, so one bad field never fails the batch of the others.
 */
export function nestedPageKey<A>(parentId: string, args: A, page: PageArgs): NestedPageKey<A> {
  const { take, skip } = pageWindow(page);
  return { parentId, args, take, skip };
}

const groupKey = <A>(k: NestedPageKey<A>, argsKey: (a: A) => string) => `${argsKey(k.args)}|${k.take}|${k.skip}`;

/**
 * Pages of a nested list (a machine's downtimes, a work order's transactions) for every parent asked
 * for in one tick: one `fetch` per distinct filter and window, which answers each parent's window of
 * rows and its total together, never one query per parent.
 */
export function nestedPageLoader<A, T>(
  fetch: (parentIds: string[], args: A, window: { take: number; skip: number }) => Promise<NestedPageRow<T>[]>,
  argsKey: (args: A) => string = (a) => JSON.stringify(a),
): DataLoader<NestedPageKey<A>, Page<T>, string> {
  return new DataLoader<NestedPageKey<A>, Page<T>, string>(
    async (keys) => {
      const groups = new Map<string, NestedPageKey<A>[]>();
      for (const k of keys) {
        const g = groupKey(k, argsKey);
        const list = groups.get(g);
        if (list) list.push(k);
        else groups.set(g, [k]);
      }
      const pages = new Map<string, Page<T>>();
      await Promise.all(
        [...groups].map(async ([g, group]) => {
          const { args, take, skip } = group[0]!;
          const found = await fetch([...new Set(group.map((k) => k.parentId))], args, { take, skip });
          for (const { parentId, totalCount, row } of found) {
            const key = `${parentId}|${g}`;
            const page = pages.get(key) ?? { items: [], totalCount, limit: take, offset: skip, hasMore: false };
            if (row) page.items.push(row);
            pages.set(key, page);
          }
        }),
      );
      return keys.map((k) => {
        const page = pages.get(`${k.parentId}|${groupKey(k, argsKey)}`) ?? {
          items: [],
          totalCount: 0,
          limit: k.take,
          offset: k.skip,
          hasMore: false,
        };
        return { ...page, hasMore: k.skip + page.items.length < page.totalCount };
      });
    },
    { cacheKeyFn: (k) => `${k.parentId}|${groupKey(k, argsKey)}` },
  );
}

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

/** A child page's filter: the half-open [from, to) range of its table's time column (none: nulls). */
interface ChildRange {
  from: Date | null;
  to: Date | null;
}

/** Checks a nested page's arguments (limit, offset, `to` after `from`): the loader key of one parent's page. */
export function childPageKey(parentId: string, args: ChildPageArgs): NestedPageKey<ChildRange> {
  const from = args.from ?? null;
  const to = args.to ?? null;
  if (from && to && !(from < to)) throw badUserInput("to must be after from", [{ field: "to", message: "must be after from" }]);
  return nestedPageKey(parentId, { from, to }, args);
}

/**
 * A per-request loader of a child table's nested pages: per parent, a LATERAL count and a LATERAL
 * window in the list's order, using the parent's index. Raw SQL is outside the scoped Prisma client,
 * so it filters by the caller's tenant itself (row-level security holds too). Rows come back as the
 * table's columns, which are the Prisma model's scalar fields.
 */
export function childPageLoader<T extends { id: string }>(
  db: RawDb,
  tenant: Tenant,
  table: ChildTable,
): DataLoader<NestedPageKey<ChildRange>, Page<T>, string> {
  return nestedPageLoader<ChildRange, T>(async (parentIds, range, window) => {
    const parents = parentIds.filter(isUuid);
    if (!parents.length) return [];
    const { where, params } = whereOf(table, tenant, range);
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
      window.take,
      window.skip,
    );
    return rows.map(({ _parentId, _totalCount, _rn, ...row }) => ({
      parentId: _parentId,
      totalCount: _totalCount,
      row: _rn === null ? null : (row as unknown as T),
    }));
  });
}

function whereOf(table: ChildTable, tenant: Tenant, k: ChildRange): { where: string; params: unknown[] } {
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
  const {
    take,
    skip,
    args: { from, to },
  } = childPageKey("", args);
  const matching = rows.filter((r) => (!from || instant(r) >= from) && (!to || instant(r) < to));
  const items = matching.slice(skip, skip + take);
  return { items, totalCount: matching.length, limit: take, offset: skip, hasMore: skip + items.length < matching.length };
}

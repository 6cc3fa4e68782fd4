// Helper L2's nested-page batching (one statement per filter and window; the subgraph writes the SQL,
// e.g. LATERAL subqueries per parent). L1's variant for plain child tables is nested-page-loader.ts.
import DataLoader from "dataloader";
import { pageWindow, type Page, type PageArgs } from "./pagination.ts";

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

import { badUserInput } from "./errors.ts";

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;

export interface PageArgs {
  limit?: number | null;
  offset?: number | null;
}

export interface Page<T> {
  items: T[];
  totalCount: number;
  limit: number;
  offset: number;
  hasMore: boolean;
}

/** Validates limit/offset (a limit above MAX_PAGE_SIZE is refused, not silently cut). */
export function pageWindow(args: PageArgs): { take: number; skip: number } {
  const take = args.limit ?? DEFAULT_PAGE_SIZE;
  const skip = args.offset ?? 0;
  if (!Number.isInteger(take) || take < 1 || take > MAX_PAGE_SIZE) {
    throw badUserInput(`limit must be between 1 and ${MAX_PAGE_SIZE}`, [{ field: "limit", message: `must be between 1 and ${MAX_PAGE_SIZE}` }]);
  }
  if (!Number.isInteger(skip) || skip < 0) {
    throw badUserInput("offset must be 0 or more", [{ field: "offset", message: "must be 0 or more" }]);
  }
  return { take, skip };
}

/** Runs the page query and the count together. */
export async function paginate<T>(
  args: PageArgs,
  fetch: (window: { take: number; skip: number }) => Promise<T[]>,
  count: () => Promise<number>,
): Promise<Page<T>> {
  const window = pageWindow(args);
  const [items, totalCount] = await Promise.all([fetch(window), count()]);
  return { items, totalCount, limit: window.take, offset: window.skip, hasMore: window.skip + items.length < totalCount };
}

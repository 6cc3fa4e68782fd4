import DataLoader from "dataloader";
import { validIds } from "./ids.ts";
import { scopeSql } from "./tenancy.ts";

/** The raw-query method every Prisma client (and scoped client) has. */
export interface RawQueryClient {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

/**
 * Rows of a model whose `column` (a uuid column) is one of `ids`, in one statement through the raw
 * path of the request's scoped client: every column with Prisma's types, the rows findMany would
 * give, without compiling a query. Prisma 6 compiles each model query in WebAssembly on the event
 * loop, which was a third of a small subgraph request's CPU; hot lookups by id and parent use this.
 * The tenant filter of the scoped client is written into the SQL (scopeSql) and row-level security
 * applies as to every statement. `where` and `orderBy` are SQL written in code, never input.
 */
export function scopedRows<T>(
  db: RawQueryClient,
  model: string,
  column: string,
  ids: readonly string[],
  opts: { where?: string; orderBy?: string } = {},
): Promise<T[]> {
  const values: unknown[] = [validIds(ids)];
  if (!(values[0] as string[]).length) return Promise.resolve([]);
  const scope = scopeSql(db, model, values);
  const sql = `SELECT * FROM "${model}" WHERE "${column}" = ANY($1::uuid[]) AND ${scope}${opts.where ? ` AND ${opts.where}` : ""}${opts.orderBy ? ` ORDER BY ${opts.orderBy}` : ""}`;
  return db.$queryRawUnsafe<T[]>(sql, ...values);
}

/**
 * One query for all ids asked for in the same tick (entity references, parent lookups).
 * Results come back in the order of the ids; a missing row resolves to null.
 */
export function byIdLoader<T extends { id: string }>(fetch: (ids: string[]) => Promise<T[]>): DataLoader<string, T | null> {
  return new DataLoader(async (ids) => {
    const rows = await fetch([...ids]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

/** One query for the children of all parents asked for in the same tick. */
export function childrenLoader<T>(fetch: (parentIds: string[]) => Promise<T[]>, parentKey: (row: T) => string): DataLoader<string, T[]> {
  return new DataLoader(async (parentIds) => {
    const rows = await fetch([...parentIds]);
    const groups = new Map<string, T[]>();
    for (const row of rows) {
      const key = parentKey(row);
      const list = groups.get(key);
      if (list) list.push(row);
      else groups.set(key, [row]);
    }
    return parentIds.map((id) => groups.get(id) ?? []);
  });
}

/** A reference to an entity another subgraph owns, for the gateway to resolve, typed by its type name. */
export function entityRef<T extends string>(typename: T, id: string): { __typename: T; id: string };
/** The same for an optional foreign key: no id, no entity. */
export function entityRef<T extends string>(typename: T, id: string | null | undefined): { __typename: T; id: string } | null;
export function entityRef<T extends string>(typename: T, id: string | null | undefined): { __typename: T; id: string } | null {
  return id ? { __typename: typename, id } : null;
}

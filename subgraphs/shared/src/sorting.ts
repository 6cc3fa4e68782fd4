import { badUserInput } from "./errors.ts";

/** What a list's `orderBy` argument carries (`<Entity>Order` input: field and direction). */
export interface OrderArg<TField extends string = string> {
  field: TField;
  direction?: "ASC" | "DESC" | null;
}

type Direction = "asc" | "desc";
/** One Prisma orderBy entry: a column, or a relation's column ({ product: { code: "asc" } }). */
export type PrismaOrder = Record<string, Direction | Record<string, Direction>>;

/**
 * A list's Prisma orderBy from its `orderBy` argument: the chosen field (through `columns`, which
 * maps each GraphQL order field to a column or a relation's column) in the chosen direction, then
 * `id` ascending so equal values keep one order between pages. Without an argument, the list's own
 * documented order (`fallback`), also ended by id.
 */
export function orderByOf<TField extends string>(
  arg: OrderArg<TField> | null | undefined,
  columns: Record<TField, string>,
  fallback: PrismaOrder[],
): PrismaOrder[] {
  const byId: PrismaOrder = { id: "asc" };
  if (!arg) return fallback.some((o) => "id" in o) ? fallback : [...fallback, byId];
  const column = columns[arg.field];
  if (!column)
    throw badUserInput(`orderBy.field ${String(arg.field)} is not a sort field of this list`, [
      { field: "orderBy.field", message: "unknown sort field" },
    ]);
  const direction: Direction = arg.direction === "DESC" ? "desc" : "asc";
  const [relation, nested] = column.split(".");
  const first: PrismaOrder = nested ? { [relation!]: { [nested]: direction } } : { [column]: direction };
  return column === "id" ? [first] : [first, byId];
}

/** The same for lists sorted in SQL written by hand: an ORDER BY clause from a whitelist of columns. */
export function orderBySql<TField extends string>(
  arg: OrderArg<TField> | null | undefined,
  columns: Record<TField, string>,
  fallback: string,
): string {
  if (!arg) return fallback;
  const column = columns[arg.field];
  if (!column)
    throw badUserInput(`orderBy.field ${String(arg.field)} is not a sort field of this list`, [
      { field: "orderBy.field", message: "unknown sort field" },
    ]);
  return `${column} ${arg.direction === "DESC" ? "DESC" : "ASC"}, id ASC`;
}

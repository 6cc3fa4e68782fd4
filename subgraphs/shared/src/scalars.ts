import { DateResolver, DateTimeResolver, JSONResolver } from "graphql-scalars";

/** Resolvers for the scalars every subgraph schema declares. */
export const scalarResolvers = { DateTime: DateTimeResolver, Date: DateResolver, JSON: JSONResolver };

/** Prisma Decimal (or null) to a GraphQL Float; quantities fit well within double precision. */
export function decimalToNumber(value: { toNumber(): number } | number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  return typeof value === "number" ? value : value.toNumber();
}

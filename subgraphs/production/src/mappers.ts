// Which TypeScript value stands behind each GraphQL type (what resolvers return and receive as
// parent), read by `pnpm codegen`: `export type XMapper` maps GraphQL type X. Mostly Prisma rows,
// so resolvers of computed fields see the stored row.
import type { Operation, Product, WorkOrder } from "./generated/prisma/client.ts";

export type ProductMapper = Product;
export type WorkOrderMapper = WorkOrder;
export type OperationMapper = Operation;

import { mergeResolvers, scalarResolvers } from "@mes/shared";
import type { Resolvers } from "./resolvers-types.generated.ts";
import { lookupsResolvers } from "./lookups.resolvers.ts";
import { productsResolvers } from "./products.resolvers.ts";
import { workOrdersResolvers } from "./work-orders.resolvers.ts";
import { lifecycleResolvers } from "./lifecycle.resolvers.ts";
import { operationsResolvers } from "./operations.resolvers.ts";
import { problemsResolvers } from "./problems.resolvers.ts";
import { scheduleResolvers } from "./schedule.resolvers.ts";
import { kpisResolvers } from "./kpis.resolvers.ts";

export const resolvers = mergeResolvers<Resolvers>(
  scalarResolvers,
  productsResolvers,
  workOrdersResolvers,
  lifecycleResolvers,
  operationsResolvers,
  problemsResolvers,
  scheduleResolvers,
  kpisResolvers,
  lookupsResolvers,
);

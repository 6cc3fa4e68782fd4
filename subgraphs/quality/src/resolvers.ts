import { mergeResolvers, scalarResolvers } from "@mes/shared";
import { firstPassYieldResolvers } from "./first-pass-yield.resolvers.ts";
import { inspectionPlansResolvers } from "./inspection-plans.resolvers.ts";
import { inspectionsResolvers } from "./inspections.resolvers.ts";
import { lookupsResolvers } from "./lookups.resolvers.ts";
import { ncrsResolvers } from "./ncrs.resolvers.ts";
import type { Resolvers } from "./resolvers-types.generated.ts";
import { workOrdersResolvers } from "./work-orders.resolvers.ts";

/** The quality subgraph's resolvers, one map per area. */
export const resolvers = mergeResolvers<Resolvers>(
  scalarResolvers,
  inspectionPlansResolvers,
  inspectionsResolvers,
  ncrsResolvers,
  firstPassYieldResolvers,
  workOrdersResolvers,
  lookupsResolvers,
);

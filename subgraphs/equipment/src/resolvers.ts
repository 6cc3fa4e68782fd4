import { mergeResolvers, scalarResolvers } from "@mes/shared";
import type { Resolvers } from "./resolvers-types.generated.ts";
import { lookupsResolvers } from "./lookups.resolvers.ts";
import { hierarchyResolvers } from "./hierarchy.resolvers.ts";
import { machineStateResolvers } from "./machine-state.resolvers.ts";
import { maintenanceResolvers } from "./maintenance.resolvers.ts";
import { performanceResolvers } from "./performance.resolvers.ts";

/** The equipment subgraph's resolvers: one map per area, merged (a field resolved twice fails at start). */
export const resolvers = mergeResolvers<Resolvers>(
  scalarResolvers,
  hierarchyResolvers,
  machineStateResolvers,
  maintenanceResolvers,
  performanceResolvers,
  lookupsResolvers,
);

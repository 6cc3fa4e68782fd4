import { mergeResolvers, scalarResolvers } from "@mes/shared";
import type { Resolvers } from "./resolvers-types.generated.ts";
import { lookupsResolvers } from "./lookups.resolvers.ts";
import { materialsResolvers } from "./materials.resolvers.ts";
import { lotsResolvers } from "./lots.resolvers.ts";
import { stockResolvers } from "./stock.resolvers.ts";
import { alertsResolvers } from "./alerts.resolvers.ts";
import { workOrdersResolvers } from "./work-orders.resolvers.ts";

export const resolvers = mergeResolvers<Resolvers>(
  scalarResolvers,
  materialsResolvers,
  lotsResolvers,
  stockResolvers,
  alertsResolvers,
  workOrdersResolvers,
  lookupsResolvers,
);

import { prismaAdapter, type SubgraphDefinition } from "@mes/shared";
import { PrismaClient } from "./generated/prisma/client.ts";
import { createLoaders, type QualityContext, type QualityDb } from "./context.ts";
import { resolvers } from "./resolvers.ts";
import { seedDemo } from "./seed.ts";

export const quality: SubgraphDefinition<QualityDb, QualityContext> = {
  name: "quality",
  resolvers,
  createDb: (pool, transactionOptions) => new PrismaClient({ adapter: prismaAdapter(pool), transactionOptions }),
  context: (base, db) => ({ ...base, db, loaders: createLoaders(db, base.tenant) }),
  seedDemo,
  // Rows reached only through a scoped parent (the tenant choke point is the parent's query).
  untenantedModels: {
    Characteristic: "read only through its scoped InspectionPlan",
    InspectionMeasurement: "read only through its scoped Inspection",
    NcrDefect: "read only through its scoped Ncr",
  },
};

import path from "node:path";
import { z } from "zod";
import { loadConfig, prismaAdapter, type SubgraphDefinition } from "@mes/shared";
import { PrismaClient } from "./generated/prisma/client.ts";
import { createLoaders, type ProductionContext, type ProductionDb } from "./context.ts";
import { resolvers } from "./resolvers.ts";
import { seedDemo } from "./seed.ts";

// Read once at start; a bad value stops the service like any other configuration error.
const settingsEnv = z.object({
  OVERPRODUCTION_TOLERANCE_PERCENT: z.coerce.number().min(0, "must be 0 or more").max(100, "must be at most 100").default(5),
});

const { OVERPRODUCTION_TOLERANCE_PERCENT } = loadConfig("production", settingsEnv);
const settings = { overproductionTolerancePercent: OVERPRODUCTION_TOLERANCE_PERCENT };

export const production: SubgraphDefinition<ProductionDb, ProductionContext> = {
  name: "production",
  schemaPath: path.join(import.meta.dirname, "..", "schema.graphql"),
  resolvers,
  createDb: (pool) => new PrismaClient({ adapter: prismaAdapter(pool) }),
  context: (base, db) => ({ ...base, db, loaders: createLoaders(db), settings }),
  seedDemo,
};

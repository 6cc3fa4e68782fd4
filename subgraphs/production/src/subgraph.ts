import { z } from "zod";
import { prismaAdapter, type SubgraphDefinition } from "@mes/shared";
import { PrismaClient } from "./generated/prisma/client.ts";
import { createLoaders, type ProductionContext, type ProductionDb, type ProductionSettings } from "./context.ts";
import { resolvers } from "./resolvers.ts";
import { seedDemo } from "./seed.ts";

export const production: SubgraphDefinition<ProductionDb, ProductionContext, ProductionSettings> = {
  name: "production",
  resolvers,
  settings: z
    .object({
      OVERPRODUCTION_TOLERANCE_PERCENT: z.coerce
        .number({ error: "must be a number of percent, e.g. 5" })
        .min(0, "must be 0 or more")
        .max(100, "must be at most 100")
        .default(5),
    })
    .transform((env) => ({ overproductionTolerancePercent: env.OVERPRODUCTION_TOLERANCE_PERCENT })),
  createDb: (pool, transactionOptions) => new PrismaClient({ adapter: prismaAdapter(pool), transactionOptions }),
  context: (base, db, settings) => ({ ...base, db, loaders: createLoaders(db, base.tenant), settings }),
  seedDemo,
};

import path from "node:path";
import { prismaAdapter, type SubgraphDefinition } from "@mes/shared";
import { PrismaClient } from "./generated/prisma/client.ts";
import { createLoaders, type EquipmentContext, type EquipmentDb } from "./context.ts";
import { resolvers } from "./resolvers.ts";
import { seedDemo } from "./seed.ts";
import { productionCountConsumer } from "./maintenance.ts";

export const equipment: SubgraphDefinition<EquipmentDb, EquipmentContext> = {
  name: "equipment",
  schemaPath: path.join(import.meta.dirname, "..", "schema.graphql"),
  resolvers,
  createDb: (pool) => new PrismaClient({ adapter: prismaAdapter(pool) }),
  context: (base, db) => ({ ...base, db, loaders: createLoaders(db) }),
  seedDemo,
  // Production counts (for OEE and cycle-based maintenance) come from production's event feed.
  consumers: ({ db, config, log }) => {
    if (config.PRODUCTION_URL) return [productionCountConsumer(db, config.PRODUCTION_URL, log, config.EVENT_POLL_MS)];
    log.warn("PRODUCTION_URL is not set: OEE and cycle-based maintenance will see no production counts");
    return [];
  },
};

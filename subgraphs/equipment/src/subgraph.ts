import path from "node:path";
import { z } from "zod";
import { feedSettings, loadConfig, prismaAdapter, type SubgraphDefinition } from "@mes/shared";
import { PrismaClient } from "./generated/prisma/client.ts";
import { createLoaders, type EquipmentContext, type EquipmentDb } from "./context.ts";
import { resolvers } from "./resolvers.ts";
import { seedDemo } from "./seed.ts";
import { periodicPmCheck, productionCountConsumer } from "./maintenance.ts";

// How often due preventive maintenance is looked for; 0 turns the periodic check off.
const { PM_CHECK_INTERVAL_MS } = loadConfig("equipment", z.object({ PM_CHECK_INTERVAL_MS: z.coerce.number().int().min(0).max(86_400_000).default(60_000) }));

export const equipment: SubgraphDefinition<EquipmentDb, EquipmentContext> = {
  name: "equipment",
  schemaPath: path.join(import.meta.dirname, "..", "schema.graphql"),
  resolvers,
  createDb: (pool) => new PrismaClient({ adapter: prismaAdapter(pool) }),
  context: (base, db) => ({ ...base, db, loaders: createLoaders(db, base.tenant) }),
  seedDemo,
  // Production counts (for OEE and cycle-based maintenance) come from production's event feed.
  consumers: ({ db, config, log }) => {
    if (!config.PRODUCTION_URL) log.warn("PRODUCTION_URL is not set: OEE and cycle-based maintenance will see no production counts");
    return [
      ...(config.PRODUCTION_URL ? [productionCountConsumer(db, config.PRODUCTION_URL, log, feedSettings(config))] : []),
      ...(PM_CHECK_INTERVAL_MS > 0 ? [periodicPmCheck(db, PM_CHECK_INTERVAL_MS, log)] : []),
    ];
  },
};

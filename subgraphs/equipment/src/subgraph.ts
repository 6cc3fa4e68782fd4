import { z } from "zod";
import { feedSettings, prismaAdapter, type SubgraphDefinition } from "@mes/shared";
import { PrismaClient } from "./generated/prisma/client.ts";
import { createLoaders, type EquipmentContext, type EquipmentDb } from "./context.ts";
import { resolvers } from "./resolvers.ts";
import { seedDemo } from "./seed.ts";
import { periodicPmCheck } from "./maintenance.ts";
import { productionCountConsumer } from "./production-counts.ts";

export interface EquipmentSettings {
  /** How often due preventive maintenance is looked for; 0 turns the periodic check off. */
  pmCheckIntervalMs: number;
}

export const equipment: SubgraphDefinition<EquipmentDb, EquipmentContext, EquipmentSettings> = {
  name: "equipment",
  resolvers,
  settings: z
    .object({ PM_CHECK_INTERVAL_MS: z.coerce.number().int().min(0).max(86_400_000).default(60_000) })
    .transform((env) => ({ pmCheckIntervalMs: env.PM_CHECK_INTERVAL_MS })),
  createDb: (pool, transactionOptions) => new PrismaClient({ adapter: prismaAdapter(pool), transactionOptions }),
  context: (base, db) => ({ ...base, db, loaders: createLoaders(db, base.tenant, base.references) }),
  seedDemo,
  // Period OEE plans by the plant's shift calendar: a copy of the shifts subgraph's shift windows.
  referenceKinds: ["Shift"],
  // Production counts (for OEE and cycle-based maintenance) come from production's event feed.
  consumers: ({ db, config, settings, log, feedUrl }) => {
    const productionUrl = feedUrl("production");
    if (!productionUrl) log.warn("PRODUCTION_URL is not set: OEE and cycle-based maintenance will see no production counts");
    return [
      ...(productionUrl ? [productionCountConsumer(db, productionUrl, log, feedSettings(config))] : []),
      ...(settings.pmCheckIntervalMs > 0 ? [periodicPmCheck(db, settings.pmCheckIntervalMs, log)] : []),
    ];
  },
};

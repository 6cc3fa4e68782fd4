import { feedSettings, prismaAdapter, type SubgraphDefinition } from "@mes/shared";
import { PrismaClient } from "./generated/prisma/client.ts";
import { createAllLoaders, type InventoryContext, type InventoryDb } from "./context.ts";
import { resolvers } from "./resolvers.ts";
import { seedDemo } from "./seed.ts";
import { reservationConsumer } from "./reservations.ts";
import { qualityEventConsumer } from "./quality-events.ts";

export const inventory: SubgraphDefinition<InventoryDb, InventoryContext> = {
  name: "inventory",
  resolvers,
  createDb: (pool, transactionOptions) => new PrismaClient({ adapter: prismaAdapter(pool), transactionOptions }),
  context: (base, db) => ({ ...base, db, loaders: createAllLoaders(db, base.tenant) }),
  seedDemo,
  // Rows reached only through a scoped parent (the tenant choke point is the parent's query).
  untenantedModels: { LayerConsumption: "read only through its scoped StockTransaction and CostLayer" },
  // Reservations follow production's work orders; NCR dispositions and lot holds follow quality.
  consumers: ({ db, config, log, feedUrl }) => {
    const productionUrl = feedUrl("production");
    const qualityUrl = feedUrl("quality");
    if (!productionUrl) log.warn("PRODUCTION_URL is not set: released work orders will not reserve material");
    if (!qualityUrl) log.warn("QUALITY_URL is not set: NCR scrap dispositions and lot holds will not reach stock");
    return [
      ...(productionUrl ? [reservationConsumer(db, productionUrl, log, feedSettings(config))] : []),
      ...(qualityUrl ? [qualityEventConsumer(db, qualityUrl, log, feedSettings(config))] : []),
    ];
  },
};

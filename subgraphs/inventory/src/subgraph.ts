import path from "node:path";
import { prismaAdapter, type SubgraphDefinition } from "@mes/shared";
import { PrismaClient } from "./generated/prisma/client.ts";
import { createLoaders, type InventoryContext, type InventoryDb } from "./context.ts";
import { resolvers } from "./resolvers.ts";
import { seedDemo } from "./seed.ts";

export const inventory: SubgraphDefinition<InventoryDb, InventoryContext> = {
  name: "inventory",
  schemaPath: path.join(import.meta.dirname, "..", "schema.graphql"),
  resolvers,
  createDb: (pool) => new PrismaClient({ adapter: prismaAdapter(pool) }),
  context: (base, db) => ({ ...base, db, loaders: createLoaders(db) }),
  seedDemo,
};

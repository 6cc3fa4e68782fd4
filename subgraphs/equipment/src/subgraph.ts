import path from "node:path";
import { prismaAdapter, type SubgraphDefinition } from "@mes/shared";
import { PrismaClient } from "./generated/prisma/client.ts";
import { createLoaders, type EquipmentContext, type EquipmentDb } from "./context.ts";
import { resolvers } from "./resolvers.ts";
import { seedDemo } from "./seed.ts";

export const equipment: SubgraphDefinition<EquipmentDb, EquipmentContext> = {
  name: "equipment",
  schemaPath: path.join(import.meta.dirname, "..", "schema.graphql"),
  resolvers,
  createDb: (pool) => new PrismaClient({ adapter: prismaAdapter(pool) }),
  context: (base, db) => ({ ...base, db, loaders: createLoaders(db) }),
  seedDemo,
};

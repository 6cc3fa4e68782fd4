import { prismaAdapter, type SubgraphDefinition, requestClock } from "@mes/shared";
import { PrismaClient } from "./generated/prisma/client.ts";
import { createLoaders, type ShiftsContext, type ShiftsDb } from "./context.ts";
import { resolvers } from "./resolvers.ts";
import { seedDemo } from "./seed.ts";

export const shifts: SubgraphDefinition<ShiftsDb, ShiftsContext> = {
  name: "shifts",
  resolvers,
  createDb: (pool, transactionOptions) => new PrismaClient({ adapter: prismaAdapter(pool), transactionOptions }),
  context: (base, db) => {
    // One "now" per request (coverage and the current shift agree on it), read only when used:
    // an answer that never asks for the time is kept by the caches until its data changes.
    const clock = requestClock();
    return { ...base, db, clock, loaders: createLoaders(db, clock) };
  },
  seedDemo,
  // Rows reached only through a scoped parent (the tenant choke point is the parent's query).
  untenantedModels: { CrewMember: "read only through its scoped Crew" },
};

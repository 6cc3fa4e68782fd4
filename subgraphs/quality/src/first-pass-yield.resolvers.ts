import { requireId, requireWindow } from "@mes/shared";
import { firstPassYield } from "./first-pass-yield.ts";
import type { Resolvers } from "./resolvers-types.generated.ts";

export const firstPassYieldResolvers = {
  Query: {
    firstPassYield: (_, { plantId, from, to }, ctx) => {
      requireWindow(from, to, 366);
      return firstPassYield(ctx.db, requireId(plantId, "plantId"), from, to);
    },
  },
} satisfies Resolvers;

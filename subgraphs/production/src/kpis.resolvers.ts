import { requireId, requireWindow } from "@mes/shared";
import type { Resolvers } from "./resolvers-types.generated.ts";
import { loadReferenced } from "./context.ts";
import { MAX_WINDOW_DAYS } from "./inputs.ts";
import { productionKpis } from "./kpis.ts";

export const kpisResolvers = {
  Query: {
    productionKpis: (_, args, ctx) => {
      requireWindow(args.from, args.to, MAX_WINDOW_DAYS);
      return productionKpis(ctx.db, requireId(args.plantId, "plantId"), args.from, args.to);
    },
  },
  ProductKpis: {
    product: (k, _, ctx) => loadReferenced(ctx.loaders.product, "Product", k.productId),
  },
} satisfies Resolvers;

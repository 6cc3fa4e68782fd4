import { z } from "zod";
import { parseInput, requireId, requireWindow, withTx, zId, type InputShape } from "@mes/shared";
import type { LogHandoverInput, Resolvers } from "./resolvers-types.generated.ts";
import { found, loadShift } from "./context.ts";
import { acknowledgeHandover, logHandover, unacknowledgedHandovers } from "./handovers.ts";

const logHandoverInput = z.object({
  shiftId: zId,
  notes: z.string().trim().min(1, "must not be empty").max(10_000),
  openIssues: z.array(z.string().trim().min(1, "must not be empty").max(1000)).max(100),
} satisfies InputShape<LogHandoverInput>);

export const handoversResolvers = {
  Query: {
    unacknowledgedHandovers: (_, { plantId, from, to, orderBy, limit, offset }, ctx) => {
      if (from && to) requireWindow(from, to, Number.POSITIVE_INFINITY);
      const filter = { plantId: plantId != null ? requireId(plantId, "plantId") : null, from, to };
      return unacknowledgedHandovers(ctx.db, filter, { limit, offset, orderBy });
    },
  },
  Mutation: {
    async logHandover(_, args, ctx) {
      const input = parseInput(logHandoverInput, args.input);
      const shift = await loadShift(ctx, input.shiftId);
      return withTx(ctx.db, (tx) => logHandover(tx, shift, input, ctx.actor));
    },
    acknowledgeHandover(_, args, ctx) {
      const id = requireId(args.id);
      return withTx(ctx.db, (tx) => acknowledgeHandover(tx, id, ctx.actor));
    },
  },
  Shift: {
    handovers: (s, _, ctx) => ctx.loaders.handoversOfShift.load(s.id),
  },
  Handover: {
    shift: async (h, _, ctx) => found(await ctx.loaders.shift.load(h.shiftId), "Shift", h.shiftId),
  },
} satisfies Resolvers;

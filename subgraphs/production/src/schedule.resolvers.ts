import { parseInput, requireId, requireWindow, withTx } from "@mes/shared";
import type { Resolvers } from "./resolvers-types.generated.ts";
import { MAX_WINDOW_DAYS } from "./inputs.ts";
import { buildSchedule, rescheduleOperation, rescheduleOperationInput } from "./schedule.ts";

export const scheduleResolvers = {
  Query: {
    schedule: (_, args, ctx) => {
      requireWindow(args.from, args.to, MAX_WINDOW_DAYS);
      return buildSchedule(ctx.db, requireId(args.plantId, "plantId"), args.from, args.to);
    },
  },
  Mutation: {
    rescheduleOperation: (_, a, ctx) => {
      const input = parseInput(rescheduleOperationInput, a.input);
      return withTx(ctx.db, (tx) => rescheduleOperation(tx, input));
    },
  },
} satisfies Resolvers;

import { liveField, nestedPageKey, parseInput, withTx, clockNow } from "@mes/shared";
import { referenced } from "./context.ts";
import { logDowntimeInput, optionalWindow, parseArgs, setMachineStateArgs, withCheckedIds } from "./inputs.ts";
import { downtimeMinutes, logDowntime, setMachineState } from "./machine-state.ts";
import type { Resolvers, SubscriptionMachineStatusChangedArgs } from "./resolvers-types.generated.ts";

/** A history page's key: limit and offset as every page's, and a window whose `to` is after its `from`. */
function historyKey(machineId: string, args: { from?: Date | null; to?: Date | null; limit?: number | null; offset?: number | null }) {
  optionalWindow(args.from, args.to);
  return nestedPageKey(machineId, { from: args.from ?? null, to: args.to ?? null }, args);
}

/** Machine states, their history and downtime, and the live feed of state changes. */
export const machineStateResolvers = {
  Query: {
    downtimeReasons: (_, __, ctx) => ctx.db.downtimeReason.findMany({ orderBy: { code: "asc" } }),
  },
  Mutation: {
    setMachineState: (_, args, ctx) => {
      const change = parseArgs(setMachineStateArgs, args);
      return withTx(ctx.db, (tx) => setMachineState(tx, change, ctx.actor));
    },
    logDowntime: (_, args, ctx) => {
      const input = parseInput(logDowntimeInput, args.input);
      return withTx(ctx.db, (tx) => logDowntime(tx, input, ctx.actor));
    },
  },
  Subscription: {
    machineStatusChanged: withCheckedIds(
      liveField(
        ["MachineStatusChanged"],
        (event, args: Partial<SubscriptionMachineStatusChangedArgs>) =>
          (args.plantId == null || event.plantId === args.plantId) && (args.machineId == null || event.aggregateId === args.machineId),
        (event) => event.payload,
      ),
      ["plantId", "machineId"],
    ),
  },
  MachineStatusEvent: {
    machine: (event, _, ctx) => referenced(ctx.loaders.machine.load(event.machineId), "Machine", event.machineId),
  },
  Machine: {
    statusHistory: (machine, args, ctx) => ctx.loaders.statusHistory.load(historyKey(machine.id, args)),
    downtimes: (machine, args, ctx) => ctx.loaders.downtimes.load(historyKey(machine.id, args)),
    openDowntime: async (machine, _, ctx) => (await ctx.loaders.openDowntimesOfMachine.load(machine.id))[0] ?? null,
  },
  Downtime: {
    machine: (downtime, _, ctx) => referenced(ctx.loaders.machine.load(downtime.machineId), "Machine", downtime.machineId),
    reason: (downtime, _, ctx) => referenced(ctx.loaders.downtimeReason.load(downtime.reasonId), "Downtime reason", downtime.reasonId),
    durationMinutes: (downtime) => downtimeMinutes(downtime.startedAt, downtime.endedAt, clockNow()),
  },
} satisfies Resolvers;

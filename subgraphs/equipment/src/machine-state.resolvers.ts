import { badUserInput, liveField, parseInput, requireId, withTx, zText } from "@mes/shared";
import { referenced } from "./context.ts";
import { logDowntimeInput, reasonCode } from "./inputs.ts";
import { downtimeMinutes, logDowntime, setMachineState } from "./machine-state.ts";
import type { Resolvers } from "./resolvers-types.generated.ts";

const MAX_HISTORY = 1000;

function historyLimit(limit?: number | null): number {
  const take = limit ?? 100;
  if (!Number.isInteger(take) || take < 1 || take > MAX_HISTORY) throw badUserInput(`limit must be between 1 and ${MAX_HISTORY}`);
  return take;
}

/** Machine states, their history and downtime, and the live feed of state changes. */
export const machineStateResolvers = {
  Query: {
    downtimeReasons: (_, __, ctx) => ctx.db.downtimeReason.findMany({ orderBy: { code: "asc" } }),
  },
  Mutation: {
    setMachineState: (_, args, ctx) => {
      const code = args.reasonCode == null ? null : parseInput(reasonCode, args.reasonCode, "reasonCode");
      const note = args.note == null ? null : parseInput(zText, args.note, "note");
      return withTx(ctx.db, (tx) => setMachineState(tx, requireId(args.machineId, "machineId"), args.state, ctx.actor, code, note));
    },
    logDowntime: (_, args, ctx) => {
      const input = parseInput(logDowntimeInput, args.input);
      return withTx(ctx.db, (tx) => logDowntime(tx, input, ctx.actor));
    },
  },
  Subscription: {
    machineStatusChanged: liveField(
      ["MachineStatusChanged"],
      (event, args) => (!args.plantId || event.plantId === args.plantId) && (!args.machineId || event.aggregateId === args.machineId),
      (event) => event.payload,
    ),
  },
  MachineStatusEvent: {
    machine: (event, _, ctx) => referenced(ctx.loaders.machine.load(event.machineId), "Machine", event.machineId),
  },
  Machine: {
    statusHistory: (machine, args, ctx) =>
      ctx.loaders.statusHistory.load({ machineId: machine.id, from: args.from ?? null, to: args.to ?? null, limit: historyLimit(args.limit) }),
    downtimes: (machine, args, ctx) =>
      ctx.loaders.downtimes.load({ machineId: machine.id, from: args.from ?? null, to: args.to ?? null, limit: historyLimit(args.limit) }),
  },
  Downtime: {
    machine: (downtime, _, ctx) => referenced(ctx.loaders.machine.load(downtime.machineId), "Machine", downtime.machineId),
    reason: (downtime, _, ctx) => referenced(ctx.loaders.downtimeReason.load(downtime.reasonId), "Downtime reason", downtime.reasonId),
    durationMinutes: (downtime) => downtimeMinutes(downtime.startedAt, downtime.endedAt, new Date()),
  },
} satisfies Resolvers;

import { badUserInput, paginate, parseInput, requireId, withTx } from "@mes/shared";
import { referenced } from "./context.ts";
import { createPmScheduleInput, zHappened } from "./inputs.ts";
import { completeMaintenanceOrder, createPmSchedule, generateDueOrders, usageSinceReset } from "./maintenance.ts";
import type { Resolvers } from "./resolvers-types.generated.ts";

/** Preventive maintenance schedules and maintenance orders. */
export const maintenanceResolvers = {
  Query: {
    pmSchedules: (_, args, ctx) =>
      ctx.db.pmSchedule.findMany({ where: { plantId: requireId(args.plantId, "plantId") }, orderBy: [{ name: "asc" }, { id: "asc" }] }),
    maintenanceOrders: (_, args, ctx) => {
      const where = { plantId: requireId(args.plantId, "plantId"), ...(args.status?.length ? { status: { in: args.status } } : {}) };
      return paginate(
        args,
        (w) => ctx.db.maintenanceOrder.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "asc" }], ...w }),
        () => ctx.db.maintenanceOrder.count({ where }),
      );
    },
  },
  Mutation: {
    createPmSchedule: (_, args, ctx) => {
      const input = parseInput(createPmScheduleInput, args.input);
      return withTx(ctx.db, (tx) => createPmSchedule(tx, input));
    },
    checkPmSchedules: async (_, args, ctx) => {
      const plantId = requireId(args.plantId, "plantId");
      // Orders made "as of" a time to come would be made before they are due.
      const asOf = args.asOf == null ? new Date() : parseInput(zHappened, args.asOf, "asOf");
      if (!(await ctx.loaders.plant.load(plantId)))
        throw badUserInput(`Plant ${plantId} does not exist`, [{ field: "plantId", message: "no such plant" }]);
      return generateDueOrders(ctx.db, plantId, asOf);
    },
    completeMaintenanceOrder: (_, args, ctx) => withTx(ctx.db, (tx) => completeMaintenanceOrder(tx, requireId(args.id), ctx.actor)),
  },
  Machine: {
    pmSchedules: (machine, _, ctx) => ctx.loaders.pmSchedulesOfMachine.load(machine.id),
    maintenanceOrders: async (machine, args, ctx) => {
      const orders = await ctx.loaders.maintenanceOrdersOfMachine.load(machine.id);
      const states = args.status;
      return states?.length ? orders.filter((o) => states.includes(o.status)) : orders;
    },
  },
  PmSchedule: {
    machine: (schedule, _, ctx) => referenced(ctx.loaders.machine.load(schedule.machineId), "Machine", schedule.machineId),
    interval: (schedule) => schedule.interval.toNumber(),
    usage: (schedule, _, ctx) => usageSinceReset(ctx.db, schedule, new Date()),
  },
  MaintenanceOrder: {
    machine: (order, _, ctx) => referenced(ctx.loaders.machine.load(order.machineId), "Machine", order.machineId),
    schedule: (order, _, ctx) => (order.scheduleId ? ctx.loaders.pmSchedule.load(order.scheduleId) : null),
  },
} satisfies Resolvers;

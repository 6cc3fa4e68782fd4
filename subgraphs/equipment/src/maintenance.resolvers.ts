import { badUserInput, nestedPageKey, orderByOf, paginate, parseInput, requireId, withTx, clockNow, zText } from "@mes/shared";
import type { Prisma } from "./generated/prisma/client.ts";
import { referenced } from "./context.ts";
import { createPmScheduleInput, optionalWindow, zHappened } from "./inputs.ts";
import {
  cancelMaintenanceOrder,
  completeMaintenanceOrder,
  createPmSchedule,
  generateDueOrders,
  startMaintenanceOrder,
  usageSinceReset,
} from "./maintenance.ts";
import type { Resolvers } from "./resolvers-types.generated.ts";

const ORDER_ORDER = { CREATED_AT: "createdAt", NUMBER: "number", STATUS: "status", COMPLETED_AT: "completedAt" } as const;

// An empty or malformed id is the caller's mistake, named by its argument, never "no filter".
const optionalId = (value: string | null | undefined, name: string) => (value != null ? requireId(value, name) : null);

/** An optional [from, to) range on a column (`to` after `from` is checked by optionalWindow). */
const inRange = (from: Date | null | undefined, to: Date | null | undefined) =>
  from || to ? { ...(from ? { gte: from } : {}), ...(to ? { lt: to } : {}) } : undefined;

/** Preventive maintenance schedules and maintenance orders. */
export const maintenanceResolvers = {
  Query: {
    pmSchedules: (_, args, ctx) => {
      const plantId = optionalId(args.plantId, "plantId");
      return ctx.db.pmSchedule.findMany({ where: plantId ? { plantId } : {}, orderBy: [{ name: "asc" }, { plantId: "asc" }, { id: "asc" }] });
    },
    maintenanceOrders: (_, args, ctx) => {
      optionalWindow(args.from, args.to);
      const plantId = optionalId(args.plantId, "plantId");
      const machineId = optionalId(args.machineId, "machineId");
      const createdAt = inRange(args.from, args.to);
      const where: Prisma.MaintenanceOrderWhereInput = {
        ...(plantId ? { plantId } : {}),
        ...(machineId ? { machineId } : {}),
        ...(args.status?.length ? { status: { in: args.status } } : {}),
        ...(createdAt ? { createdAt } : {}),
      };
      const order = orderByOf(args.orderBy, ORDER_ORDER, [{ createdAt: "desc" }, { id: "asc" }]);
      return paginate(
        args,
        (w) => ctx.db.maintenanceOrder.findMany({ where, orderBy: order, ...w }),
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
      const asOf = args.asOf == null ? clockNow() : parseInput(zHappened, args.asOf, "asOf");
      if (!(await ctx.loaders.plant.load(plantId)))
        throw badUserInput(`Plant ${plantId} does not exist`, [{ field: "plantId", message: "no such plant" }]);
      return generateDueOrders(ctx.db, plantId, asOf);
    },
    startMaintenanceOrder: (_, args, ctx) => withTx(ctx.db, (tx) => startMaintenanceOrder(tx, requireId(args.id), ctx.actor)),
    completeMaintenanceOrder: (_, args, ctx) => withTx(ctx.db, (tx) => completeMaintenanceOrder(tx, requireId(args.id), ctx.actor)),
    cancelMaintenanceOrder: (_, args, ctx) => {
      const id = requireId(args.id);
      const reason = parseInput(zText, args.reason, "reason");
      return withTx(ctx.db, (tx) => cancelMaintenanceOrder(tx, id, ctx.actor, reason));
    },
  },
  Machine: {
    pmSchedules: (machine, _, ctx) => ctx.loaders.pmSchedulesOfMachine.load(machine.id),
    maintenanceOrders: (machine, args, ctx) => {
      optionalWindow(args.from, args.to);
      const filter = { status: args.status?.length ? args.status : null, from: args.from ?? null, to: args.to ?? null };
      return ctx.loaders.maintenanceOrdersOfMachine.load(nestedPageKey(machine.id, filter, args));
    },
  },
  PmSchedule: {
    machine: (schedule, _, ctx) => referenced(ctx.loaders.machine.load(schedule.machineId), "Machine", schedule.machineId),
    interval: (schedule) => schedule.interval.toNumber(),
    usage: (schedule, _, ctx) => usageSinceReset(ctx.db, schedule, clockNow()),
  },
  MaintenanceOrder: {
    machine: (order, _, ctx) => referenced(ctx.loaders.machine.load(order.machineId), "Machine", order.machineId),
    schedule: (order, _, ctx) => (order.scheduleId ? ctx.loaders.pmSchedule.load(order.scheduleId) : null),
  },
} satisfies Resolvers;

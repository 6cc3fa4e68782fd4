import { z } from "zod";
import {
  liveField, isTimeZone, badUserInput, decimalToNumber, paginate, parseInput, requireId, scalarResolvers,
  zCode, zId, zName, zQuantity, type Resolvers,
} from "@mes/shared";
import type { Area, Downtime, Machine, MachineState, Plant, Prisma, WorkCenter } from "./generated/prisma/client.ts";
import type { EquipmentContext } from "./context.ts";
import { groupOee, machinePerformanceFields, maintenanceResolvers } from "./maintenance-resolvers.ts";

const MAX_HISTORY = 1000;

const createPlantInput = z.object({
  code: zCode,
  name: zName,
  timeZone: z.string().refine(isTimeZone, "must be an IANA time zone such as Europe/Berlin"),
});
const createAreaInput = z.object({ plantId: zId, code: zCode, name: zName });
const createWorkCenterInput = z.object({ areaId: zId, code: zCode, name: zName });
const createMachineInput = z.object({ workCenterId: zId, code: zCode, name: zName, idealCycleSeconds: zQuantity });

interface WindowArgs { from?: Date | null; to?: Date | null; limit?: number | null }

function historyLimit(limit?: number | null): number {
  const take = limit ?? 100;
  if (!Number.isInteger(take) || take < 1 || take > MAX_HISTORY) throw badUserInput(`limit must be between 1 and ${MAX_HISTORY}`);
  return take;
}

async function parentOrFail<T>(lookup: Promise<T | null>, what: string, id: string, field: string): Promise<T> {
  const row = await lookup;
  if (!row) throw badUserInput(`${what} ${id} does not exist`, [{ field, message: `no such ${what.toLowerCase()}` }]);
  return row;
}

export const resolvers: Resolvers<EquipmentContext> = {
  ...scalarResolvers,
  ...maintenanceResolvers,
  Subscription: {
    machineStatusChanged: liveField<{ plantId?: string | null; machineId?: string | null; after?: string | null }>(
      ["MachineStatusChanged"],
      (e, a) => (!a.plantId || e.plantId === a.plantId) && (!a.machineId || e.aggregateId === a.machineId),
      (e) => e.payload,
    ),
  },
  MachineStatusEvent: {
    machine: (e: { machineId: string }, _: unknown, ctx: EquipmentContext) => ctx.loaders.machine.load(e.machineId),
  },
  Query: {
    ...maintenanceResolvers.Query,
    plant: (_: unknown, { id }: { id: string }, ctx: EquipmentContext) => ctx.loaders.plant.load(requireId(id)),
    // The caller's plants: the scoped client adds organization and plants.
    plants: (_: unknown, _args: unknown, ctx: EquipmentContext) => ctx.db.plant.findMany({ orderBy: { code: "asc" } }),
    workCenter: (_: unknown, { id }: { id: string }, ctx: EquipmentContext) => ctx.loaders.workCenter.load(requireId(id)),
    machine: (_: unknown, { id }: { id: string }, ctx: EquipmentContext) => ctx.loaders.machine.load(requireId(id)),
    machines: (_: unknown, args: { plantId?: string | null; workCenterId?: string | null; state?: MachineState[] | null; limit?: number; offset?: number }, ctx: EquipmentContext) => {
      const where: Prisma.MachineWhereInput = {
        ...(args.plantId ? { plantId: requireId(args.plantId, "plantId") } : {}),
        ...(args.workCenterId ? { workCenterId: requireId(args.workCenterId, "workCenterId") } : {}),
        ...(args.state?.length ? { state: { in: args.state } } : {}),
      };
      return paginate(args, (w) => ctx.db.machine.findMany({ where, orderBy: [{ code: "asc" }, { id: "asc" }], ...w }), () => ctx.db.machine.count({ where }));
    },
    downtimeReasons: (_: unknown, _args: unknown, ctx: EquipmentContext) => ctx.db.downtimeReason.findMany({ orderBy: { code: "asc" } }),
  },
  Mutation: {
    createPlant: (_: unknown, args: { input: unknown }, ctx: EquipmentContext) => ctx.db.plant.create({ data: { ...parseInput(createPlantInput, args.input), organizationId: ctx.tenant.organizationId } }),
    async createArea(_: unknown, args: { input: unknown }, ctx: EquipmentContext) {
      const input = parseInput(createAreaInput, args.input);
      const plant = await parentOrFail(ctx.db.plant.findUnique({ where: { id: input.plantId } }), "Plant", input.plantId, "input.plantId");
      return ctx.db.area.create({ data: { ...input, organizationId: plant.organizationId } });
    },
    async createWorkCenter(_: unknown, args: { input: unknown }, ctx: EquipmentContext) {
      const input = parseInput(createWorkCenterInput, args.input);
      const area = await parentOrFail(ctx.db.area.findUnique({ where: { id: input.areaId } }), "Area", input.areaId, "input.areaId");
      return ctx.db.workCenter.create({ data: { ...input, organizationId: area.organizationId, plantId: area.plantId } });
    },
    async createMachine(_: unknown, args: { input: unknown }, ctx: EquipmentContext) {
      const input = parseInput(createMachineInput, args.input);
      const wc = await parentOrFail(ctx.db.workCenter.findUnique({ where: { id: input.workCenterId } }), "Work center", input.workCenterId, "input.workCenterId");
      const now = new Date();
      return ctx.db.machine.create({
        data: {
          ...input, organizationId: wc.organizationId, plantId: wc.plantId, state: "IDLE", stateSince: now,
          statusHistory: { create: { organizationId: wc.organizationId, plantId: wc.plantId, state: "IDLE", startedAt: now } },
        },
      });
    },
    ...maintenanceResolvers.Mutation,
  },
  Plant: {
    __resolveReference: (r: { id: string }, ctx: EquipmentContext) => ctx.loaders.plant.load(r.id),
    areas: (p: Plant, _: unknown, ctx: EquipmentContext) => ctx.loaders.areasOfPlant.load(p.id),
    oee: groupOee((ctx, id) => ctx.loaders.machinesOfPlant.load(id)),
    workCenters: (p: Plant, _: unknown, ctx: EquipmentContext) => ctx.loaders.workCentersOfPlant.load(p.id),
    machines: async (p: Plant, args: { state?: MachineState[] | null }, ctx: EquipmentContext) => {
      const machines = await ctx.loaders.machinesOfPlant.load(p.id);
      return args.state?.length ? machines.filter((m) => args.state!.includes(m.state)) : machines;
    },
  },
  Area: {
    __resolveReference: (r: { id: string }, ctx: EquipmentContext) => ctx.loaders.area.load(r.id),
    plant: (a: Area, _: unknown, ctx: EquipmentContext) => ctx.loaders.plant.load(a.plantId),
    workCenters: (a: Area, _: unknown, ctx: EquipmentContext) => ctx.loaders.workCentersOfArea.load(a.id),
  },
  WorkCenter: {
    __resolveReference: (r: { id: string }, ctx: EquipmentContext) => ctx.loaders.workCenter.load(r.id),
    plant: (w: WorkCenter, _: unknown, ctx: EquipmentContext) => ctx.loaders.plant.load(w.plantId),
    area: (w: WorkCenter, _: unknown, ctx: EquipmentContext) => ctx.loaders.area.load(w.areaId),
    machines: (w: WorkCenter, _: unknown, ctx: EquipmentContext) => ctx.loaders.machinesOfWorkCenter.load(w.id),
    oee: groupOee((ctx, id) => ctx.loaders.machinesOfWorkCenter.load(id)),
  },
  Machine: {
    ...machinePerformanceFields,
    __resolveReference: (r: { id: string }, ctx: EquipmentContext) => ctx.loaders.machine.load(r.id),
    plant: (m: Machine, _: unknown, ctx: EquipmentContext) => ctx.loaders.plant.load(m.plantId),
    workCenter: (m: Machine, _: unknown, ctx: EquipmentContext) => ctx.loaders.workCenter.load(m.workCenterId),
    idealCycleSeconds: (m: Machine) => decimalToNumber(m.idealCycleSeconds),
    statusHistory: (m: Machine, args: WindowArgs, ctx: EquipmentContext) =>
      ctx.loaders.statusHistory.load({ machineId: m.id, from: args.from ?? null, to: args.to ?? null, limit: historyLimit(args.limit) }),
    downtimes: (m: Machine, args: WindowArgs, ctx: EquipmentContext) =>
      ctx.loaders.downtimes.load({ machineId: m.id, from: args.from ?? null, to: args.to ?? null, limit: historyLimit(args.limit) }),
  },
  Downtime: {
    machine: (d: Downtime, _: unknown, ctx: EquipmentContext) => ctx.loaders.machine.load(d.machineId),
    reason: (d: Downtime, _: unknown, ctx: EquipmentContext) => ctx.loaders.downtimeReason.load(d.reasonId),
    durationMinutes: (d: Downtime) => ((d.endedAt ?? new Date()).getTime() - d.startedAt.getTime()) / 60_000,
  },
};

import { z } from "zod";
import { badUserInput, decimalToNumber, paginate, parseInput, requireId, requireWindow, zDate, zId, zName, zText } from "@mes/shared";
import type { MaintenanceOrder, MaintenanceOrderStatus, Machine, MachineState, PmSchedule } from "./generated/prisma/client.ts";
import type { EquipmentContext } from "./context.ts";
import { logDowntime, setMachineState, type Tx } from "./machine-state.ts";
import { completeMaintenanceOrder, generateDueOrders, usageSinceReset } from "./maintenance.ts";
import { computeOee, oeeInputs, reliability } from "./performance.ts";
import { minutes, clip, span } from "./intervals.ts";

const MAX_WINDOW_DAYS = 366;
const code = z.string().trim().min(1, "must not be empty").max(64);
const logDowntimeInput = z.object({ machineId: zId, reasonCode: code, startedAt: zDate, endedAt: zDate, note: zText.nullish() })
  .refine((v) => v.startedAt < v.endedAt, { path: ["endedAt"], message: "must be after startedAt" });
const pmInput = z.object({
  machineId: zId, name: zName, trigger: z.enum(["CALENDAR", "RUN_HOURS", "CYCLES"]),
  interval: z.number().finite().positive("must be greater than 0").max(1e9), startsAt: zDate.nullish(),
});

function window(from: Date, to: Date) {
  requireWindow(from, to, MAX_WINDOW_DAYS);
  return { start: from.getTime(), end: to.getTime() };
}

async function oeeOf(ctx: EquipmentContext, machines: Machine[], from: Date, to: Date, breaks: { start: number; end: number }[] = []) {
  const w = window(from, to);
  const { downtimes, counts } = await oeeInputs(ctx.db, machines.map((m) => m.id), from, to);
  return computeOee(w, breaks, machines, downtimes, counts, new Date());
}

/** The shift as the gateway hands it over: its key plus the fields @requires asked shifts for. */
interface ShiftRepresentation {
  id: string;
  startsAt: string;
  endsAt: string;
  breakWindows?: { startsAt: string; endsAt: string }[];
  plant: { id: string };
}

export const maintenanceResolvers = {
  Query: {
    pmSchedules: (_: unknown, a: { plantId: string }, ctx: EquipmentContext) =>
      ctx.db.pmSchedule.findMany({ where: { plantId: requireId(a.plantId, "plantId") }, orderBy: [{ name: "asc" }, { id: "asc" }] }),
    maintenanceOrders: (_: unknown, a: { plantId: string; status?: MaintenanceOrderStatus[] | null; limit?: number; offset?: number }, ctx: EquipmentContext) => {
      const where = { plantId: requireId(a.plantId, "plantId"), ...(a.status?.length ? { status: { in: a.status } } : {}) };
      return paginate(a, (w) => ctx.db.maintenanceOrder.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "asc" }], ...w }), () => ctx.db.maintenanceOrder.count({ where }));
    },
  },
  Mutation: {
    setMachineState: (_: unknown, a: { machineId: string; state: MachineState; reasonCode?: string | null; note?: string | null }, ctx: EquipmentContext) => {
      const reasonCode = a.reasonCode == null ? null : parseInput(code, a.reasonCode, "reasonCode");
      const note = a.note == null ? null : parseInput(zText, a.note, "note");
      return ctx.db.$transaction((tx) => setMachineState(tx as Tx, requireId(a.machineId, "machineId"), a.state, ctx.actor, reasonCode, note));
    },
    logDowntime: (_: unknown, a: { input: unknown }, ctx: EquipmentContext) => {
      const input = parseInput(logDowntimeInput, a.input);
      return ctx.db.$transaction((tx) => logDowntime(tx as Tx, input, ctx.actor));
    },
    createPmSchedule: async (_: unknown, a: { input: unknown }, ctx: EquipmentContext) => {
      const { startsAt, ...input } = parseInput(pmInput, a.input);
      const machine = await ctx.loaders.machine.load(input.machineId);
      if (!machine) throw badUserInput(`Machine ${input.machineId} does not exist`, [{ field: "input.machineId", message: "no such machine" }]);
      return ctx.db.pmSchedule.create({ data: { ...input, organizationId: machine.organizationId, plantId: machine.plantId, lastResetAt: startsAt ?? new Date() } });
    },
    checkPmSchedules: (_: unknown, a: { plantId: string; asOf?: Date | null }, ctx: EquipmentContext) =>
      generateDueOrders(ctx.db, requireId(a.plantId, "plantId"), a.asOf ?? new Date()),
    completeMaintenanceOrder: (_: unknown, a: { id: string }, ctx: EquipmentContext) =>
      ctx.db.$transaction((tx) => completeMaintenanceOrder(tx as Tx, requireId(a.id), ctx.actor)),
  },
  PmSchedule: {
    machine: (s: PmSchedule, _: unknown, ctx: EquipmentContext) => ctx.loaders.machine.load(s.machineId),
    interval: (s: PmSchedule) => decimalToNumber(s.interval),
    usage: (s: PmSchedule, _: unknown, ctx: EquipmentContext) => usageSinceReset(ctx.db, s, new Date()),
  },
  MaintenanceOrder: {
    machine: (o: MaintenanceOrder, _: unknown, ctx: EquipmentContext) => ctx.loaders.machine.load(o.machineId),
    schedule: (o: MaintenanceOrder, _: unknown, ctx: EquipmentContext) => (o.scheduleId ? ctx.loaders.pmSchedule.load(o.scheduleId) : null),
  },
  Shift: {
    __resolveReference: (r: ShiftRepresentation) => r,
    downtimeMinutes: async (s: ShiftRepresentation, _: unknown, ctx: EquipmentContext) => {
      const from = new Date(s.startsAt), to = new Date(s.endsAt);
      const downtimes = await ctx.db.downtime.findMany({ where: { plantId: s.plant.id, startedAt: { lt: to }, OR: [{ endedAt: null }, { endedAt: { gt: from } }] } });
      return minutes(clip(downtimes.map((d) => span(d.startedAt, d.endedAt, new Date())), { start: from.getTime(), end: to.getTime() }));
    },
    oee: async (s: ShiftRepresentation, a: { machineId?: string | null; workCenterId?: string | null }, ctx: EquipmentContext) => {
      const where = a.machineId ? { id: requireId(a.machineId, "machineId") } : a.workCenterId ? { workCenterId: requireId(a.workCenterId, "workCenterId") } : {};
      const machines = await ctx.db.machine.findMany({ where: { plantId: s.plant.id, ...where } });
      if (a.machineId && machines.length === 0) throw badUserInput(`Machine ${a.machineId} is not at this shift's plant`, [{ field: "machineId", message: "not at this plant" }]);
      const breaks = (s.breakWindows ?? []).map((b) => ({ start: Date.parse(b.startsAt), end: Date.parse(b.endsAt) }));
      return oeeOf(ctx, machines, new Date(s.startsAt), new Date(s.endsAt), breaks);
    },
  },
};

/** Period OEE of a group of machines (a work center's or a plant's). */
export const groupOee = (load: (ctx: EquipmentContext, id: string) => Promise<Machine[]>) =>
  async (parent: { id: string }, a: { from: Date; to: Date }, ctx: EquipmentContext) => oeeOf(ctx, await load(ctx, parent.id), a.from, a.to);

export const machinePerformanceFields = {
  reliability: async (m: Machine, a: { from: Date; to: Date }, ctx: EquipmentContext) => {
    window(a.from, a.to);
    const { downtimes } = await oeeInputs(ctx.db, [m.id], a.from, a.to);
    return reliability(a.from, a.to, downtimes, new Date());
  },
  oee: (m: Machine, a: { from: Date; to: Date }, ctx: EquipmentContext) => oeeOf(ctx, [m], a.from, a.to),
  pmSchedules: (m: Machine, _: unknown, ctx: EquipmentContext) => ctx.loaders.pmSchedulesOfMachine.load(m.id),
  maintenanceOrders: async (m: Machine, a: { status?: MaintenanceOrderStatus[] | null }, ctx: EquipmentContext) => {
    const orders = await ctx.loaders.maintenanceOrdersOfMachine.load(m.id);
    return a.status?.length ? orders.filter((o) => a.status!.includes(o.status)) : orders;
  },
};

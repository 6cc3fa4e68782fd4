import { badUserInput, requireId, requireWindow } from "@mes/shared";
import { machineReliability, machinesOee, plannedTimeOfWindow, plantDowntimeMinutes, plantMachines } from "./performance-data.ts";
import type { Resolvers } from "./resolvers-types.generated.ts";

const MAX_WINDOW_DAYS = 366;

/** OEE and reliability of machines, work centers, plants and (for the shifts subgraph's Shift) shifts. */
export const performanceResolvers = {
  Plant: {
    oee: async (plant, { from, to }, ctx) => {
      requireWindow(from, to, MAX_WINDOW_DAYS);
      const planned = await plannedTimeOfWindow(ctx.loaders.shiftsBetween, plant.organizationId, plant.id, from, to);
      return machinesOee(ctx.db, await ctx.loaders.machinesOfPlant.load(plant.id), from, to, planned);
    },
  },
  WorkCenter: {
    oee: async (wc, { from, to }, ctx) => {
      requireWindow(from, to, MAX_WINDOW_DAYS);
      const planned = await plannedTimeOfWindow(ctx.loaders.shiftsBetween, wc.organizationId, wc.plantId, from, to);
      return machinesOee(ctx.db, await ctx.loaders.machinesOfWorkCenter.load(wc.id), from, to, planned);
    },
  },
  Machine: {
    reliability: (machine, { from, to }, ctx) => {
      requireWindow(from, to, MAX_WINDOW_DAYS);
      return machineReliability(ctx.db, machine.id, from, to);
    },
    oee: async (machine, { from, to }, ctx) => {
      requireWindow(from, to, MAX_WINDOW_DAYS);
      const planned = await plannedTimeOfWindow(ctx.loaders.shiftsBetween, machine.organizationId, machine.plantId, from, to);
      return machinesOee(ctx.db, [machine], from, to, planned);
    },
  },
  Shift: {
    // Equipment keeps no shifts: the representation (with the @requires fields) is the shift.
    __resolveReference: (ref) => ref,
    downtimeMinutes: (shift, _, ctx) => plantDowntimeMinutes(ctx.db, shift.plant.id, new Date(shift.startsAt), new Date(shift.endsAt)),
    oee: async (shift, args, ctx) => {
      const machineId = args.machineId != null ? requireId(args.machineId, "machineId") : undefined;
      const workCenterId = args.workCenterId != null ? requireId(args.workCenterId, "workCenterId") : undefined;
      if (machineId && workCenterId) {
        throw badUserInput("Give a machineId or a workCenterId, not both", [{ field: "workCenterId", message: "give it or machineId, not both" }]);
      }
      if (workCenterId && (await ctx.loaders.workCenter.load(workCenterId))?.plantId !== shift.plant.id) {
        throw badUserInput(`Work center ${workCenterId} is not at this shift's plant`, [{ field: "workCenterId", message: "not at this plant" }]);
      }
      const machines = await plantMachines(ctx.db, shift.plant.id, { machineId, workCenterId });
      if (machineId && machines.length === 0)
        throw badUserInput(`Machine ${machineId} is not at this shift's plant`, [{ field: "machineId", message: "not at this plant" }]);
      const from = new Date(shift.startsAt),
        to = new Date(shift.endsAt);
      requireWindow(from, to, MAX_WINDOW_DAYS);
      const breaks = (shift.breakWindows ?? []).map((b) => ({ start: Date.parse(b.startsAt), end: Date.parse(b.endsAt) }));
      // The shift is the planned operation time, with its own breaks; its counts follow production's rule (shiftId).
      return machinesOee(ctx.db, machines, from, to, { planned: [{ start: from.getTime(), end: to.getTime() }], breaks }, shift.id);
    },
  },
} satisfies Resolvers;

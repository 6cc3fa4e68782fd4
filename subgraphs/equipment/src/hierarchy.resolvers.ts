import { orderByOf, paginate, parseInput, requireId } from "@mes/shared";
import type { Prisma } from "./generated/prisma/client.ts";
import { referenced } from "./context.ts";
import { createAreaInput, createMachineInput, createPlantInput, createWorkCenterInput } from "./inputs.ts";
import { createArea, createMachine, createPlant, createWorkCenter } from "./hierarchy.ts";
import type { Resolvers } from "./resolvers-types.generated.ts";

const MACHINE_ORDER = { CODE: "code", NAME: "name", STATE: "state", STATE_SINCE: "stateSince" } as const;

/** Plants, areas, work centers and machines: lookups, references, creation. */
export const hierarchyResolvers = {
  Query: {
    plant: (_, { id }, ctx) => ctx.loaders.plant.load(requireId(id)),
    // The caller's plants: the scoped client adds organization and plants.
    plants: (_, __, ctx) => ctx.db.plant.findMany({ orderBy: { code: "asc" } }),
    workCenter: (_, { id }, ctx) => ctx.loaders.workCenter.load(requireId(id)),
    machine: (_, { id }, ctx) => ctx.loaders.machine.load(requireId(id)),
    machines: (_, args, ctx) => {
      const where: Prisma.MachineWhereInput = {
        ...(args.plantId != null ? { plantId: requireId(args.plantId, "plantId") } : {}),
        ...(args.workCenterId != null ? { workCenterId: requireId(args.workCenterId, "workCenterId") } : {}),
        ...(args.state?.length ? { state: { in: args.state } } : {}),
      };
      return paginate(
        args,
        (w) => ctx.db.machine.findMany({ where, orderBy: orderByOf(args.orderBy, MACHINE_ORDER, [{ code: "asc" }, { id: "asc" }]), ...w }),
        () => ctx.db.machine.count({ where }),
      );
    },
  },
  Mutation: {
    createPlant: (_, args, ctx) => createPlant(ctx.db, ctx.tenant.organizationId, parseInput(createPlantInput, args.input)),
    createArea: (_, args, ctx) => createArea(ctx.db, parseInput(createAreaInput, args.input)),
    createWorkCenter: (_, args, ctx) => createWorkCenter(ctx.db, parseInput(createWorkCenterInput, args.input)),
    createMachine: (_, args, ctx) => createMachine(ctx.db, parseInput(createMachineInput, args.input)),
  },
  Plant: {
    __resolveReference: (ref, ctx) => ctx.loaders.plant.load(ref.id),
    areas: (plant, _, ctx) => ctx.loaders.areasOfPlant.load(plant.id),
    workCenters: (plant, _, ctx) => ctx.loaders.workCentersOfPlant.load(plant.id),
    machines: async (plant, args, ctx) => {
      const machines = await ctx.loaders.machinesOfPlant.load(plant.id);
      const states = args.state;
      return states?.length ? machines.filter((m) => states.includes(m.state)) : machines;
    },
  },
  Area: {
    __resolveReference: (ref, ctx) => ctx.loaders.area.load(ref.id),
    plant: (area, _, ctx) => referenced(ctx.loaders.plant.load(area.plantId), "Plant", area.plantId),
    workCenters: (area, _, ctx) => ctx.loaders.workCentersOfArea.load(area.id),
  },
  WorkCenter: {
    __resolveReference: (ref, ctx) => ctx.loaders.workCenter.load(ref.id),
    plant: (wc, _, ctx) => referenced(ctx.loaders.plant.load(wc.plantId), "Plant", wc.plantId),
    area: (wc, _, ctx) => referenced(ctx.loaders.area.load(wc.areaId), "Area", wc.areaId),
    machines: (wc, _, ctx) => ctx.loaders.machinesOfWorkCenter.load(wc.id),
  },
  Machine: {
    __resolveReference: (ref, ctx) => ctx.loaders.machine.load(ref.id),
    plant: (machine, _, ctx) => referenced(ctx.loaders.plant.load(machine.plantId), "Plant", machine.plantId),
    workCenter: (machine, _, ctx) => referenced(ctx.loaders.workCenter.load(machine.workCenterId), "Work center", machine.workCenterId),
    idealCycleSeconds: (machine) => machine.idealCycleSeconds.toNumber(),
  },
} satisfies Resolvers;

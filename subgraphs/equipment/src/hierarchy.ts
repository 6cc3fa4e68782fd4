import { badUserInput, clockNow } from "@mes/shared";
import type { EquipmentTx } from "./context.ts";
import type { CreateAreaInput, CreateMachineInput, CreatePlantInput, CreateWorkCenterInput } from "./resolvers-types.generated.ts";

// The ISA-95 hierarchy: plant (site) > area > work center > machine. Each level is created under an
// existing parent, in the parent's organization and plant.

async function parentOrFail<T>(lookup: Promise<T | null>, what: string, id: string, field: string): Promise<T> {
  const row = await lookup;
  if (!row) throw badUserInput(`${what} ${id} does not exist`, [{ field, message: `no such ${what.toLowerCase()}` }]);
  return row;
}

export function createPlant(tx: EquipmentTx, organizationId: string, input: CreatePlantInput) {
  return tx.plant.create({ data: { ...input, organizationId } });
}

export async function createArea(tx: EquipmentTx, input: CreateAreaInput) {
  const plant = await parentOrFail(tx.plant.findUnique({ where: { id: input.plantId } }), "Plant", input.plantId, "input.plantId");
  return tx.area.create({ data: { ...input, organizationId: plant.organizationId } });
}

export async function createWorkCenter(tx: EquipmentTx, input: CreateWorkCenterInput) {
  const area = await parentOrFail(tx.area.findUnique({ where: { id: input.areaId } }), "Area", input.areaId, "input.areaId");
  return tx.workCenter.create({ data: { ...input, organizationId: area.organizationId, plantId: area.plantId } });
}

/** A new machine starts IDLE, with its first status interval. */
export async function createMachine(tx: EquipmentTx, input: CreateMachineInput) {
  const wc = await parentOrFail(
    tx.workCenter.findUnique({ where: { id: input.workCenterId } }),
    "Work center",
    input.workCenterId,
    "input.workCenterId",
  );
  const now = clockNow();
  return tx.machine.create({
    data: {
      ...input,
      organizationId: wc.organizationId,
      plantId: wc.plantId,
      state: "IDLE",
      stateSince: now,
      statusHistory: { create: { organizationId: wc.organizationId, plantId: wc.plantId, state: "IDLE", startedAt: now } },
    },
  });
}

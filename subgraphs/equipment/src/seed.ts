import { buildDemoData, type Logger } from "@mes/shared";
import type { EquipmentDb } from "./context.ts";

/** Seeds the demo plants, their hierarchy, machine states and downtime history. */
export async function seedDemo(db: EquipmentDb, log: Logger): Promise<void> {
  if ((await db.plant.count()) > 0) return;
  const demo = buildDemoData();
  const organizationId = demo.organizationId;
  const now = new Date();
  await db.$transaction(async (tx) => {
    await tx.downtimeReason.createMany({ data: demo.downtimeReasons.map((r) => ({ ...r, organizationId })) });
    const reasonId = new Map(demo.downtimeReasons.map((r) => [r.code, r.id]));
    for (const plant of demo.plants) {
      const tenant = { organizationId, plantId: plant.id };
      await tx.plant.create({ data: { id: plant.id, organizationId, code: plant.code, name: plant.name, timeZone: plant.timeZone } });
      await tx.area.createMany({ data: plant.areas.map((a) => ({ ...tenant, ...a })) });
      await tx.workCenter.createMany({ data: plant.workCenters.map((w) => ({ ...tenant, ...w })) });
      // Each machine entered its current state between 1 and 4 hours ago.
      const since = (i: number) => new Date(now.getTime() - (1 + (i % 4)) * 3_600_000);
      await tx.machine.createMany({ data: plant.machines.map((m, i) => ({ ...tenant, ...m, stateSince: since(i) })) });
      await tx.machineStatusChange.createMany({
        data: plant.machines.map((m, i) => ({ ...tenant, machineId: m.id, state: m.state, startedAt: since(i) })),
      });
      await tx.downtime.createMany({
        data: plant.downtimes.map((d) => ({ ...tenant, id: d.id, machineId: d.machineId, reasonId: reasonId.get(d.reasonCode)!, startedAt: d.startedAt, endedAt: d.endedAt, note: d.note })),
      });
    }
  }, { timeout: 60_000 });
  log.info({ plants: demo.plants.length }, "demo equipment data seeded");
}

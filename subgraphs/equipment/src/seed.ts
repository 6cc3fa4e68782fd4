import { buildDemoData, withTx, type Logger } from "@mes/shared";
import type { EquipmentDb } from "./context.ts";
import { generateDueOrders } from "./maintenance.ts";

/** Seeds the demo plants, their hierarchy, machine states and downtime history. */
export async function seedDemo(db: EquipmentDb, log: Logger): Promise<void> {
  if ((await db.plant.count()) > 0) return;
  const demo = buildDemoData();
  const organizationId = demo.organizationId;
  const now = new Date();
  await withTx(
    db,
    async (tx) => {
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
          data: plant.downtimes.map((d) => ({
            ...tenant,
            id: d.id,
            machineId: d.machineId,
            reasonId: reasonId.get(d.reasonCode)!,
            startedAt: d.startedAt,
            endedAt: d.endedAt,
            note: d.note,
          })),
        });
        // Weekly lubrication on each work center's first machine, last done 3 to 11 days ago (so some are
        // due), and a 200-run-hour inspection on the second.
        await tx.pmSchedule.createMany({
          data: plant.workCenters.flatMap((wc, i) => {
            const [first, second] = plant.machines.filter((m) => m.workCenterId === wc.id);
            return [
              {
                ...tenant,
                machineId: first!.id,
                name: "Weekly lubrication",
                trigger: "CALENDAR" as const,
                interval: 7,
                lastResetAt: new Date(now.getTime() - (3 + 2 * i) * 86_400_000),
              },
              ...(second
                ? [
                    {
                      ...tenant,
                      machineId: second.id,
                      name: "Spindle inspection",
                      trigger: "RUN_HOURS" as const,
                      interval: 200,
                      lastResetAt: new Date(now.getTime() - 30 * 86_400_000),
                    },
                  ]
                : []),
            ];
          }),
        });
      }
    },
    { timeout: 60_000 },
  );
  for (const plant of demo.plants) await generateDueOrders(db, plant.id, now);
  log.info({ plants: demo.plants.length }, "demo equipment data seeded");
}

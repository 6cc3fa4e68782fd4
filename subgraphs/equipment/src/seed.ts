import { buildDemoData, demoId, withTx, type DemoPlant, type Logger } from "@mes/shared";
import type { EquipmentDb } from "./context.ts";
import { generateDueOrders } from "./maintenance.ts";
import { pmOrderDescription, pmOrderNumber } from "./pm-rules.ts";

const HOUR = 3_600_000;

/**
 * A machine's recorded states: RUNNING between the past week's stops (set-ups, waits, breakdowns,
 * maintenance), then its current state from `since`. A RUNNING machine has run since its last stop.
 */
function statusRows(plant: DemoPlant, machine: DemoPlant["machines"][number], since: Date) {
  const rows: { state: DemoPlant["machines"][number]["state"]; startedAt: Date; endedAt: Date | null }[] = [];
  let cursor = plant.historyStart;
  const stops = plant.machineStops.filter((s) => s.machineId === machine.id).sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
  for (const stop of stops) {
    if (stop.startedAt > cursor) rows.push({ state: "RUNNING", startedAt: cursor, endedAt: stop.startedAt });
    rows.push({ state: stop.state, startedAt: stop.startedAt, endedAt: stop.endedAt });
    cursor = stop.endedAt;
  }
  if (machine.state === "RUNNING") rows.push({ state: "RUNNING", startedAt: cursor, endedAt: null });
  else {
    if (since > cursor) rows.push({ state: "RUNNING", startedAt: cursor, endedAt: since });
    rows.push({ state: machine.state, startedAt: since, endedAt: null });
  }
  return rows;
}

/** Seeds the demo plants, their hierarchy, the past week's machine states, downtime and maintenance. */
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
        // Each stopped machine entered its current state 1 to 4 hours ago, but not before the end of
        // the last full shift of the history (whose counts say it ran).
        const since = (i: number) => new Date(Math.max(now.getTime() - (1 + (i % 4)) * HOUR, plant.historyEnd.getTime()));
        const rows = plant.machines.map((m, i) => statusRows(plant, m, since(i)));
        await tx.machine.createMany({ data: plant.machines.map((m, i) => ({ ...tenant, ...m, stateSince: rows[i]!.at(-1)!.startedAt })) });
        await tx.machineStatusChange.createMany({
          data: plant.machines.flatMap((m, i) => rows[i]!.map((r) => ({ ...tenant, machineId: m.id, ...r }))),
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
        // A machine that is down or in maintenance has its open downtime with a reason since it stopped.
        const stopReason = { DOWN: "MECH", MAINTENANCE: "PM" } as const;
        await tx.downtime.createMany({
          data: plant.machines.flatMap((m, i) =>
            m.state === "DOWN" || m.state === "MAINTENANCE"
              ? [{ ...tenant, machineId: m.id, reasonId: reasonId.get(stopReason[m.state])!, startedAt: since(i), endedAt: null, note: null }]
              : [],
          ),
        });
        // Weekly lubrication on each work center's first machine, last done (a completed order of the
        // schedule's first generation) 3 to 11 days ago, so some are due again; and a 200-run-hour
        // inspection on the second.
        const lubrications = plant.workCenters.flatMap((wc) => {
          const [first] = plant.machines.filter((m) => m.workCenterId === wc.id);
          const done = plant.maintenance.find((x) => x.machineId === first?.id);
          return first && done ? [{ id: demoId(plant.code, "pm", wc.code, "lubrication"), machine: first, done }] : [];
        });
        const lubrication = { name: "Weekly lubrication", trigger: "CALENDAR" as const, interval: 7 };
        await tx.pmSchedule.createMany({
          data: [
            ...lubrications.map((l) => ({
              ...tenant,
              ...lubrication,
              id: l.id,
              machineId: l.machine.id,
              generation: 2,
              lastResetAt: l.done.endedAt,
            })),
            ...plant.workCenters.flatMap((wc) => {
              const second = plant.machines.filter((m) => m.workCenterId === wc.id)[1];
              return second
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
                : [];
            }),
          ],
        });
        await tx.maintenanceOrder.createMany({
          data: lubrications.map((l) => ({
            ...tenant,
            id: l.done.id,
            machineId: l.machine.id,
            scheduleId: l.id,
            generation: 1,
            number: pmOrderNumber(l.machine.code, l.id, 1),
            description: pmOrderDescription(lubrication.name, lubrication.trigger, String(lubrication.interval)),
            status: "COMPLETED" as const,
            createdAt: new Date(l.done.startedAt.getTime() - 24 * HOUR),
            completedAt: l.done.endedAt,
            completedBy: "demo-seed",
          })),
        });
      }
    },
    { timeout: 60_000 },
  );
  for (const plant of demo.plants) await generateDueOrders(db, plant.id, now);
  log.info({ plants: demo.plants.length }, "demo equipment data seeded");
}

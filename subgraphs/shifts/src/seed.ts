import { buildDemoData, withTx, type Logger } from "@mes/shared";
import type { ShiftsDb } from "./context.ts";
import { arrivalStatus } from "./attendance.ts";

/** Seeds shift patterns, crews, a week of past shifts and two days ahead, assignments and handovers. */
export async function seedDemo(db: ShiftsDb, log: Logger): Promise<void> {
  if ((await db.shiftPattern.count()) > 0) return;
  const demo = buildDemoData();
  const organizationId = demo.organizationId;
  const now = new Date();
  await withTx(
    db,
    async (tx) => {
      for (const plant of demo.plants) {
        const tenant = { organizationId, plantId: plant.id };
        await tx.shiftPattern.createMany({ data: plant.shiftPatterns.map((p) => ({ ...tenant, ...p, timeZone: plant.timeZone })) });
        await tx.crew.createMany({ data: plant.crews.map((c) => ({ ...tenant, id: c.id, name: c.name })) });
        await tx.crewMember.createMany({ data: plant.crews.flatMap((c) => c.members.map((m) => ({ ...m, crewId: c.id }))) });
        await tx.shift.createMany({ data: plant.shifts.map((sh) => ({ ...tenant, ...sh })) });
        const created = await tx.shift.findMany({ where: { plantId: plant.id }, orderBy: { startsAt: "asc" } });
        // Crews rotate through the three shifts of each day.
        await tx.crewAssignment.createMany({
          data: created.map((s, i) => ({ ...tenant, shiftId: s.id, crewId: plant.crews[i % plant.crews.length]!.id })),
        });
        const past = created.filter((s) => s.endsAt <= now);
        // The crew of each past shift clocked in around its start; on night shifts one of them came late.
        const nightPattern = plant.shiftPatterns.find((p) => p.name === "Night")?.id;
        await tx.attendance.createMany({
          data: past.flatMap((s) => {
            const i = created.indexOf(s);
            const members = plant.crews[i % plant.crews.length]!.members;
            return members.map((m, k) => {
              const lateOne = s.patternId === nightPattern && k === i % members.length;
              const clockIn = new Date(s.startsAt.getTime() + (lateOne ? 12 + ((i * 7) % 20) : -10 + k * 3) * 60_000);
              return {
                ...tenant,
                shiftId: s.id,
                personId: m.personId,
                status: arrivalStatus(s.startsAt, clockIn),
                clockIn,
                clockOut: new Date(s.endsAt.getTime() + k * 60_000),
              };
            });
          }),
        });
        await tx.handover.createMany({
          data: past.map((s, i) => {
            const supervisor = plant.crews[created.indexOf(s) % plant.crews.length]!.members[0]!;
            const last = i === past.length - 1;
            return {
              ...tenant,
              shiftId: s.id,
              createdBy: supervisor.personId,
              createdAt: new Date(s.endsAt.getTime() - 10 * 60_000),
              notes: last ? "Press brake 2 hydraulics noisy, maintenance informed. WO backlog on welding." : "Shift ran to plan.",
              openIssues: last ? ["Hydraulic noise on press brake 2", "Waiting for steel sheet delivery"] : [],
              // The latest handover is still waiting for the incoming supervisor.
              acknowledgedBy: last ? null : plant.crews[(created.indexOf(s) + 1) % plant.crews.length]!.members[0]!.personId,
              acknowledgedAt: last ? null : new Date(s.endsAt.getTime() + 5 * 60_000),
            };
          }),
        });
      }
    },
    { timeout: 60_000 },
  );
  log.info({ plants: demo.plants.length }, "demo shifts data seeded");
}

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql, mustQuery } from "./support/graphql.ts";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { createPlant, createProduct, createWorkOrder, type PlantFixture } from "./support/fixtures.ts";
import { actAs } from "./support/auth.ts";

const ORG = "dddddddd-eeee-4fff-8000-111111111111";
actAs({ organizationId: ORG });
let stack: TestStack;
let url: string;
let plant: PlantFixture;

beforeAll(async () => {
  stack = await startTestStack();
  url = stack.gatewayUrl;
  plant = await createPlant(url, ORG, "EQ", 3);
  // Reason codes are reference data of the organization.
  await stack.subgraphs.equipment.pool.query(
    `INSERT INTO "DowntimeReason" (id, "organizationId", code, description, kind) VALUES
     (gen_random_uuid(), $1, 'CHANGEOVER', 'Changeover', 'PLANNED'), (gen_random_uuid(), $1, 'MECH', 'Mechanical failure', 'UNPLANNED')`,
    [ORG],
  );
});
afterAll(async () => stack?.stop());

const logDowntime = (machineId: string, reasonCode: string, startedAt: string, endedAt: string) =>
  mustQuery(url, `mutation($i: LogDowntimeInput!) { logDowntime(input: $i) { durationMinutes reason { kind } } }`, {
    i: { machineId, reasonCode, startedAt, endedAt },
  });

describe("preventive maintenance", () => {
  it("generates exactly one maintenance order when a schedule falls due, also under concurrent triggers", async () => {
    const machine = plant.machineIds[0]!;
    const eightDaysAgo = new Date(Date.now() - 8 * 86_400_000).toISOString();
    const { createPmSchedule: pm } = await mustQuery(
      url,
      `mutation($m: ID!, $s: DateTime!) { createPmSchedule(input: { machineId: $m, name: "Weekly lubrication", trigger: CALENDAR, interval: 7, startsAt: $s }) { id generation usage } }`,
      { m: machine, s: eightDaysAgo },
    );
    expect(pm.usage).toBeCloseTo(8, 3);

    const check = () =>
      graphql(url, `mutation($p: ID!) { checkPmSchedules(plantId: $p) { number machine { code } schedule { name } } }`, { p: plant.plantId });
    const [a, b] = await Promise.all([check(), check()]);
    const created = [...a.data!.checkPmSchedules, ...b.data!.checkPmSchedules];
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ machine: { code: "M-1" }, schedule: { name: "Weekly lubrication" } });
    expect((await check()).data!.checkPmSchedules).toEqual([]);

    const { maintenanceOrders } = await mustQuery(
      url,
      `query($p: ID!) { maintenanceOrders(plantId: $p, status: [OPEN]) { totalCount items { id } } }`,
      { p: plant.plantId },
    );
    expect(maintenanceOrders.totalCount).toBe(1);
    const done = await mustQuery(url, `mutation($id: ID!) { completeMaintenanceOrder(id: $id) { status schedule { generation usage } } }`, {
      id: maintenanceOrders.items[0].id,
    });
    expect(done.completeMaintenanceOrder.status).toBe("COMPLETED");
    expect(done.completeMaintenanceOrder.schedule.generation).toBe(2);
    expect(done.completeMaintenanceOrder.schedule.usage).toBeLessThan(0.01);
    expect((await check()).data!.checkPmSchedules).toEqual([]);
    const again = await graphql(url, `mutation($id: ID!) { completeMaintenanceOrder(id: $id) { id } }`, { id: maintenanceOrders.items[0].id });
    expect(again.errors![0]!.extensions!.code).toBe("CONFLICT");
  });

  it("takes an order through its life: started once, cancelled with a reason, and a skipped PM occurrence is not generated again", async () => {
    const { createPmSchedule: pm } = await mustQuery(
      url,
      `mutation($m: ID!, $s: DateTime!) { createPmSchedule(input: { machineId: $m, name: "Belt inspection", trigger: CALENDAR, interval: 30, startsAt: $s }) { id } }`,
      { m: plant.machineIds[0], s: new Date(Date.now() - 31 * 86_400_000).toISOString() },
    );
    const check = async () =>
      (
        await mustQuery(url, `mutation($p: ID!) { checkPmSchedules(plantId: $p) { id schedule { id } } }`, { p: plant.plantId })
      ).checkPmSchedules.filter((o: { schedule: { id: string } }) => o.schedule.id === pm.id);
    const [order] = await check();
    const FIELDS = `status startedAt startedBy cancelledAt cancelledBy cancelReason completedAt schedule { generation usage }`;
    const start = () => graphql(url, `mutation($id: ID!) { startMaintenanceOrder(id: $id) { ${FIELDS} } }`, { id: order.id });

    // Two technicians start it at once: one does, the other is told it is IN_PROGRESS already.
    const starts = await Promise.all([start(), start()]);
    const started = starts.filter((r) => !r.errors);
    expect(started).toHaveLength(1);
    expect(started[0]!.data!.startMaintenanceOrder).toMatchObject({ status: "IN_PROGRESS", cancelledAt: null, completedAt: null });
    expect(started[0]!.data!.startMaintenanceOrder.startedBy).toEqual(expect.any(String));
    expect(starts.find((r) => r.errors)!.errors![0]!.extensions).toMatchObject({ code: "CONFLICT", status: "IN_PROGRESS" });

    const cancel = (reason: string) =>
      graphql(url, `mutation($id: ID!, $r: String!) { cancelMaintenanceOrder(id: $id, reason: $r) { ${FIELDS} } }`, { id: order.id, r: reason });
    expect((await cancel("   ")).errors![0]!.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ field: "reason" }] });
    const cancelled = (await cancel("Belt replaced during the overhaul")).data!.cancelMaintenanceOrder;
    expect(cancelled).toMatchObject({
      status: "CANCELLED",
      cancelReason: "Belt replaced during the overhaul",
      completedAt: null,
      schedule: { generation: 2 },
    });
    expect(cancelled.cancelledBy).toBe(started[0]!.data!.startMaintenanceOrder.startedBy);
    expect(cancelled.schedule.usage).toBeLessThan(0.01);
    // Counted again from the cancellation: not due, nothing generated.
    expect(await check()).toEqual([]);

    // An ended order moves no more.
    for (const again of [
      await start(),
      await cancel("again"),
      await graphql(url, `mutation($id: ID!) { completeMaintenanceOrder(id: $id) { id } }`, { id: order.id }),
    ])
      expect(again.errors![0]!.extensions).toMatchObject({ code: "CONFLICT", status: "CANCELLED" });
  });

  it("counts cycles from production logs for a usage-based schedule", async () => {
    const machine = plant.machineIds[1]!;
    await mustQuery(
      url,
      `mutation($m: ID!) { createPmSchedule(input: { machineId: $m, name: "Tool change", trigger: CYCLES, interval: 100 }) { id } }`,
      { m: machine },
    );
    const wo = await createWorkOrder(url, await createProduct(url, plant, "PM-CYC", 1), "WO-PM-CYC", 200);
    await mustQuery(url, `mutation($id: ID!, $m: ID!) { assignOperation(id: $id, machineId: $m) { id } }`, { id: wo.operations[0], m: machine });
    await mustQuery(url, `mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id: wo.id });
    await mustQuery(url, `mutation($id: ID!) { startOperation(id: $id) { id } }`, { id: wo.operations[0] });
    const log = (good: number, scrap: number) =>
      mustQuery(
        url,
        `mutation($id: ID!, $g: Float!, $s: Float!) { logProduction(input: { operationId: $id, goodQuantity: $g, scrapQuantity: $s }) { id } }`,
        { id: wo.operations[0], g: good, s: scrap },
      );
    await log(60, 5);
    await stack.subgraphs.equipment.consumers[0]!.drain();
    expect((await mustQuery(url, `mutation($p: ID!) { checkPmSchedules(plantId: $p) { number } }`, { p: plant.plantId })).checkPmSchedules).toEqual(
      [],
    );
    await log(34, 1); // 100 units since the schedule started
    await stack.subgraphs.equipment.consumers[0]!.drain();
    const due = await mustQuery(url, `mutation($p: ID!) { checkPmSchedules(plantId: $p) { schedule { name usage } } }`, { p: plant.plantId });
    expect(due.checkPmSchedules).toEqual([{ schedule: { name: "Tool change", usage: 100 } }]);
  });
});

describe("downtime and reliability", () => {
  it("gives MTBF and MTTR from logged downtime", async () => {
    const machine = plant.machineIds[2]!;
    await logDowntime(machine, "MECH", "2026-06-01T01:00:00Z", "2026-06-01T01:30:00Z");
    await logDowntime(machine, "MECH", "2026-06-01T05:00:00Z", "2026-06-01T06:00:00Z");
    const planned = await logDowntime(machine, "CHANGEOVER", "2026-06-01T08:00:00Z", "2026-06-01T08:20:00Z");
    expect(planned.logDowntime).toEqual({ durationMinutes: 20, reason: { kind: "PLANNED" } });
    const overlap = await graphql(url, `mutation($i: LogDowntimeInput!) { logDowntime(input: $i) { id } }`, {
      i: { machineId: machine, reasonCode: "MECH", startedAt: "2026-06-01T05:30:00Z", endedAt: "2026-06-01T05:45:00Z" },
    });
    // Downtime records of one machine never overlap: refused naming the field (issue 15).
    expect(overlap.errors![0]!.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ field: "input.startedAt" }] });

    const { machine: m } = await mustQuery(
      url,
      `query($id: ID!) { machine(id: $id) { reliability(from: "2026-06-01T00:00:00Z", to: "2026-06-01T10:00:00Z") {
      operatingHours failures mtbfHours repairs repairHours mttrHours } } }`,
      { id: machine },
    );
    // 600 min - 30 - 60 - 20 of downtime = 490 min operating; 2 failures; 90 min of repairs in 2 repairs.
    expect(m.reliability.operatingHours).toBeCloseTo(490 / 60, 10);
    expect(m.reliability.mtbfHours).toBeCloseTo(490 / 60 / 2, 10);
    expect(m.reliability).toMatchObject({ failures: 2, repairs: 2, repairHours: 1.5, mttrHours: 0.75 });
    const quiet = await mustQuery(
      url,
      `query($id: ID!) { machine(id: $id) { reliability(from: "2026-05-01T00:00:00Z", to: "2026-05-02T00:00:00Z") { operatingHours failures mtbfHours mttrHours } } }`,
      { id: machine },
    );
    expect(quiet.machine.reliability).toEqual({ operatingHours: 24, failures: 0, mtbfHours: null, mttrHours: null });
  });

  it("opens downtime when a machine goes DOWN and ends it when it runs again", async () => {
    const machine = plant.machineIds[0]!;
    const noReason = await graphql(url, `mutation($m: ID!) { setMachineState(machineId: $m, state: DOWN) { state } }`, { m: machine });
    expect(noReason.errors![0]!.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ field: "reasonCode", message: "is required" }] });
    await mustQuery(url, `mutation($m: ID!) { setMachineState(machineId: $m, state: DOWN, reasonCode: "MECH", note: "spindle noise") { state } }`, {
      m: machine,
    });
    await mustQuery(url, `mutation($m: ID!) { setMachineState(machineId: $m, state: RUNNING) { state } }`, { m: machine });
    const { machine: m } = await mustQuery(
      url,
      `query($id: ID!) { machine(id: $id) { state downtimes(limit: 1) { items { endedAt note reason { code } } } statusHistory(limit: 2) { items { state endedAt } } } }`,
      { id: machine },
    );
    expect(m.state).toBe("RUNNING");
    expect(m.downtimes.items[0]).toMatchObject({ note: "spindle noise", reason: { code: "MECH" } });
    expect(m.downtimes.items[0].endedAt).not.toBeNull();
    expect(m.statusHistory.items.map((h: { state: string }) => h.state)).toEqual(["RUNNING", "DOWN"]);
    const { rows } = await stack.subgraphs.equipment.pool.query(
      `SELECT payload->>'to' AS "to" FROM "OutboxEvent" WHERE type = 'MachineStatusChanged' AND "aggregateId" = $1 ORDER BY id`,
      [machine],
    );
    expect(rows.map((r) => r.to)).toEqual(["DOWN", "RUNNING"]);
  });
});

describe("a night shift's performance", () => {
  it("reports production, downtime and OEE across midnight with breaks and a planned stop", async () => {
    const machine = plant.machineIds[2]!;
    // Night shift 22:00-06:00 Berlin (winter, UTC+1): 21:00Z to 05:00Z; breaks 2 h and 4 h in.
    const { createShiftPattern: pattern } = await mustQuery(
      url,
      `mutation($p: ID!) { createShiftPattern(input: { plantId: $p, name: "Night", timeZone: "Europe/Berlin", startTime: "22:00", durationMinutes: 480,
      breaks: [{ startOffsetMinutes: 120, durationMinutes: 15 }, { startOffsetMinutes: 240, durationMinutes: 30 }] }) { id } }`,
      { p: plant.plantId },
    );
    const {
      generateShifts: [shift],
    } = await mustQuery(
      url,
      `mutation($id: ID!) { generateShifts(patternId: $id, fromDate: "2026-01-14", toDate: "2026-01-14") { id startsAt endsAt } }`,
      { id: pattern.id },
    );
    expect(shift).toMatchObject({ startsAt: "2026-01-14T21:00:00.000Z", endsAt: "2026-01-15T05:00:00.000Z" });

    await logDowntime(machine, "CHANGEOVER", "2026-01-15T02:00:00Z", "2026-01-15T02:30:00Z"); // planned stop, 30 min
    await logDowntime(machine, "MECH", "2026-01-15T03:00:00Z", "2026-01-15T03:40:00Z"); // failure, 40 min
    const wo = await createWorkOrder(url, await createProduct(url, plant, "OEE-P", 1), "WO-OEE", 1000);
    await mustQuery(url, `mutation($id: ID!, $m: ID!) { assignOperation(id: $id, machineId: $m) { id } }`, { id: wo.operations[0], m: machine });
    await mustQuery(url, `mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id: wo.id });
    await mustQuery(url, `mutation($id: ID!) { startOperation(id: $id) { id } }`, { id: wo.operations[0] });
    for (const [good, scrap, at] of [
      [400, 12, "2026-01-14T23:50:00Z"],
      [300, 8, "2026-01-15T04:30:00Z"],
    ] as const) {
      await mustQuery(url, `mutation($i: LogProductionInput!) { logProduction(input: $i) { id } }`, {
        i: { operationId: wo.operations[0], goodQuantity: good, scrapQuantity: scrap, shiftId: shift.id, loggedAt: at },
      });
    }
    await stack.subgraphs.equipment.consumers[0]!.drain();
    // Period OEE below plans by equipment's copy of the shift calendar.
    await stack.subgraphs.equipment.consumers.find((c) => c.status?.().feed === "equipment<-shifts:references")!.drain();

    const { shift: s } = await mustQuery(
      url,
      `query($id: ID!, $m: ID!) { shift(id: $id) { name producedQuantity scrappedQuantity downtimeMinutes
      oee(machineId: $m) { availability performance quality oee plannedProductionMinutes runMinutes breakMinutes plannedDowntimeMinutes unplannedDowntimeMinutes totalCount goodCount idealRunMinutes } } }`,
      { id: shift.id, m: machine },
    );
    // 480 min - 45 min breaks - 30 min planned stop = 405 planned; - 40 min failure = 365 run.
    // 720 units x 30 s ideal = 360 min. A = 365/405, P = 360/365, Q = 700/720.
    expect(s).toMatchObject({ name: "Night", producedQuantity: 700, scrappedQuantity: 20, downtimeMinutes: 70 });
    expect(s.oee).toMatchObject({
      plannedProductionMinutes: 405,
      runMinutes: 365,
      breakMinutes: 45,
      plannedDowntimeMinutes: 30,
      unplannedDowntimeMinutes: 40,
      totalCount: 720,
      goodCount: 700,
      idealRunMinutes: 360,
    });
    expect(s.oee.availability).toBeCloseTo(365 / 405, 12);
    expect(s.oee.performance).toBeCloseTo(360 / 365, 12);
    expect(s.oee.quality).toBeCloseTo(700 / 720, 12);
    expect(s.oee.oee).toBeCloseTo((365 / 405) * (360 / 365) * (700 / 720), 12);

    // The same period for the work center and the plant: the other machines add planned and run
    // time (no downtime, no counts), so Availability rises and Performance falls.
    const period = await mustQuery(
      url,
      `query($w: ID!, $p: ID!) { workCenter(id: $w) { oee(from: "2026-01-14T21:00:00Z", to: "2026-01-15T05:00:00Z") { plannedProductionMinutes runMinutes totalCount } }
      plant(id: $p) { oee(from: "2026-01-14T21:00:00Z", to: "2026-01-15T05:00:00Z") { plannedProductionMinutes runMinutes totalCount goodCount } } }`,
      { w: plant.workCenterId, p: plant.plantId },
    );
    // The night shift is the period's calendar, its 45 minutes of breaks taken out as Shift.oee takes
    // them out: this machine 405 planned, 365 run (as above); the two others 480 - 45 = 435 each.
    expect(period.workCenter.oee).toEqual({ plannedProductionMinutes: 405 + 870, runMinutes: 365 + 870, totalCount: 720 });
    expect(period.plant.oee).toMatchObject({ plannedProductionMinutes: 1275, runMinutes: 1235, goodCount: 700 });

    // A machine that ran without making anything: Performance is 0 of its run time; Quality has
    // no denominator (0 units), so it and OEE are null rather than NaN.
    const idle = await mustQuery(url, `query($id: ID!, $m: ID!) { shift(id: $id) { oee(machineId: $m) { availability performance quality oee } } }`, {
      id: shift.id,
      m: plant.machineIds[0],
    });
    expect(idle.shift.oee).toEqual({ availability: 1, performance: 0, quality: null, oee: null });
  });
});

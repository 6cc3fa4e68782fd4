import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql, mustQuery } from "./support/graphql.ts";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { createPlant, createProduct, createWorkOrder, type PlantFixture } from "./support/fixtures.ts";
import { actAs } from "./support/auth.ts";

// Issue 15, equipment: downtime reasons and overlaps, "down now and why", PM generations.
// Expected values are worked out by hand in the comments; docs/kpis/equipment.md has the formulas.

const ORG = "dddddddd-eeee-4fff-8000-151515151515";
actAs({ organizationId: ORG });
let stack: TestStack;
let url: string;
let plant: PlantFixture;

interface DowntimeRow {
  startedAt: string;
  endedAt: string | null;
  note: string | null;
  reason: { code: string; kind: string };
}

beforeAll(async () => {
  stack = await startTestStack();
  url = stack.gatewayUrl;
  plant = await createPlant(url, ORG, "NUM", 6);
  await stack.subgraphs.equipment.pool.query(
    `INSERT INTO "DowntimeReason" (id, "organizationId", code, description, kind) VALUES
     (gen_random_uuid(), $1, 'PM', 'Preventive maintenance', 'PLANNED'), (gen_random_uuid(), $1, 'MECH', 'Mechanical failure', 'UNPLANNED'),
     (gen_random_uuid(), $1, 'ELEC', 'Electrical failure', 'UNPLANNED')`,
    [ORG],
  );
});
afterAll(async () => stack?.stop());

const setState = (machineId: string, state: string, reasonCode?: string, note?: string) =>
  graphql(
    url,
    `mutation($m: ID!, $s: MachineState!, $r: String, $n: String) { setMachineState(machineId: $m, state: $s, reasonCode: $r, note: $n) { state } }`,
    {
      m: machineId,
      s: state,
      r: reasonCode ?? null,
      n: note ?? null,
    },
  );

async function downtimesOf(machineId: string): Promise<DowntimeRow[]> {
  const { machine } = await mustQuery(
    url,
    `query($id: ID!) { machine(id: $id) { downtimes(limit: 100) { hasMore items { startedAt endedAt note reason { code kind } } } } }`,
    {
      id: machineId,
    },
  );
  expect(machine.downtimes.hasMore).toBe(false); // every downtime of the machine is on this page
  return (machine.downtimes.items as DowntimeRow[]).slice().reverse(); // oldest first
}

/** Each record ends no later than the next one starts; only the last may be open. */
function expectNoOverlap(rows: DowntimeRow[]) {
  rows.slice(0, -1).forEach((row, i) => {
    expect(row.endedAt, `downtime ${i} is closed`).not.toBeNull();
    expect(Date.parse(row.endedAt!)).toBeLessThanOrEqual(Date.parse(rows[i + 1]!.startedAt));
  });
}

const reliabilityOf = async (machineId: string, from: Date, to: Date) =>
  (
    await mustQuery(
      url,
      `query($id: ID!, $f: DateTime!, $t: DateTime!) { machine(id: $id) { reliability(from: $f, to: $t) { operatingHours failures mtbfHours repairs repairHours mttrHours } } }`,
      { id: machineId, f: from.toISOString(), t: to.toISOString() },
    )
  ).machine.reliability;

describe("a downtime's reason is never lost", () => {
  it("planned maintenance, then DOWN with a mechanical failure: one PLANNED record, then one UNPLANNED; failures = 1", async () => {
    const machine = plant.machineIds[0]!;
    const from = new Date(Date.now() - 3_600_000);
    for (const [state, reason] of [["MAINTENANCE", "PM"], ["DOWN", "MECH"], ["RUNNING"]] as const) {
      expect((await setState(machine, state, reason)).errors).toBeUndefined();
    }
    const rows = await downtimesOf(machine);
    expect(rows.map((r) => [r.reason.code, r.reason.kind])).toEqual([
      ["PM", "PLANNED"],
      ["MECH", "UNPLANNED"],
    ]);
    expectNoOverlap(rows);
    expect(rows[0]!.endedAt).toBe(rows[1]!.startedAt); // the second starts where the first ends
    const r = await reliabilityOf(machine, from, new Date(Date.now() + 3_600_000));
    expect(r).toMatchObject({ failures: 1, repairs: 1 });
    expect(r.repairHours * 3_600_000).toBeCloseTo(Date.parse(rows[1]!.endedAt!) - Date.parse(rows[1]!.startedAt), 3);
  });

  it("DOWN, then maintenance: the repair ends where the maintenance starts and the maintenance is not repair time", async () => {
    const machine = plant.machineIds[1]!;
    const from = new Date(Date.now() - 3_600_000);
    await setState(machine, "DOWN", "MECH", "bearing");
    await setState(machine, "MAINTENANCE", "PM", "planned overhaul while down");
    await new Promise((r) => setTimeout(r, 300)); // the maintenance lasts longer than the repair
    await setState(machine, "RUNNING");
    const rows = await downtimesOf(machine);
    expect(rows.map((r) => [r.reason.code, r.note])).toEqual([
      ["MECH", "bearing"],
      ["PM", "planned overhaul while down"],
    ]);
    expectNoOverlap(rows);
    const r = await reliabilityOf(machine, from, new Date(Date.now() + 3_600_000));
    expect(r).toMatchObject({ failures: 1, repairs: 1 });
    const repairMs = Date.parse(rows[0]!.endedAt!) - Date.parse(rows[0]!.startedAt);
    expect(r.repairHours * 3_600_000).toBeCloseTo(repairMs, 3);
    expect(repairMs).toBeLessThan(Date.parse(rows[1]!.endedAt!) - Date.parse(rows[1]!.startedAt));
  });

  it("keeps records of one machine apart under 12 simultaneous state changes", async () => {
    const machine = plant.machineIds[2]!;
    const changes = [["DOWN", "MECH"], ["MAINTENANCE", "PM"], ["RUNNING"], ["DOWN", "ELEC"], ["IDLE"], ["MAINTENANCE", "PM"]] as const;
    const answers = await Promise.all([...changes, ...changes].map(([s, r]) => setState(machine, s, r)));
    expect(answers.flatMap((a) => a.errors ?? [])).toEqual([]);
    const rows = await downtimesOf(machine);
    expect(rows.length).toBeGreaterThan(0);
    expectNoOverlap(rows);
    const { machine: m } = await mustQuery(url, `query($id: ID!) { machine(id: $id) { state openDowntime { reason { code } } } }`, { id: machine });
    const stopped = m.state === "DOWN" || m.state === "MAINTENANCE";
    expect(rows.filter((r) => r.endedAt === null)).toHaveLength(rows.at(-1)!.endedAt === null ? 1 : 0);
    if (stopped) expect(m.openDowntime).not.toBeNull();
    if (m.state === "RUNNING") expect(m.openDowntime).toBeNull();
  });

  it("refuses an overlapping downtime in the database too (a writer that skips the check)", async () => {
    const machine = plant.machineIds[3]!;
    const insert = (start: string, end: string) =>
      stack.subgraphs.equipment.pool.query(
        `INSERT INTO "Downtime" (id, "organizationId", "plantId", "machineId", "reasonId", "startedAt", "endedAt")
         SELECT gen_random_uuid(), $1, $2, $3, id, $4, $5 FROM "DowntimeReason" WHERE "organizationId" = $1 AND code = 'MECH'`,
        [ORG, plant.plantId, machine, start, end],
      );
    await insert("2026-02-01T08:00:00Z", "2026-02-01T09:00:00Z");
    await expect(insert("2026-02-01T08:30:00Z", "2026-02-01T08:45:00Z")).rejects.toMatchObject({ code: "23P01" });
    await expect(insert("2026-02-01T07:00:00Z", "2026-02-01T06:00:00Z")).rejects.toMatchObject({ code: "23514" });
    await insert("2026-02-01T09:00:00Z", "2026-02-01T09:10:00Z"); // touching is not overlapping
  });
});

describe("logDowntime never overlaps recorded downtime", () => {
  const log = (machineId: string, startedAt: string, endedAt: string) =>
    graphql(url, `mutation($i: LogDowntimeInput!) { logDowntime(input: $i) { id startedAt endedAt } }`, {
      i: { machineId, reasonCode: "MECH", startedAt, endedAt },
    });

  it("refuses naming the field that reaches into a recorded downtime, and writes nothing", async () => {
    const machine = plant.machineIds[4]!;
    expect((await log(machine, "2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z")).errors).toBeUndefined();
    const endsInside = await log(machine, "2026-03-02T09:30:00Z", "2026-03-02T10:15:00Z");
    expect(endsInside.errors![0]!.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ field: "input.endedAt" }] });
    const startsInside = await log(machine, "2026-03-02T10:59:00Z", "2026-03-02T12:00:00Z");
    expect(startsInside.errors![0]!.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ field: "input.startedAt" }] });
    const covers = await log(machine, "2026-03-02T09:00:00Z", "2026-03-02T12:00:00Z");
    expect(covers.errors![0]!.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ field: "input.endedAt" }] });
    expect((await log(machine, "2026-03-02T11:00:00Z", "2026-03-02T11:30:00Z")).errors).toBeUndefined(); // right after
    expect((await downtimesOf(machine)).map((r) => r.startedAt)).toEqual(["2026-03-02T10:00:00.000Z", "2026-03-02T11:00:00.000Z"]);
  });

  it("refuses a downtime after the start of the open one, and stores an end ahead of the clock as now", async () => {
    const machine = plant.machineIds[4]!;
    const before = Date.now();
    const ahead = new Date(before + 2 * 60_000).toISOString(); // within the 5 minutes of clock skew
    const logged = await log(machine, new Date(before - 10 * 60_000).toISOString(), ahead);
    expect(logged.errors).toBeUndefined();
    expect(Date.parse(logged.data!.logDowntime.endedAt)).toBeLessThanOrEqual(Date.now());
    await setState(machine, "DOWN", "ELEC"); // opens at now, after the logged one's end
    const { machine: m } = await mustQuery(url, `query($id: ID!) { machine(id: $id) { openDowntime { startedAt } } }`, { id: machine });
    await new Promise((r) => setTimeout(r, 50));
    const openStart = Date.parse(m.openDowntime.startedAt);
    const later = await log(machine, new Date(openStart + 10).toISOString(), new Date().toISOString());
    expect(later.errors![0]!.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ field: "input.startedAt" }] });
    expectNoOverlap(await downtimesOf(machine));
  });
});

describe("which machines are down right now and why", () => {
  it("answers in one query: machines by state with their open downtime and its reason", async () => {
    // machineIds[4] is DOWN (ELEC) from the test above; machineIds[5] goes into maintenance.
    await setState(plant.machineIds[5]!, "MAINTENANCE", "PM", "spindle bearings");
    const { machines } = await mustQuery(
      url,
      `query($p: ID!) { machines(plantId: $p, state: [DOWN, MAINTENANCE], limit: 100) { items { code state openDowntime { note durationMinutes reason { code description kind } } } } }`,
      { p: plant.plantId },
    );
    const down = machines.items.filter((m: { code: string }) => m.code === "M-5" || m.code === "M-6");
    expect(
      down.map((m: { code: string; state: string; openDowntime: { reason: { code: string; kind: string }; note: string | null } }) => [
        m.code,
        m.state,
        m.openDowntime.reason.code,
        m.openDowntime.reason.kind,
        m.openDowntime.note,
      ]),
    ).toEqual([
      ["M-5", "DOWN", "ELEC", "UNPLANNED", null],
      ["M-6", "MAINTENANCE", "PM", "PLANNED", "spindle bearings"],
    ]);
    for (const m of machines.items) expect(m.openDowntime, `${m.code} is stopped and has its reason`).not.toBeNull();
  });
});

describe("checkPmSchedules never acts on time to come", () => {
  it("refuses an asOf in the future beyond the clock skew, counts one within it as now, and makes the order when it is due", async () => {
    const machine = plant.machineIds[0]!;
    // Due 0.0001 days (8.64 s) after its start, which was 2 s ago.
    const { createPmSchedule: pm } = await mustQuery(
      url,
      `mutation($m: ID!, $s: DateTime!) { createPmSchedule(input: { machineId: $m, name: "Short cycle", trigger: CALENDAR, interval: 0.0001, startsAt: $s }) { id generation } }`,
      { m: machine, s: new Date(Date.now() - 2000).toISOString() },
    );
    const check = (asOf?: string) =>
      graphql(url, `mutation($p: ID!, $a: DateTime) { checkPmSchedules(plantId: $p, asOf: $a) { number schedule { id generation } } }`, {
        p: plant.plantId,
        a: asOf ?? null,
      });
    const tomorrow = await check(new Date(Date.now() + 86_400_000).toISOString());
    expect(tomorrow.errors![0]!.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ field: "asOf" }] });
    const withinSkew = await check(new Date(Date.now() + 4 * 60_000).toISOString());
    expect(withinSkew.data!.checkPmSchedules).toEqual([]);
    const ordersOf = async () =>
      (
        await mustQuery(url, `query($id: ID!) { machine(id: $id) { maintenanceOrders { items { number schedule { id generation } } } } }`, {
          id: machine,
        })
      ).machine.maintenanceOrders.items as { schedule: { id: string; generation: number } | null }[];
    expect((await ordersOf()).filter((o) => o.schedule?.id === pm.id)).toEqual([]);

    await new Promise((r) => setTimeout(r, 7500));
    const due = await check();
    expect(due.errors).toBeUndefined();
    const mine = (await ordersOf()).filter((o) => o.schedule?.id === pm.id);
    expect(mine).toHaveLength(1); // made by this check or the periodic one, once
    expect(mine[0]!.schedule!.generation).toBe(1);
    expect((await check()).data!.checkPmSchedules.filter((o: { schedule: { id: string } }) => o.schedule.id === pm.id)).toEqual([]);
  });
});

describe("OEE and reliability of a shift that is under way", () => {
  it("counts eleven minutes into a shift only those minutes, and idle machines as planned but not run", async () => {
    const p = await createPlant(url, ORG, "NOW", 3);
    const [m1, m2, m3] = p.machineIds as [string, string, string];
    const shiftStart = new Date(Date.now() - 11 * 60_000);
    const shiftEnd = new Date(shiftStart.getTime() + 8 * 3_600_000);
    // M-1 and M-2 have been RUNNING since the shift started, M-3 IDLE since before it.
    await stack.subgraphs.equipment.pool.query(
      `UPDATE "MachineStatusChange" SET state = CASE WHEN "machineId" = $3 THEN 'IDLE'::"MachineState" ELSE 'RUNNING'::"MachineState" END,
         "startedAt" = CASE WHEN "machineId" = $3 THEN $2::timestamp - interval '1 hour' ELSE $2::timestamp END WHERE "machineId" = ANY($1::uuid[])`,
      [[m1, m2, m3], shiftStart.toISOString().replace("Z", ""), m3],
    );
    // Period OEE plans by the plant's shift calendar: a shift (from the minute before) covering the window.
    const startMinute = new Date(Math.floor(shiftStart.getTime() / 60_000) * 60_000);
    const { createShiftPattern: pattern } = await mustQuery(
      url,
      `mutation($p: ID!, $s: String!) { createShiftPattern(input: { plantId: $p, name: "Now", timeZone: "UTC", startTime: $s, durationMinutes: 480 }) { id } }`,
      { p: p.plantId, s: startMinute.toISOString().slice(11, 16) },
    );
    await mustQuery(url, `mutation($id: ID!, $d: Date!) { generateShifts(patternId: $id, fromDate: $d, toDate: $d) { id } }`, {
      id: pattern.id,
      d: startMinute.toISOString().slice(0, 10),
    });
    await stack.subgraphs.equipment.consumers.find((c) => c.status?.().feed === "equipment<-shifts:references")!.drain();
    const wo = await createWorkOrder(url, await createProduct(url, p, "NOW-P", 1), "WO-NOW", 100);
    await mustQuery(url, `mutation($id: ID!, $m: ID!) { assignOperation(id: $id, machineId: $m) { id } }`, { id: wo.operations[0], m: m1 });
    await mustQuery(url, `mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id: wo.id });
    await mustQuery(url, `mutation($id: ID!) { startOperation(id: $id) { id } }`, { id: wo.operations[0] });
    await mustQuery(url, `mutation($i: LogProductionInput!) { logProduction(input: $i) { id } }`, {
      i: { operationId: wo.operations[0], goodQuantity: 18, scrapQuantity: 2 },
    });
    await stack.subgraphs.equipment.consumers[0]!.drain();

    const { plant: res } = await mustQuery(
      url,
      `query($p: ID!, $f: DateTime!, $t: DateTime!) { plant(id: $p) { oee(from: $f, to: $t) {
        plannedProductionMinutes runMinutes idleMinutes totalCount idealRunMinutes idealGoodMinutes availability performance quality oee } } }`,
      { p: p.plantId, f: shiftStart.toISOString(), t: shiftEnd.toISOString() },
    );
    const sofar = res.oee.plannedProductionMinutes / 3; // minutes of the shift that have happened
    expect(sofar).toBeGreaterThanOrEqual(11);
    expect(sofar).toBeLessThanOrEqual(11 + (Date.now() - shiftStart.getTime() - 11 * 60_000) / 60_000);
    // Two machines ran those minutes, the idle one did not; 20 units x 30 s = 10 ideal minutes, 9 good.
    expect(res.oee.runMinutes).toBeCloseTo(2 * sofar, 6);
    expect(res.oee.idleMinutes).toBeCloseTo(sofar, 6);
    expect(res.oee).toMatchObject({ totalCount: 20, idealRunMinutes: 10, idealGoodMinutes: 9, quality: 0.9 });
    expect(res.oee.availability).toBeCloseTo(2 / 3, 6);
    expect(res.oee.oee).toBeCloseTo(9 / res.oee.plannedProductionMinutes, 9); // about 27%, not 9/1440 = 0.6%
    expect(res.oee.oee).toBeGreaterThan(0.25);

    // MTBF over the whole shift counts only what has happened: about 11 minutes of operation.
    const r = await reliabilityOf(m1, shiftStart, shiftEnd);
    expect(r.operatingHours * 60).toBeGreaterThanOrEqual(11);
    expect(r.operatingHours * 60).toBeLessThanOrEqual((Date.now() - shiftStart.getTime()) / 60_000);
    expect(r).toMatchObject({ failures: 0, mtbfHours: null, repairs: 0, mttrHours: null });
  });
});

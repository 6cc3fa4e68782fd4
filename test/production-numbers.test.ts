// Production's numbers through the whole stack, each expected value worked out by hand first:
// schedule precedence across unplanned steps, one machine-lane rule for assign and reschedule
// (also under concurrency), CPM slack, KPIs of a window ending in the future, shift attribution
// of production logs, and a work order's material requirements.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql, mustQuery } from "./support/graphql.ts";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { createPlant, createProduct, createWorkOrder, type PlantFixture } from "./support/fixtures.ts";
import { actAs } from "./support/auth.ts";

const ORG = "21111111-2222-4333-8444-555555555515";
actAs({ organizationId: ORG });
let stack: TestStack;
let url: string;
let plant: PlantFixture;

beforeAll(async () => {
  stack = await startTestStack();
  url = stack.gatewayUrl;
  plant = await createPlant(url, ORG, "NUM");
});
afterAll(async () => stack?.stop());

const T = (hhmm: string, day = "2027-03-01") => `${day}T${hhmm}:00Z`;
const RESCHEDULE = `mutation($i: RescheduleOperationInput!) { rescheduleOperation(input: $i) { id } }`;
const ASSIGN = `mutation($id: ID!, $m: ID!) { assignOperation(id: $id, machineId: $m) { id machine { id } } }`;
const move = (operationId: string, start: string, end: string, machineId?: string) =>
  graphql(url, RESCHEDULE, { i: { operationId, plannedStart: start, plannedEnd: end, ...(machineId ? { machineId } : {}) } });
const sql = (text: string, values: unknown[]) => stack.subgraphs.production.pool.query(text, values);

describe("schedule precedence and slack", () => {
  it("keeps a chain of four with gaps in routing order, and gives each operation its slack", async () => {
    const [m1, m2] = plant.machineIds as [string, string];
    const wo = await createWorkOrder(url, await createProduct(url, plant, "NUM-CHAIN", 4), "WO-N1", 10, "2027-03-01T23:00:00Z");
    const [op10, op20, op30, op40] = wo.operations as [string, string, string, string];
    expect((await move(op10, T("08:00"), T("10:00"), m1)).errors).toBeUndefined();
    expect((await move(op40, T("13:00"), T("14:00"), m2)).errors).toBeUndefined();
    // 20 and 30 have no plan: 40 still may not start before 10 ends.
    const early = await move(op40, T("09:00"), T("10:00"));
    expect(early.errors![0]!.extensions!.code).toBe("CONFLICT");
    expect(early.errors![0]!.message).toBe("Operation 40 of WO-N1 cannot start at 2027-03-01T09:00:00Z: operation 10 ends at 2027-03-01T10:00:00Z");
    // The unplanned steps can be planned later, 30 first, then 20 between 10 and 30.
    expect((await move(op30, T("11:00"), T("12:00"), m1)).errors).toBeUndefined();
    expect((await move(op20, T("11:30"), T("12:30"), m2)).errors![0]!.message).toBe(
      "Operation 20 of WO-N1 cannot end at 2027-03-01T12:30:00Z: operation 30 starts at 2027-03-01T11:00:00Z",
    );
    expect((await move(op20, T("10:00"), T("11:00"), m2)).errors).toBeUndefined();

    const q = `query($p: ID!) { schedule(plantId: $p, from: "2027-03-01T00:00:00Z", to: "2027-03-02T00:00:00Z") {
      lanes { operations { sequence earliestStart earliestFinish latestStart latestFinish totalSlackMinutes critical } }
      conflicts { kind message operations { sequence } }
      criticalPath { operations { sequence } start end durationMinutes } } }`;
    const { schedule } = await mustQuery(url, q, { p: plant.plantId });
    expect(schedule.conflicts).toEqual([]);
    const bySequence = Object.fromEntries(
      schedule.lanes.flatMap((l: { operations: { sequence: number }[] }) => l.operations).map((o: { sequence: number }) => [o.sequence, o]),
    );
    // The work ends at 14:00 (op 40). 30 must end by 13:00 (40's latest start), 20 by 12:00, 10 by 11:00.
    const ms = (iso: string) => `${iso.slice(0, 19)}.000Z`;
    expect(bySequence).toEqual({
      10: {
        sequence: 10,
        earliestStart: ms(T("08:00")),
        earliestFinish: ms(T("10:00")),
        latestStart: ms(T("09:00")),
        latestFinish: ms(T("11:00")),
        totalSlackMinutes: 60,
        critical: false,
      },
      20: {
        sequence: 20,
        earliestStart: ms(T("10:00")),
        earliestFinish: ms(T("11:00")),
        latestStart: ms(T("11:00")),
        latestFinish: ms(T("12:00")),
        totalSlackMinutes: 60,
        critical: false,
      },
      30: {
        sequence: 30,
        earliestStart: ms(T("11:00")),
        earliestFinish: ms(T("12:00")),
        latestStart: ms(T("12:00")),
        latestFinish: ms(T("13:00")),
        totalSlackMinutes: 60,
        critical: false,
      },
      40: {
        sequence: 40,
        earliestStart: ms(T("13:00")),
        earliestFinish: ms(T("14:00")),
        latestStart: ms(T("13:00")),
        latestFinish: ms(T("14:00")),
        totalSlackMinutes: 0,
        critical: true,
      },
    });
    expect(schedule.criticalPath).toEqual({ operations: [{ sequence: 40 }], start: ms(T("13:00")), end: ms(T("14:00")), durationMinutes: 60 });

    // A plan imported past the checks (40 before 10 ends, 20 and 30 without a plan) is reported
    // across the unplanned steps, and 40's earliest start moves to 10's end.
    await sql(`UPDATE "Operation" SET "plannedStart" = NULL, "plannedEnd" = NULL WHERE id = ANY($1)`, [[op20, op30]]);
    await sql(`UPDATE "Operation" SET "plannedStart" = $2, "plannedEnd" = $3 WHERE id = $1`, [op40, T("09:30"), T("10:30")]);
    const again = (await mustQuery(url, q, { p: plant.plantId })).schedule;
    expect(again.conflicts).toEqual([
      {
        kind: "PRECEDENCE",
        message: "WO-N1 op 40 starts at 2027-03-01T09:30:00Z, before op 10 ends at 2027-03-01T10:00:00Z",
        operations: [{ sequence: 10 }, { sequence: 40 }],
      },
    ]);
    // 10 (08-10) then 40 (60 min) from 10:00 at the earliest: both critical, 08:00 to 11:00.
    expect(again.criticalPath).toEqual({
      operations: [{ sequence: 10 }, { sequence: 40 }],
      start: ms(T("08:00")),
      end: ms(T("11:00")),
      durationMinutes: 180,
    });
  });
});

describe("one machine-lane rule for assignOperation and rescheduleOperation", () => {
  const oneStep = async (number: string) =>
    (await createWorkOrder(url, await createProduct(url, plant, `NUM-${number}`, 1), number, 5)).operations[0]!;

  it("refuses an assignment that overlaps the machine's plan, with rescheduleOperation's message, and changes nothing", async () => {
    const [m1] = plant.machineIds as [string];
    const a = await oneStep("WO-N2"),
      b = await oneStep("WO-N3");
    expect((await move(a, T("08:00", "2027-03-02"), T("10:00", "2027-03-02"))).errors).toBeUndefined();
    expect((await move(b, T("09:00", "2027-03-02"), T("11:00", "2027-03-02"))).errors).toBeUndefined();
    expect((await graphql(url, ASSIGN, { id: a, m: m1 })).errors).toBeUndefined();
    expect((await graphql(url, ASSIGN, { id: a, m: m1 })).errors).toBeUndefined(); // a setter: repeating it is harmless
    const refused = await graphql(url, ASSIGN, { id: b, m: m1 });
    expect(refused.errors![0]!.extensions).toMatchObject({ code: "CONFLICT" });
    expect(refused.errors![0]!.message).toBe("Machine is busy from 2027-03-02T08:00:00Z to 2027-03-02T10:00:00Z with WO-N2 operation 10");
    const viaReschedule = await move(b, T("09:00", "2027-03-02"), T("11:00", "2027-03-02"), m1);
    expect(viaReschedule.errors![0]!.message).toBe(refused.errors![0]!.message);
    const { rows } = await sql(`SELECT "machineId" FROM "Operation" WHERE id = $1`, [b]);
    expect(rows[0].machineId).toBeNull();
    // An operation without a plan takes no slot: assigning it is always accepted.
    expect((await graphql(url, ASSIGN, { id: await oneStep("WO-N3B"), m: m1 })).errors).toBeUndefined();
  });

  it("lets exactly one of two simultaneous claims on one slot succeed", async () => {
    const [, m2] = plant.machineIds as [string, string];
    for (const day of ["2027-03-03", "2027-03-04", "2027-03-05"]) {
      const a = await oneStep(`WO-R${day}A`),
        b = await oneStep(`WO-R${day}B`),
        c = await oneStep(`WO-R${day}C`);
      for (const op of [a, b]) expect((await move(op, T("08:00", day), T("10:00", day))).errors).toBeUndefined();
      // Two assignments and a reschedule into the same lane and slot, at once.
      const results = await Promise.all([
        graphql(url, ASSIGN, { id: a, m: m2 }),
        graphql(url, ASSIGN, { id: b, m: m2 }),
        move(c, T("09:00", day), T("09:30", day), m2),
      ]);
      expect(results.filter((r) => !r.errors)).toHaveLength(1);
      expect(results.filter((r) => r.errors?.[0]?.extensions?.code === "CONFLICT")).toHaveLength(2);
      const { rows } = await sql(`SELECT count(*)::int AS n FROM "Operation" WHERE "machineId" = $1 AND id = ANY($2)`, [m2, [a, b, c]]);
      expect(rows[0].n).toBe(1);
    }
  });
});

describe("production KPIs of a window ending in the future", () => {
  it("count only what has happened: completions, overdue open orders and output until now", async () => {
    const kpiPlant = await createPlant(url, ORG, "NUMK", 1);
    const product = await createProduct(url, kpiPlant, "NUM-K", 2);
    const now = Date.now();
    const hoursAgo = (h: number) => new Date(now - h * 3_600_000).toISOString();
    const done = await createWorkOrder(url, product, "WO-K1", 10, hoursAgo(-48));
    const overdue = await createWorkOrder(url, product, "WO-K2", 10, hoursAgo(24));
    await createWorkOrder(url, product, "WO-K3", 10, hoursAgo(-48)); // due later in the window: not overdue yet
    await mustQuery(url, `mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id: done.id });
    await mustQuery(url, `mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id: overdue.id });
    for (const [op, good, scrap] of [
      [done.operations[0]!, 9, 1], // within 10 + 5% tolerance per operation
      [done.operations[1]!, 8, 1],
    ] as const) {
      await mustQuery(url, `mutation($id: ID!) { startOperation(id: $id) { id } }`, { id: op });
      await mustQuery(url, `mutation($i: LogProductionInput!) { logProduction(input: $i) { id } }`, {
        i: { operationId: op, goodQuantity: good, scrapQuantity: scrap },
      });
      await mustQuery(url, `mutation($id: ID!) { completeOperation(id: $id) { id } }`, { id: op });
    }
    await mustQuery(url, `mutation($id: ID!) { completeWorkOrder(id: $id) { id } }`, { id: done.id });
    // Fixed instants for hand-computed times: released 26 h ago, started 5 h ago, completed 2 h ago.
    await sql(`UPDATE "WorkOrder" SET "releasedAt" = $2, "startedAt" = $3, "completedAt" = $4 WHERE id = $1`, [
      done.id,
      hoursAgo(26),
      hoursAgo(5),
      hoursAgo(2),
    ]);

    const q = `query($p: ID!, $f: DateTime!, $t: DateTime!) { productionKpis(plantId: $p, from: $f, to: $t) {
      completedWorkOrders averageCycleTimeHours averageExecutionTimeHours overdueOpenWorkOrders goodQuantity scrapQuantity
      onTimeDelivery { value numerator denominator } scrapRatio { value numerator denominator }
      byProduct { product { code } completedWorkOrders overdueOpenWorkOrders goodQuantity scrapQuantity } } }`;
    const { productionKpis: k } = await mustQuery(url, q, { p: kpiPlant.plantId, f: hoursAgo(7 * 24), t: hoursAgo(-7 * 24) });
    expect(k).toMatchObject({
      completedWorkOrders: 1,
      averageCycleTimeHours: 24, // 26 h - 2 h
      averageExecutionTimeHours: 3, // 5 h - 2 h
      overdueOpenWorkOrders: 1, // WO-K2; WO-K3 is due in the part of the window that has not happened
      goodQuantity: 8, // good units on the last operation
      scrapQuantity: 2, // 1 on each operation
      onTimeDelivery: { value: 1, numerator: 1, denominator: 1 },
      scrapRatio: { value: 0.2, numerator: 2, denominator: 10 }, // 2 / (8 + 2)
      byProduct: [{ product: { code: "NUM-K" }, completedWorkOrders: 1, overdueOpenWorkOrders: 1, goodQuantity: 8, scrapQuantity: 2 }],
    });

    // A window that has not begun counts nothing: every ratio and average null, not 0 or NaN.
    const future = (await mustQuery(url, q, { p: kpiPlant.plantId, f: hoursAgo(-24), t: hoursAgo(-48) })).productionKpis;
    expect(future).toEqual({
      completedWorkOrders: 0,
      averageCycleTimeHours: null,
      averageExecutionTimeHours: null,
      overdueOpenWorkOrders: 0,
      goodQuantity: 0,
      scrapQuantity: 0,
      onTimeDelivery: { value: null, numerator: 0, denominator: 0 },
      scrapRatio: { value: null, numerator: 0, denominator: 0 },
      byProduct: [],
    });
  });
});

describe("shift attribution of production logs", () => {
  it("gives a log to the shift it names, else to the shift whose window contains it", async () => {
    const machine = plant.machineIds[0]!;
    // Day 06:00-14:00 and Late 14:00-22:00 Berlin (winter, UTC+1): 05:00Z-13:00Z and 13:00Z-21:00Z.
    const shiftOf = async (name: string, startTime: string) => {
      const { createShiftPattern: p } = await mustQuery(
        url,
        `mutation($p: ID!, $n: String!, $s: String!) { createShiftPattern(input: { plantId: $p, name: $n, timeZone: "Europe/Berlin", startTime: $s, durationMinutes: 480 }) { id } }`,
        { p: plant.plantId, n: name, s: startTime },
      );
      const { generateShifts } = await mustQuery(
        url,
        `mutation($id: ID!) { generateShifts(patternId: $id, fromDate: "2026-01-20", toDate: "2026-01-20") { id startsAt endsAt } }`,
        { id: p.id },
      );
      return generateShifts[0] as { id: string; startsAt: string; endsAt: string };
    };
    const day = await shiftOf("Day", "06:00"),
      late = await shiftOf("Late", "14:00");
    expect([day.startsAt, day.endsAt, late.endsAt]).toEqual(["2026-01-20T05:00:00.000Z", "2026-01-20T13:00:00.000Z", "2026-01-20T21:00:00.000Z"]);

    const wo = await createWorkOrder(url, await createProduct(url, plant, "NUM-SHIFT", 1), "WO-S1", 1000);
    const op = wo.operations[0]!;
    await mustQuery(url, ASSIGN, { id: op, m: machine });
    await mustQuery(url, `mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id: wo.id });
    await mustQuery(url, `mutation($id: ID!) { startOperation(id: $id) { id } }`, { id: op });
    for (const [good, scrap, shiftId, loggedAt] of [
      [100, 2, day.id, "2026-01-20T10:00:00Z"], // Day, in its window
      [50, 1, day.id, "2026-01-20T13:05:00Z"], // names Day, entered 5 minutes after it ended: Day
      [30, 0, null, "2026-01-20T12:00:00Z"], // names no shift, in Day's window: Day
      [20, 0, late.id, "2026-01-20T12:55:00Z"], // names Late, made 5 minutes before it began: Late
      [7, 1, null, "2026-01-20T13:00:00Z"], // names no shift, at Late's start (Day's end is exclusive): Late
    ] as const) {
      await mustQuery(url, `mutation($i: LogProductionInput!) { logProduction(input: $i) { id } }`, {
        i: { operationId: op, goodQuantity: good, scrapQuantity: scrap, loggedAt, ...(shiftId ? { shiftId } : {}) },
      });
    }
    const q = `query($id: ID!) { shift(id: $id) { producedQuantity scrappedQuantity productionLogs { totalCount items { goodQuantity loggedAt } } } }`;
    const dayTotals = (await mustQuery(url, q, { id: day.id })).shift;
    expect(dayTotals).toEqual({
      producedQuantity: 180,
      scrappedQuantity: 3,
      productionLogs: {
        totalCount: 3,
        items: [
          { goodQuantity: 100, loggedAt: "2026-01-20T10:00:00.000Z" },
          { goodQuantity: 30, loggedAt: "2026-01-20T12:00:00.000Z" },
          { goodQuantity: 50, loggedAt: "2026-01-20T13:05:00.000Z" },
        ],
      },
    });
    const lateTotals = (await mustQuery(url, q, { id: late.id })).shift;
    expect(lateTotals).toMatchObject({ producedQuantity: 27, scrappedQuantity: 1 });
  });
});

describe("material requirements of a work order", () => {
  it("are the bill of materials times the order quantity, exactly", async () => {
    const { createMaterial: steel } = await mustQuery(
      url,
      `mutation { createMaterial(input: { code: "NUM-STEEL", description: "Steel", unitOfMeasure: "KG" }) { id } }`,
    );
    const { createMaterial: bolt } = await mustQuery(
      url,
      `mutation { createMaterial(input: { code: "NUM-BOLT", description: "Bolt", unitOfMeasure: "EA" }) { id } }`,
    );
    const product = await createProduct(url, plant, "NUM-BOM", 1, [
      { materialId: steel.id, quantityPer: 0.1 },
      { materialId: bolt.id, quantityPer: 4 },
    ]);
    const wo = await createWorkOrder(url, product, "WO-BOM", 3);
    const { workOrder } = await mustQuery(
      url,
      `query($id: ID!) { workOrder(id: $id) { materialRequirements { material { code } quantityPer requiredQuantity } } }`,
      {
        id: wo.id,
      },
    );
    const byCode = [...workOrder.materialRequirements].sort((x: { material: { code: string } }, y: { material: { code: string } }) =>
      x.material.code.localeCompare(y.material.code),
    );
    expect(byCode).toEqual([
      { material: { code: "NUM-BOLT" }, quantityPer: 4, requiredQuantity: 12 },
      { material: { code: "NUM-STEEL" }, quantityPer: 0.1, requiredQuantity: 0.3 }, // 0.1 x 3 exactly, not 0.30000000000000004
    ]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql, mustQuery, type GraphQLResponse } from "./support/graphql.ts";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { actAs, bearer, type TestCaller } from "./support/auth.ts";
import { createPlant, createProduct, createWorkOrder, type PlantFixture } from "./support/fixtures.ts";

// Check-then-write races: N identical mutations sent at once through the gateway, as double taps,
// retries and two tablets do. A mutation that happens once lets exactly one through and answers the
// others CONFLICT, keeping the first one's values; a setter answers them all with the same value.
// And the recorder of anything is the token's subject, whatever the input says.

const ORG = "0c9e3a6b-2f71-4d8e-9b35-7a1c5e2d4f60";
actAs({ organizationId: ORG });
const N = 15;
let stack: TestStack;
let url: string;
let plant: PlantFixture;

const as = (userId: string, roles: TestCaller["roles"] = ["ADMIN"]): TestCaller => ({ userId, organizationId: ORG, roles });

/** Sends `query` N times at once, the i-th with `variables(i)` as `caller(i)`. */
async function race<T = Record<string, any>>(
  query: string,
  variables: (i: number) => Record<string, unknown>,
  caller: (i: number) => TestCaller = () => as("test.admin"),
): Promise<GraphQLResponse<T>[]> {
  const headers = await Promise.all(Array.from({ length: N }, (_, i) => bearer(caller(i))));
  return Promise.all(headers.map((h, i) => graphql<T>(url, query, variables(i), h)));
}

/** Exactly one answer succeeded and every other one is a CONFLICT; returns the winner's index and data. */
function oneWins<T>(answers: GraphQLResponse<T>[]): { index: number; data: T; conflicts: string[] } {
  const index = answers.findIndex((a) => !a.errors?.length);
  const errors = answers.filter((a) => a.errors?.length).map((a) => a.errors![0]!);
  expect(errors.map((e) => e.extensions?.code)).toEqual(Array(N - 1).fill("CONFLICT"));
  expect(index).toBeGreaterThanOrEqual(0);
  return { index, data: answers[index]!.data!, conflicts: errors.map((e) => e.message) };
}

/** Every answer succeeded; returns their data. */
function allSucceed<T>(answers: GraphQLResponse<T>[]): T[] {
  expect(answers.flatMap((a) => a.errors ?? [])).toEqual([]);
  return answers.map((a) => a.data!);
}

const minutesAfter = (iso: string, minutes: number) => new Date(new Date(iso).getTime() + minutes * 60_000).toISOString();

beforeAll(async () => {
  stack = await startTestStack();
  url = stack.gatewayUrl;
  plant = await createPlant(url, ORG, "RACE", 2);
});
afterAll(async () => stack?.stop());

describe("shifts: attendance, coverage, crews and handovers under racing calls", () => {
  let shift: { id: string; startsAt: string };
  let crewId: string;

  beforeAll(async () => {
    const { createShiftPattern: pattern } = await mustQuery(
      url,
      `mutation($p: ID!) { createShiftPattern(input: { plantId: $p, name: "Day", timeZone: "UTC", startTime: "06:00", durationMinutes: 480 }) { id } }`,
      { p: plant.plantId },
    );
    const day = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
    // Generating is idempotent: racing calls all answer the same shifts, created once.
    const generated = allSucceed(
      await race<{ generateShifts: { id: string; startsAt: string }[] }>(
        `mutation($id: ID!, $d: Date!) { generateShifts(patternId: $id, fromDate: $d, toDate: $d) { id startsAt } }`,
        () => ({ id: pattern.id, d: day }),
      ),
    );
    expect(new Set(generated.map((g) => JSON.stringify(g.generateShifts)))).toHaveLength(1);
    expect(generated[0]!.generateShifts).toHaveLength(1);
    shift = generated[0]!.generateShifts[0]!;
    const { createCrew } = await mustQuery(
      url,
      `mutation($p: ID!) { createCrew(input: { plantId: $p, name: "A", members: [{ personId: "op.1", displayName: "Op One", role: "operator" }] }) { id } }`,
      { p: plant.plantId },
    );
    crewId = createCrew.id;
  });

  const attendanceOf = async (personId: string) => {
    const { shift: s } = await mustQuery(url, `query($id: ID!) { shift(id: $id) { attendance { personId status clockIn clockOut } } }`, {
      id: shift.id,
    });
    return (s.attendance as { personId: string; status: string; clockIn: string | null; clockOut: string | null }[]).filter(
      (a) => a.personId === personId,
    );
  };

  it("clockIn: one of 15 racing clock-ins is recorded, the others are CONFLICT, and the first time stays", async () => {
    const answers = await race(
      `mutation($s: ID!, $at: DateTime!) { clockIn(input: { shiftId: $s, personId: "op.1", workCenterId: "${plant.workCenterId}", at: $at }) { clockIn } }`,
      (i) => ({ s: shift.id, at: minutesAfter(shift.startsAt, i) }),
    );
    const { data, conflicts } = oneWins(answers);
    expect(conflicts.every((m) => m === `op.1 already clocked in to this shift at ${data.clockIn.clockIn}`)).toBe(true);
    expect(await attendanceOf("op.1")).toEqual([{ personId: "op.1", status: expect.any(String), clockIn: data.clockIn.clockIn, clockOut: null }]);
  });

  it("clockOut: one of 15 racing clock-outs is recorded and the first time stays", async () => {
    const answers = await race(`mutation($s: ID!, $at: DateTime!) { clockOut(shiftId: $s, personId: "op.1", at: $at) { clockOut } }`, (i) => ({
      s: shift.id,
      at: minutesAfter(shift.startsAt, 300 + i),
    }));
    const { data } = oneWins(answers);
    expect((await attendanceOf("op.1"))[0]!.clockOut).toBe(data.clockOut.clockOut);
  });

  it("markAbsent: racing marks all answer the one absence (marking an absent person again changes nothing)", async () => {
    const answers = allSucceed(await race(`mutation($s: ID!) { markAbsent(shiftId: $s, personId: "op.2") { id status } }`, () => ({ s: shift.id })));
    expect(new Set(answers.map((a) => a.markAbsent.id))).toHaveLength(1);
    expect(await attendanceOf("op.2")).toEqual([{ personId: "op.2", status: "ABSENT", clockIn: null, clockOut: null }]);
  });

  it("setCoverageRequirement: 15 racing first-time calls all succeed and leave one requirement", async () => {
    const answers = allSucceed(
      await race(
        `mutation($p: ID!, $w: ID!) { setCoverageRequirement(input: { plantId: $p, workCenterId: $w, requiredPeople: 4 }) { requiredPeople } }`,
        () => ({ p: plant.plantId, w: plant.workCenterId }),
      ),
    );
    expect(answers.map((a) => a.setCoverageRequirement.requiredPeople)).toEqual(Array(N).fill(4));
    const { shift: s } = await mustQuery(url, `query($id: ID!) { shift(id: $id) { coverage { required } } }`, { id: shift.id });
    expect(s.coverage).toEqual([{ required: 4 }]);
  });

  it("assignCrew: one of 15 racing assignments is made, the others are CONFLICT", async () => {
    const answers = await race(`mutation($s: ID!, $c: ID!) { assignCrew(shiftId: $s, crewId: $c) { id } }`, () => ({ s: shift.id, c: crewId }));
    const { conflicts } = oneWins(answers);
    expect(new Set(conflicts)).toEqual(new Set(["Crew A is already assigned to this shift"]));
    const { shift: s } = await mustQuery(url, `query($id: ID!) { shift(id: $id) { crewAssignments { crew { id } } } }`, { id: shift.id });
    expect(s.crewAssignments).toEqual([{ crew: { id: crewId } }]);
  });

  it("handovers are recorded as the token's user: the author, and the one acknowledgement of 15 racing ones", async () => {
    const named = await graphql(
      url,
      `mutation($s: ID!) { logHandover(input: { shiftId: $s, notes: "all good", createdBy: "plant.manager" }) { id } }`,
      { s: shift.id },
      await bearer(as("op.oscar", ["OPERATOR"])),
    );
    expect(named.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    const { logHandover } = await mustQuery(
      url,
      `mutation($s: ID!) { logHandover(input: { shiftId: $s, notes: "all good" }) { id createdBy } }`,
      { s: shift.id },
      await bearer(as("op.oscar", ["OPERATOR"])),
    );
    expect(logHandover.createdBy).toBe("op.oscar");

    const signedAs = await graphql(url, `mutation($id: ID!) { acknowledgeHandover(id: $id, acknowledgedBy: "plant.manager") { id } }`, {
      id: logHandover.id,
    });
    expect(signedAs.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    const answers = await race(
      `mutation($id: ID!) { acknowledgeHandover(id: $id) { acknowledgedBy acknowledgedAt } }`,
      () => ({ id: logHandover.id }),
      (i) => as(`sup.${i}`, ["SUPERVISOR"]),
    );
    const { index, data, conflicts } = oneWins(answers);
    expect(data.acknowledgeHandover.acknowledgedBy).toBe(`sup.${index}`);
    expect(new Set(conflicts)).toEqual(new Set([`Handover ${logHandover.id} was already acknowledged by sup.${index}`]));
    const { shift: s } = await mustQuery(url, `query($id: ID!) { shift(id: $id) { handovers { createdBy acknowledgedBy acknowledgedAt } } }`, {
      id: shift.id,
    });
    expect(s.handovers).toEqual([{ createdBy: "op.oscar", ...data.acknowledgeHandover }]);
  });
});

describe("inventory: lot holds under racing calls", () => {
  it("holdLot and releaseLot: one of 15 racing calls each wins, and the first hold's reason stays", async () => {
    const { createMaterial: m } = await mustQuery(
      url,
      `mutation { createMaterial(input: { code: "RACE-1", description: "Bar", unitOfMeasure: "PC" }) { id } }`,
    );
    const { createLocation: loc } = await mustQuery(
      url,
      `mutation($p: ID!) { createLocation(input: { plantId: $p, code: "WH", name: "Warehouse" }) { id } }`,
      { p: plant.plantId },
    );
    const { receiveStock } = await mustQuery(
      url,
      `mutation($m: ID!, $l: ID!) { receiveStock(input: { materialId: $m, locationId: $l, lotNumber: "L-1", quantity: 10, unitCost: 1 }) { transactions { lot { id } } } }`,
      { m: m.id, l: loc.id },
    );
    const lotId = receiveStock.transactions[0].lot.id as string;
    const held = oneWins(
      await race(`mutation($l: ID!, $r: String!) { holdLot(lotId: $l, reason: $r) { status holdReason } }`, (i) => ({ l: lotId, r: `recall ${i}` })),
    );
    expect(held.data.holdLot).toEqual({ status: "ON_HOLD", holdReason: `recall ${held.index}` });
    expect(new Set(held.conflicts)).toEqual(new Set([`Lot L-1 is already on hold (recall ${held.index})`]));
    expect((await mustQuery(url, `query($l: ID!) { lot(id: $l) { holdReason } }`, { l: lotId })).lot.holdReason).toBe(`recall ${held.index}`);

    const released = oneWins(await race(`mutation($l: ID!) { releaseLot(lotId: $l) { status holdReason } }`, () => ({ l: lotId })));
    expect(released.data.releaseLot).toEqual({ status: "AVAILABLE", holdReason: null });
    expect(new Set(released.conflicts)).toEqual(new Set(["Lot L-1 is not on hold"]));
  });
});

describe("production: work-order and operation moves under racing calls", () => {
  let workOrderId: string;
  let operationId: string;
  const operation = async () => {
    const { workOrder } = await mustQuery(
      url,
      `query($id: ID!) { workOrder(id: $id) { status history { items { to } } operations { id status startedAt pauseReason pausedBy pausedAt machine { id } } } }`,
      { id: workOrderId },
    );
    return { workOrder, op: workOrder.operations[0] };
  };

  beforeAll(async () => {
    const productId = await createProduct(url, plant, "RACE-P", 1);
    const wo = await createWorkOrder(url, productId, "WO-RACE", 10);
    workOrderId = wo.id;
    operationId = wo.operations[0]!;
  });

  it("releaseWorkOrder and startOperation: one of 15 racing calls each wins, with one transition each", async () => {
    oneWins(await race(`mutation($id: ID!) { releaseWorkOrder(id: $id) { status } }`, () => ({ id: workOrderId })));
    const started = oneWins(await race(`mutation($id: ID!) { startOperation(id: $id) { status startedAt } }`, () => ({ id: operationId })));
    const { workOrder, op } = await operation();
    expect(workOrder.history.items.map((t: { to: string }) => t.to)).toEqual(["RELEASED", "IN_PROGRESS"]);
    expect(op.startedAt).toBe(started.data.startOperation.startedAt);
  });

  it("pauseOperation: one of 15 racing pauses wins; its reason and the token's user are kept", async () => {
    const paused = oneWins(
      await race(
        `mutation($id: ID!, $r: String!) { pauseOperation(id: $id, reason: $r) { status pauseReason pausedBy pausedAt } }`,
        (i) => ({ id: operationId, r: `tool change ${i}` }),
        (i) => as(`op.${i}`, ["OPERATOR"]),
      ),
    );
    expect(paused.data.pauseOperation).toMatchObject({
      status: "PAUSED",
      pauseReason: `tool change ${paused.index}`,
      pausedBy: `op.${paused.index}`,
    });
    const { op } = await operation();
    expect(op).toMatchObject(paused.data.pauseOperation);
  });

  it("assignOperation is a setter: 15 racing identical calls all succeed with the same machine", async () => {
    const answers = allSucceed(
      await race(`mutation($id: ID!, $m: ID!) { assignOperation(id: $id, machineId: $m) { machine { id } } }`, () => ({
        id: operationId,
        m: plant.machineIds[0],
      })),
    );
    expect(answers.map((a) => a.assignOperation.machine.id)).toEqual(Array(N).fill(plant.machineIds[0]));
  });

  it("resuming and completing: one of 15 racing calls each wins", async () => {
    oneWins(await race(`mutation($id: ID!) { startOperation(id: $id) { status } }`, () => ({ id: operationId })));
    oneWins(await race(`mutation($id: ID!) { completeOperation(id: $id) { status } }`, () => ({ id: operationId })));
    expect((await operation()).op.status).toBe("COMPLETED");
  });

  it("acknowledgeProblem and resolveProblem: one of 15 racing calls each wins, recorded as its token's user", async () => {
    const { reportProblem } = await mustQuery(
      url,
      `mutation($id: ID!) { reportProblem(input: { operationId: $id, kind: OTHER, description: "noise" }) { id reportedBy } }`,
      { id: operationId },
      await bearer(as("op.olga", ["OPERATOR"])),
    );
    expect(reportProblem.reportedBy).toBe("op.olga");
    const ack = oneWins(
      await race(
        `mutation($id: ID!) { acknowledgeProblem(id: $id) { acknowledgedBy } }`,
        () => ({ id: reportProblem.id }),
        (i) => as(`sup.${i}`, ["SUPERVISOR"]),
      ),
    );
    expect(ack.data.acknowledgeProblem.acknowledgedBy).toBe(`sup.${ack.index}`);
    const resolved = oneWins(
      await race(
        `mutation($id: ID!, $r: String!) { resolveProblem(id: $id, resolution: $r) { resolvedBy resolution } }`,
        (i) => ({ id: reportProblem.id, r: `fixed ${i}` }),
        (i) => as(`mnt.${i}`, ["MAINTENANCE"]),
      ),
    );
    expect(resolved.data.resolveProblem).toEqual({ resolvedBy: `mnt.${resolved.index}`, resolution: `fixed ${resolved.index}` });
  });
});

describe("equipment: machine states and maintenance orders under racing calls", () => {
  it("setMachineState to the same state: all 15 succeed with one state change (the first one's time)", async () => {
    const machineId = plant.machineIds[1]!;
    const answers = allSucceed(
      await race(`mutation($m: ID!) { setMachineState(machineId: $m, state: RUNNING) { state stateSince } }`, () => ({ m: machineId })),
    );
    expect(new Set(answers.map((a) => JSON.stringify(a.setMachineState))).size).toBe(1);
    const { machine } = await mustQuery(url, `query($m: ID!) { machine(id: $m) { stateSince statusHistory { hasMore items { state } } } }`, {
      m: machineId,
    });
    expect(machine.stateSince).toBe(answers[0]!.setMachineState.stateSince);
    expect(machine.statusHistory.hasMore).toBe(false);
    expect(machine.statusHistory.items.filter((h: { state: string }) => h.state === "RUNNING")).toHaveLength(1);
  });

  it("checkPmSchedules makes one order of 15 racing checks; completeMaintenanceOrder lets one of 15 through, as its token's user", async () => {
    await mustQuery(
      url,
      `mutation($m: ID!, $s: DateTime!) { createPmSchedule(input: { machineId: $m, name: "Lube", trigger: CALENDAR, interval: 1, startsAt: $s }) { id } }`,
      { m: plant.machineIds[0], s: new Date(Date.now() - 3 * 86_400_000).toISOString() },
    );
    const checks = allSucceed(
      await race<{ checkPmSchedules: { id: string }[] }>(`mutation($p: ID!) { checkPmSchedules(plantId: $p) { id } }`, () => ({ p: plant.plantId })),
    );
    const created = checks.flatMap((c) => c.checkPmSchedules.map((o) => o.id));
    expect(created).toHaveLength(1);
    const completed = oneWins(
      await race(
        `mutation($id: ID!) { completeMaintenanceOrder(id: $id) { status completedBy completedAt } }`,
        () => ({ id: created[0] }),
        (i) => as(`mnt.${i}`, ["MAINTENANCE"]),
      ),
    );
    expect(completed.data.completeMaintenanceOrder).toMatchObject({ status: "COMPLETED", completedBy: `mnt.${completed.index}` });
    const { maintenanceOrders } = await mustQuery(url, `query($p: ID!) { maintenanceOrders(plantId: $p) { items { completedBy completedAt } } }`, {
      p: plant.plantId,
    });
    expect(maintenanceOrders.items).toEqual([
      { completedBy: `mnt.${completed.index}`, completedAt: completed.data.completeMaintenanceOrder.completedAt },
    ]);
  });
});

describe("quality: NCR moves and who recorded an inspection", () => {
  it("reviewNcr: one of 15 racing reviews wins", async () => {
    const { openNcr } = await mustQuery(
      url,
      `mutation($p: ID!) { openNcr(input: { plantId: $p, number: "NCR-RACE", title: "Burr", severity: MINOR }) { id } }`,
      { p: plant.plantId },
    );
    const review = oneWins(
      await race(`mutation($id: ID!, $a: String!) { reviewNcr(id: $id, assignee: $a) { status assignee } }`, (i) => ({
        id: openNcr.id,
        a: `qa.${i}`,
      })),
    );
    expect(review.data.reviewNcr).toEqual({ status: "UNDER_REVIEW", assignee: `qa.${review.index}` });
  });

  it("recordInspection keeps the token's user as the recorder, also when the input names another inspector", async () => {
    const productId = await createProduct(url, plant, "RACE-Q", 1);
    const { createInspectionPlan: ip } = await mustQuery(
      url,
      `mutation($p: ID!, $pr: ID!) { createInspectionPlan(input: { plantId: $p, productId: $pr, code: "IP-RACE", name: "Visual", characteristics: [{ name: "Burr-free", kind: ATTRIBUTE }] }) { id characteristics { id } } }`,
      { p: plant.plantId, pr: productId },
    );
    const record = async (inspector: string | null) =>
      (
        await mustQuery(
          url,
          `mutation($p: ID!, $c: ID!, $i: String) { recordInspection(input: { planId: $p, quantityInspected: 1, inspector: $i, measurements: [{ characteristicId: $c, passed: true }] }) { inspector recordedBy } }`,
          { p: ip.id, c: ip.characteristics[0].id, i: inspector },
          await bearer(as("op.olga", ["OPERATOR"])),
        )
      ).recordInspection;
    expect(await record("plant.manager")).toEqual({ inspector: "plant.manager", recordedBy: "op.olga" });
    expect(await record(null)).toEqual({ inspector: "op.olga", recordedBy: "op.olga" });
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { startSubgraph, type RunningSubgraph } from "@mes/shared";
import { shifts } from "@mes/shifts";
import { createTestDatabases } from "./support/databases.ts";
import { graphql, mustQuery } from "./support/graphql.ts";
import { testSubgraphConfig } from "./support/stack.ts";
import { actAs, bearer } from "./support/auth.ts";
import { closeAdminPools, knownReferences } from "./support/admin.ts";

const ORG = "4a6b8c0d-2e4f-4a1b-9c3d-5e7f9a1b3c5d";
actAs({ organizationId: ORG });
const PLANT = "6c8d0e2f-4a6b-4c8d-8e0f-2a4b6c8d0e2f";
const OTHER_PLANT = "6c8d0e2f-4a6b-4c8d-8e0f-2a4b6c8d0e30";
let running: RunningSubgraph<unknown>;
let dbs: Awaited<ReturnType<typeof createTestDatabases>>;

beforeAll(async () => {
  dbs = await createTestDatabases(["shifts"]);
  running = await startSubgraph(shifts, testSubgraphConfig(dbs.urls.shifts), pino({ level: "silent" }));
  // The plant and work center these tests name, as the copy of the equipment's reference data would hold them.
  await knownReferences(running.pool, [
    { kind: "Plant", id: PLANT, organizationId: ORG },
    { kind: "Plant", id: OTHER_PLANT, organizationId: ORG },
    { kind: "WorkCenter", id: "7a7a7a7a-1b1b-4c2c-8d3d-4e4e4e4e4e4e", organizationId: ORG, plantId: PLANT },
  ]);
});
afterAll(async () => {
  await closeAdminPools();
  await running?.stop();
  await dbs?.drop();
});

async function pattern(name: string, timeZone: string, startTime: string, durationMinutes = 480) {
  const { createShiftPattern } = await mustQuery(
    running.url,
    `mutation($i: CreateShiftPatternInput!) { createShiftPattern(input: $i) { id startTime } }`,
    {
      i: { plantId: PLANT, name, timeZone, startTime, durationMinutes, breaks: [{ startOffsetMinutes: 240, durationMinutes: 30 }] },
    },
  );
  return createShiftPattern.id as string;
}

async function generate(patternId: string, fromDate: string, toDate: string) {
  const { generateShifts } = await mustQuery(
    running.url,
    `mutation($p: ID!, $f: Date!, $t: Date!) { generateShifts(patternId: $p, fromDate: $f, toDate: $t) { businessDate startsAt endsAt } }`,
    { p: patternId, f: fromDate, t: toDate },
  );
  return generateShifts as { businessDate: string; startsAt: string; endsAt: string }[];
}

describe("shift calendar in the plant's time zone", () => {
  it("places a night shift across midnight and both daylight-saving changes (Europe/Berlin)", async () => {
    const night = await pattern("Night", "Europe/Berlin", "22:00");
    expect(await generate(night, "2026-03-28", "2026-03-28")).toEqual([
      // 22:00 CET (+1) to 06:00 CEST (+2): the clocks jump forward, 7 real hours.
      { businessDate: "2026-03-28", startsAt: "2026-03-28T21:00:00.000Z", endsAt: "2026-03-29T04:00:00.000Z" },
    ]);
    expect(await generate(night, "2026-10-24", "2026-10-25")).toEqual([
      // 22:00 CEST (+2) to 06:00 CET (+1): the clocks go back, 9 real hours.
      { businessDate: "2026-10-24", startsAt: "2026-10-24T20:00:00.000Z", endsAt: "2026-10-25T05:00:00.000Z" },
      { businessDate: "2026-10-25", startsAt: "2026-10-25T21:00:00.000Z", endsAt: "2026-10-26T05:00:00.000Z" },
    ]);
  });

  it("generates each shift once, however often it is asked", async () => {
    const early = await pattern("Early", "Europe/Berlin", "06:00");
    await generate(early, "2026-10-24", "2026-10-26");
    const again = await generate(early, "2026-10-24", "2026-10-26");
    expect(again.map((s) => s.startsAt)).toEqual(["2026-10-24T04:00:00.000Z", "2026-10-25T05:00:00.000Z", "2026-10-26T05:00:00.000Z"]);
  });

  it("gives a boundary instant to the shift that starts there", async () => {
    // 06:00 CET on 2026-10-26 is 05:00Z: the night shift has ended, the early shift has begun.
    const at = await mustQuery(running.url, `query($p: ID!, $at: DateTime!) { shiftAt(plantId: $p, at: $at) { name businessDate } }`, {
      p: PLANT,
      at: "2026-10-26T05:00:00Z",
    });
    expect(at.shiftAt).toEqual({ name: "Early", businessDate: "2026-10-26" });
    const justBefore = await mustQuery(running.url, `query($p: ID!, $at: DateTime!) { shiftAt(plantId: $p, at: $at) { name businessDate } }`, {
      p: PLANT,
      at: "2026-10-26T04:59:59.999Z",
    });
    expect(justBefore.shiftAt).toEqual({ name: "Night", businessDate: "2026-10-25" });
  });

  it("refuses a bad pattern with every problem named", async () => {
    const res = await graphql(running.url, `mutation($i: CreateShiftPatternInput!) { createShiftPattern(input: $i) { id } }`, {
      i: {
        plantId: PLANT,
        name: "Bad",
        timeZone: "Mars/Olympus",
        startTime: "25:00",
        durationMinutes: 480,
        breaks: [{ startOffsetMinutes: 470, durationMinutes: 30 }],
      },
    });
    expect(res.errors![0]!.extensions!.code).toBe("BAD_USER_INPUT");
    expect(res.errors![0]!.extensions!.fields as { field: string; message: string }[]).toEqual([
      { field: "input.timeZone", message: "must be an IANA time zone such as Europe/Berlin" },
      { field: "input.startTime", message: "must be a local time HH:MM" },
      { field: "input.breaks.0", message: "break must end within the shift" },
    ]);
  });
});

describe("attendance and coverage", () => {
  it("records clock-in (late after 5 minutes), absence and clock-out, and shows coverage per work center", async () => {
    const patternId = await pattern("Day", "Europe/Berlin", "08:00");
    const [shift] = await generate(patternId, "2026-02-02", "2026-02-02");
    const { shiftAt } = await mustQuery(running.url, `query { shiftAt(plantId: "${PLANT}", at: "${shift!.startsAt}") { id } }`);
    const WC = "7a7a7a7a-1b1b-4c2c-8d3d-4e4e4e4e4e4e";
    const { setCoverageRequirement } = await mustQuery(
      running.url,
      `mutation { setCoverageRequirement(input: { plantId: "${PLANT}", workCenterId: "${WC}", requiredPeople: 3 }) { requiredPeople workCenter { id } } }`,
    );
    expect(setCoverageRequirement).toEqual({ requiredPeople: 3, workCenter: { id: WC } });
    const clockIn = (personId: string, at: string) =>
      mustQuery(
        running.url,
        `mutation($s: ID!, $p: String!, $at: DateTime!) { clockIn(input: { shiftId: $s, personId: $p, workCenterId: "${WC}", at: $at }) { status } }`,
        { s: shiftAt.id, p: personId, at },
      );
    expect((await clockIn("op-1", "2026-02-02T07:04:00Z")).clockIn.status).toBe("PRESENT"); // 08:04 local: within grace
    expect((await clockIn("op-2", "2026-02-02T07:20:00Z")).clockIn.status).toBe("LATE");
    await mustQuery(running.url, `mutation($s: ID!) { markAbsent(shiftId: $s, personId: "op-3") { status } }`, { s: shiftAt.id });
    const twice = await graphql(
      running.url,
      `mutation($s: ID!) { clockIn(input: { shiftId: $s, personId: "op-1", at: "2026-02-02T07:30:00Z" }) { status } }`,
      { s: shiftAt.id },
    );
    expect(twice.errors![0]!.extensions!.code).toBe("CONFLICT");
    await mustQuery(running.url, `mutation($s: ID!) { clockOut(shiftId: $s, personId: "op-2", at: "2026-02-02T12:00:00Z") { clockOut } }`, {
      s: shiftAt.id,
    });
    const { shift: view } = await mustQuery(
      running.url,
      `query($id: ID!) { shift(id: $id) { attendance { personId status } coverage { required present short } breakWindows { startsAt endsAt } } }`,
      { id: shiftAt.id },
    );
    expect(view.attendance).toEqual([
      { personId: "op-1", status: "PRESENT" },
      { personId: "op-2", status: "LATE" },
      { personId: "op-3", status: "ABSENT" },
    ]);
    expect(view.coverage).toEqual([{ required: 3, present: 1, short: 2 }]);
    expect(view.breakWindows).toEqual([{ startsAt: "2026-02-02T11:00:00.000Z", endsAt: "2026-02-02T11:30:00.000Z" }]);
  });
});

describe("handovers", () => {
  it("are logged by the outgoing supervisor, visible until acknowledged, and acknowledged once", async () => {
    const patternId = await pattern("Handover", "Europe/Berlin", "14:00");
    const [shift] = await generate(patternId, "2026-03-03", "2026-03-03");
    const { shiftAt } = await mustQuery(running.url, `query { shiftAt(plantId: "${PLANT}", at: "${shift!.startsAt}") { id } }`);
    const { logHandover } = await mustQuery(
      running.url,
      `mutation($s: ID!) { logHandover(input: { shiftId: $s, notes: "Line 2 slow, watch the feeder", openIssues: ["Feeder jam on line 2"] }) { id } }`,
      { s: shiftAt.id },
      await bearer({ userId: "sup.sara", organizationId: ORG }),
    );
    const pending = await mustQuery(
      running.url,
      `{ unacknowledgedHandovers(plantId: "${PLANT}") { totalCount items { id notes openIssues createdBy } } }`,
    );
    expect(pending.unacknowledgedHandovers).toEqual({
      totalCount: 1,
      items: [{ id: logHandover.id, notes: "Line 2 slow, watch the feeder", openIssues: ["Feeder jam on line 2"], createdBy: "sup.sara" }],
    });
    const ack = await mustQuery(
      running.url,
      `mutation($id: ID!) { acknowledgeHandover(id: $id) { acknowledgedBy } }`,
      { id: logHandover.id },
      await bearer({ userId: "sup.nick", organizationId: ORG }),
    );
    expect(ack.acknowledgeHandover.acknowledgedBy).toBe("sup.nick");
    const again = await graphql(
      running.url,
      `mutation($id: ID!) { acknowledgeHandover(id: $id) { id } }`,
      { id: logHandover.id },
      await bearer({ userId: "sup.other", organizationId: ORG }),
    );
    expect(again.errors![0]!.extensions!.code).toBe("CONFLICT");
    expect(again.errors![0]!.message).toBe(`Handover ${logHandover.id} was already acknowledged by sup.nick`);
    expect(
      (await mustQuery(running.url, `{ unacknowledgedHandovers(plantId: "${PLANT}") { totalCount items { id } } }`)).unacknowledgedHandovers,
    ).toEqual({
      totalCount: 0,
      items: [],
    });
  });
});

describe("lists over every plant (issue 17)", () => {
  it("shiftPatterns and crews span every plant without plantId, by start time and by name", async () => {
    await mustQuery(running.url, `mutation($i: CreateShiftPatternInput!) { createShiftPattern(input: $i) { id } }`, {
      i: { plantId: OTHER_PLANT, name: "Dawn", timeZone: "Europe/Berlin", startTime: "04:00", durationMinutes: 480, breaks: [] },
    });
    for (const [plantId, name] of [
      [PLANT, "Blue"],
      [OTHER_PLANT, "Amber"],
    ]) {
      await mustQuery(running.url, `mutation($i: CreateCrewInput!) { createCrew(input: $i) { id } }`, {
        i: { plantId, name, members: [{ personId: `p-${name}`, displayName: name, role: "Operator" }] },
      });
    }
    const all = await mustQuery(running.url, `{ shiftPatterns { name startTime plant { id } } crews { name } }`);
    expect(all.shiftPatterns[0]).toEqual({ name: "Dawn", startTime: "04:00", plant: { id: OTHER_PLANT } }); // earliest local start
    expect(new Set(all.shiftPatterns.map((p: { plant: { id: string } }) => p.plant.id))).toEqual(new Set([PLANT, OTHER_PLANT]));
    expect(all.crews.map((c: { name: string }) => c.name)).toEqual(["Amber", "Blue"]);
    const one = await mustQuery(running.url, `query($p: ID) { shiftPatterns(plantId: $p) { name } crews(plantId: $p) { name } }`, { p: OTHER_PLANT });
    expect(one).toEqual({ shiftPatterns: [{ name: "Dawn" }], crews: [{ name: "Amber" }] });
  });

  it("unacknowledgedHandovers is a page over every plant, filtered by logged at and sorted by orderBy", async () => {
    const patternId = await pattern("Pager", "Europe/Berlin", "10:00");
    const [shift] = await generate(patternId, "2026-04-01", "2026-04-01");
    const { shiftAt } = await mustQuery(running.url, `query { shiftAt(plantId: "${PLANT}", at: "${shift!.startsAt}") { id } }`);
    const before = new Date(Date.now() - 1000).toISOString();
    for (const notes of ["first", "second"]) {
      await mustQuery(running.url, `mutation($s: ID!, $n: String!) { logHandover(input: { shiftId: $s, notes: $n, openIssues: [] }) { id } }`, {
        s: shiftAt.id,
        n: notes,
      });
    }
    const q = `query($p: ID, $f: DateTime, $t: DateTime, $o: HandoverOrder, $l: Int) {
      unacknowledgedHandovers(plantId: $p, from: $f, to: $t, orderBy: $o, limit: $l) { totalCount hasMore items { notes } } }`;
    expect((await mustQuery(running.url, q, { f: before })).unacknowledgedHandovers).toEqual({
      totalCount: 2,
      hasMore: false,
      items: [{ notes: "first" }, { notes: "second" }],
    });
    expect((await mustQuery(running.url, q, { f: before, o: { field: "CREATED_AT", direction: "DESC" }, l: 1 })).unacknowledgedHandovers).toEqual({
      totalCount: 2,
      hasMore: true,
      items: [{ notes: "second" }],
    });
    expect((await mustQuery(running.url, q, { p: OTHER_PLANT })).unacknowledgedHandovers.totalCount).toBe(0);
    const reversed = await graphql(running.url, q, { t: before, f: before });
    expect(reversed.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ field: "to" }] });
  });
});

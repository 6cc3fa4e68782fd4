// Issue 15, shifts: breaks by local wall-clock time on DST nights (through shift OEE in equipment),
// attendance that never counts the future, and "who was late on the night shift" in one query.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql, mustQuery } from "./support/graphql.ts";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { createPlant, type PlantFixture } from "./support/fixtures.ts";
import { actAs } from "./support/auth.ts";

const ORG = "15a1f0e2-5b3c-4d4e-8f50-6a7b8c9d0e15";
actAs({ organizationId: ORG });
let stack: TestStack;
let url: string;
let berlin: PlantFixture;
let chicago: PlantFixture;

beforeAll(async () => {
  stack = await startTestStack();
  url = stack.gatewayUrl;
  berlin = await createPlant(url, ORG, "SN-BER");
  chicago = await createPlant(url, ORG, "SN-CHI");
});
afterAll(async () => stack?.stop());

// Night 22:00 for 8 local hours with 30-minute breaks at 02:00 and 05:00 local: 60 break minutes.
const NIGHT_BREAKS = [
  { startOffsetMinutes: 240, durationMinutes: 30 },
  { startOffsetMinutes: 420, durationMinutes: 30 },
];

async function pattern(plantId: string, name: string, timeZone: string, startTime: string, breaks = NIGHT_BREAKS, durationMinutes = 480) {
  const { createShiftPattern } = await mustQuery(
    url,
    `mutation($i: CreateShiftPatternInput!) { createShiftPattern(input: $i) { id breaks { startTime } } }`,
    {
      i: { plantId, name, timeZone, startTime, durationMinutes, breaks },
    },
  );
  return createShiftPattern as { id: string; breaks: { startTime: string }[] };
}

const SHIFT_NUMBERS = `mutation($p: ID!, $d: Date!) { generateShifts(patternId: $p, fromDate: $d, toDate: $d) {
  id startsAt endsAt durationMinutes breakMinutes breakWindows { startsAt endsAt } oee { breakMinutes } } }`;

describe("breaks by local wall-clock time on the clock-change nights", () => {
  it("Europe/Berlin: 7 hours in spring, 9 in autumn, 60 break minutes both nights (shift OEE agrees)", async () => {
    const night = await pattern(berlin.plantId, "Night", "Europe/Berlin", "22:00");
    expect(night.breaks).toEqual([{ startTime: "02:00" }, { startTime: "05:00" }]);
    const spring = (await mustQuery(url, SHIFT_NUMBERS, { p: night.id, d: "2026-03-28" })).generateShifts[0];
    expect(spring).toMatchObject({
      startsAt: "2026-03-28T21:00:00.000Z",
      endsAt: "2026-03-29T04:00:00.000Z",
      durationMinutes: 420,
      breakMinutes: 60,
      // 02:00 is skipped: that break starts at the jump (03:00 CEST = 01:00Z); 05:00 CEST = 03:00Z.
      breakWindows: [
        { startsAt: "2026-03-29T01:00:00.000Z", endsAt: "2026-03-29T01:30:00.000Z" },
        { startsAt: "2026-03-29T03:00:00.000Z", endsAt: "2026-03-29T03:30:00.000Z" },
      ],
      oee: { breakMinutes: 60 },
    });
    const autumn = (await mustQuery(url, SHIFT_NUMBERS, { p: night.id, d: "2026-10-24" })).generateShifts[0];
    expect(autumn).toMatchObject({
      startsAt: "2026-10-24T20:00:00.000Z",
      endsAt: "2026-10-25T05:00:00.000Z",
      durationMinutes: 540,
      breakMinutes: 60,
      // 02:00 happens twice: the first (CEST, 00:00Z); 05:00 CET = 04:00Z.
      breakWindows: [
        { startsAt: "2026-10-25T00:00:00.000Z", endsAt: "2026-10-25T00:30:00.000Z" },
        { startsAt: "2026-10-25T04:00:00.000Z", endsAt: "2026-10-25T04:30:00.000Z" },
      ],
      oee: { breakMinutes: 60 },
    });
  });

  it("America/Chicago: 7 and 9 hours on its own clock-change nights, and an ordinary night across midnight", async () => {
    const night = await pattern(chicago.plantId, "Night", "America/Chicago", "22:00");
    const spring = (await mustQuery(url, SHIFT_NUMBERS, { p: night.id, d: "2026-03-07" })).generateShifts[0];
    expect(spring).toMatchObject({
      startsAt: "2026-03-08T04:00:00.000Z",
      endsAt: "2026-03-08T11:00:00.000Z",
      durationMinutes: 420,
      breakMinutes: 60,
      breakWindows: [
        { startsAt: "2026-03-08T08:00:00.000Z", endsAt: "2026-03-08T08:30:00.000Z" },
        { startsAt: "2026-03-08T10:00:00.000Z", endsAt: "2026-03-08T10:30:00.000Z" },
      ],
      oee: { breakMinutes: 60 },
    });
    const autumn = (await mustQuery(url, SHIFT_NUMBERS, { p: night.id, d: "2026-10-31" })).generateShifts[0];
    expect(autumn).toMatchObject({
      startsAt: "2026-11-01T03:00:00.000Z",
      endsAt: "2026-11-01T12:00:00.000Z",
      durationMinutes: 540,
      breakMinutes: 60,
      // 02:00 CST (the repeated hour is 01:00-02:00 in Chicago) = 08:00Z; 05:00 CST = 11:00Z.
      breakWindows: [
        { startsAt: "2026-11-01T08:00:00.000Z", endsAt: "2026-11-01T08:30:00.000Z" },
        { startsAt: "2026-11-01T11:00:00.000Z", endsAt: "2026-11-01T11:30:00.000Z" },
      ],
      oee: { breakMinutes: 60 },
    });
    const ordinary = (await mustQuery(url, SHIFT_NUMBERS, { p: night.id, d: "2026-02-02" })).generateShifts[0];
    expect(ordinary).toMatchObject({
      startsAt: "2026-02-03T04:00:00.000Z",
      endsAt: "2026-02-03T12:00:00.000Z",
      durationMinutes: 480,
      breakMinutes: 60,
    });
  });
});

describe("attendance", () => {
  it("answers who was late on the night shift in one query, late counted from the local start", async () => {
    const shifts = await mustQuery(
      url,
      `query($p: ID!) { shifts(plantId: $p, from: "2026-03-28T00:00:00Z", to: "2026-03-29T00:00:00Z", name: "Night") { id } }`,
      {
        p: berlin.plantId,
      },
    );
    const shiftId = shifts.shifts[0].id;
    const clockIn = (personId: string, at: string) =>
      mustQuery(url, `mutation($i: ClockInInput!) { clockIn(input: $i) { status minutesLate } }`, { i: { shiftId, personId, at } });
    // 22:04 CET: on time; 22:20 CET: 20 late; 03:10 CEST, after the jump: 4 h 10 min of real time late.
    expect((await clockIn("ana", "2026-03-28T21:04:00Z")).clockIn).toEqual({ status: "PRESENT", minutesLate: 4 });
    expect((await clockIn("ben", "2026-03-28T21:20:00Z")).clockIn).toEqual({ status: "LATE", minutesLate: 20 });
    expect((await clockIn("cem", "2026-03-29T01:10:00Z")).clockIn).toEqual({ status: "LATE", minutesLate: 250 });
    const late = await mustQuery(
      url,
      `query($p: ID!) { shifts(plantId: $p, from: "2026-03-21T00:00:00Z", to: "2026-03-30T00:00:00Z", name: "Night") {
        businessDate attendance(status: [LATE]) { personId clockIn minutesLate } } }`,
      { p: berlin.plantId },
    );
    expect(late.shifts).toEqual([
      {
        businessDate: "2026-03-28",
        attendance: [
          { personId: "ben", clockIn: "2026-03-28T21:20:00.000Z", minutesLate: 20 },
          { personId: "cem", clockIn: "2026-03-29T01:10:00.000Z", minutesLate: 250 },
        ],
      },
    ]);
  });

  it("refuses a clock-in beyond the clock difference, and does not count an allowed early one as present yet", async () => {
    // A shift running now: started an hour ago (UTC pattern, so the local date is the UTC date).
    const start = new Date(Math.floor((Date.now() - 3_600_000) / 60_000) * 60_000);
    const hhmm = start.toISOString().slice(11, 16);
    const now = await pattern(berlin.plantId, "Now", "UTC", hhmm, []);
    const { generateShifts } = await mustQuery(
      url,
      `mutation($p: ID!, $d: Date!) { generateShifts(patternId: $p, fromDate: $d, toDate: $d) { id } }`,
      {
        p: now.id,
        d: start.toISOString().slice(0, 10),
      },
    );
    const shiftId = generateShifts[0].id;
    await mustQuery(url, `mutation($i: SetCoverageInput!) { setCoverageRequirement(input: $i) { requiredPeople } }`, {
      i: { plantId: berlin.plantId, workCenterId: berlin.workCenterId, requiredPeople: 3 },
    });
    const clockIn = (personId: string, at: Date) =>
      graphql(url, `mutation($i: ClockInInput!) { clockIn(input: $i) { status } }`, {
        i: { shiftId, personId, workCenterId: berlin.workCenterId, at: at.toISOString() },
      });
    const future = await clockIn("dora", new Date(Date.now() + 10 * 60_000));
    expect(future.errors![0]!.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ field: "input.at" }] });
    expect((await clockIn("eli", new Date(start.getTime() + 2 * 60_000))).errors).toBeUndefined();
    // Two minutes ahead of the server's clock: within the allowed difference, recorded, not yet present.
    expect((await clockIn("fay", new Date(Date.now() + 2 * 60_000))).errors).toBeUndefined();
    const view = await mustQuery(url, `query($s: ID!) { shift(id: $s) { attendance { personId status } coverage { required present short } } }`, {
      s: shiftId,
    });
    expect(view.shift.attendance).toEqual([
      { personId: "eli", status: "PRESENT" },
      { personId: "fay", status: "LATE" },
    ]);
    expect(view.shift.coverage).toEqual([{ required: 3, present: 1, short: 2 }]);
  });
});

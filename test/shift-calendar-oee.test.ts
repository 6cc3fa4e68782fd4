// Period OEE plans by the plant's shift calendar (issue 15): planned operation time is the part of
// the window covered by the plant's shifts, created here through the shifts subgraph and copied into
// equipment by its reference-data follower. Hand-computed numbers: docs/kpis/equipment.md.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mustQuery } from "./support/graphql.ts";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { createPlant, createProduct, createWorkOrder, type PlantFixture } from "./support/fixtures.ts";
import { actAs } from "./support/auth.ts";

const ORG = "5b1c7d3e-9f2a-4b6c-8d0e-1f3a5b7c9d2e";
actAs({ organizationId: ORG });
let stack: TestStack;
let url: string;
let plant: PlantFixture;

/** Waits until one of equipment's feed followers has applied everything published so far. */
const drainEquipment = async (feed: string) => {
  const follower = stack.subgraphs.equipment.consumers.find((c) => c.status?.().feed === feed);
  if (!follower) throw new Error(`equipment has no follower ${feed}`);
  await follower.drain();
};

beforeAll(async () => {
  stack = await startTestStack();
  url = stack.gatewayUrl;
  plant = await createPlant(url, ORG, "CAL", 2); // two machines, ideal cycle 30 s
  await stack.subgraphs.equipment.pool.query(
    `INSERT INTO "DowntimeReason" (id, "organizationId", code, description, kind) VALUES (gen_random_uuid(), $1, 'MECH', 'Mechanical failure', 'UNPLANNED')`,
    [ORG],
  );
  // Early 06:00-14:00 and Late 14:00-22:00 Berlin on 20 Jan 2026 (UTC+1): 05:00Z-13:00Z and 13:00Z-21:00Z. No night shift.
  for (const [name, startTime] of [
    ["Early", "06:00"],
    ["Late", "14:00"],
  ]) {
    const { createShiftPattern: p } = await mustQuery(
      url,
      `mutation($p: ID!, $n: String!, $s: String!) { createShiftPattern(input: { plantId: $p, name: $n, timeZone: "Europe/Berlin", startTime: $s, durationMinutes: 480 }) { id } }`,
      { p: plant.plantId, n: name, s: startTime },
    );
    await mustQuery(url, `mutation($id: ID!) { generateShifts(patternId: $id, fromDate: "2026-01-20", toDate: "2026-01-20") { id } }`, { id: p.id });
  }
  await drainEquipment("equipment<-shifts:references");
});
afterAll(async () => stack?.stop());

const OEE_FIELDS = `plannedProductionMinutes runMinutes unplannedDowntimeMinutes totalCount goodCount idealRunMinutes idealGoodMinutes availability performance quality oee`;

describe("period OEE with the plant's shift calendar", () => {
  it("plans only the time the plant's shifts cover, and counts every unit logged in the period", async () => {
    const [m1] = plant.machineIds;
    // A failure 20:30Z-22:00Z: only its 30 minutes inside Late are lost planned time.
    await mustQuery(url, `mutation($i: LogDowntimeInput!) { logDowntime(input: $i) { id } }`, {
      i: { machineId: m1, reasonCode: "MECH", startedAt: "2026-01-20T20:30:00Z", endedAt: "2026-01-20T22:00:00Z" },
    });
    const wo = await createWorkOrder(url, await createProduct(url, plant, "CAL-P", 1), "WO-CAL", 2000);
    const op = wo.operations[0]!;
    await mustQuery(url, `mutation($id: ID!, $m: ID!) { assignOperation(id: $id, machineId: $m) { id } }`, { id: op, m: m1 });
    await mustQuery(url, `mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id: wo.id });
    await mustQuery(url, `mutation($id: ID!) { startOperation(id: $id) { id } }`, { id: op });
    for (const [good, scrap, loggedAt] of [
      [1600, 60, "2026-01-20T12:00:00Z"],
      [100, 0, "2026-01-20T22:30:00Z"], // after the last shift: made in the period, so counted
    ] as const) {
      await mustQuery(url, `mutation($i: LogProductionInput!) { logProduction(input: $i) { id } }`, {
        i: { operationId: op, goodQuantity: good, scrapQuantity: scrap, loggedAt },
      });
    }
    await drainEquipment("equipment<-production:counts");

    const day = { from: "2026-01-20T00:00:00Z", to: "2026-01-21T00:00:00Z" };
    const { machine } = await mustQuery(
      url,
      `query($id: ID!, $f: DateTime!, $t: DateTime!) { machine(id: $id) { oee(from: $f, to: $t) { ${OEE_FIELDS} } } }`,
      {
        id: m1,
        f: day.from,
        t: day.to,
      },
    );
    // planned 960 (not 1440); run 960 - 30 = 930; ideal (1700 + 60) x 0.5 = 880; ideal good 1700 x 0.5 = 850.
    expect(machine.oee).toMatchObject({
      plannedProductionMinutes: 960,
      runMinutes: 930,
      unplannedDowntimeMinutes: 30,
      totalCount: 1760,
      goodCount: 1700,
      idealRunMinutes: 880,
      idealGoodMinutes: 850,
    });
    expect(machine.oee.availability).toBeCloseTo(930 / 960, 12);
    expect(machine.oee.performance).toBeCloseTo(880 / 930, 12);
    expect(machine.oee.quality).toBeCloseTo(850 / 880, 12);
    expect(machine.oee.oee).toBeCloseTo(850 / 960, 12);

    // The plant: M-2 made nothing and ran the whole 960 planned minutes; time-weighted sums.
    const { plant: p } = await mustQuery(
      url,
      `query($id: ID!, $f: DateTime!, $t: DateTime!) { plant(id: $id) { oee(from: $f, to: $t) { ${OEE_FIELDS} } workCenters { oee(from: $f, to: $t) { plannedProductionMinutes oee } } } }`,
      { id: plant.plantId, f: day.from, t: day.to },
    );
    expect(p.oee).toMatchObject({ plannedProductionMinutes: 1920, runMinutes: 1890, idealGoodMinutes: 850 });
    expect(p.oee.oee).toBeCloseTo(850 / 1920, 12);
    expect(p.workCenters[0].oee.plannedProductionMinutes).toBe(1920);
    expect(p.workCenters[0].oee.oee).toBeCloseTo(850 / 1920, 12);
  });

  it("clips shifts to the window: 12:00Z-14:00Z is the last hour of Early and the first of Late", async () => {
    const { machine } = await mustQuery(
      url,
      `query($id: ID!) { machine(id: $id) { oee(from: "2026-01-20T12:00:00Z", to: "2026-01-20T14:00:00Z") { plannedProductionMinutes runMinutes } } }`,
      { id: plant.machineIds[1] },
    );
    expect(machine.oee).toEqual({ plannedProductionMinutes: 120, runMinutes: 120 });
  });

  it("plans nothing in a period without shifts: every factor and OEE null", async () => {
    const { plant: p } = await mustQuery(
      url,
      `query($id: ID!) { plant(id: $id) { oee(from: "2026-01-22T00:00:00Z", to: "2026-01-23T00:00:00Z") { ${OEE_FIELDS} } } }`,
      { id: plant.plantId },
    );
    expect(p.oee).toMatchObject({ plannedProductionMinutes: 0, runMinutes: 0, availability: null, performance: null, quality: null, oee: null });
  });

  it("takes the shifts' breaks out of a period as Shift.oee does, also on a daylight-saving night", async () => {
    // A plant of its own: a night pattern 22:00 Berlin, 480 minutes, breaks at 02:30 (skipped on
    // 29 Mar 2026: it starts at the jump, 03:00 local = 01:00Z) and 05:00 local.
    const other = await createPlant(url, ORG, "CAL-BRK", 1);
    const { createShiftPattern: night } = await mustQuery(
      url,
      `mutation($p: ID!) { createShiftPattern(input: { plantId: $p, name: "Night", timeZone: "Europe/Berlin", startTime: "22:00", durationMinutes: 480,
         breaks: [{ startOffsetMinutes: 270, durationMinutes: 30 }, { startOffsetMinutes: 420, durationMinutes: 15 }] }) { id } }`,
      { p: other.plantId },
    );
    const { generateShifts } = await mustQuery(
      url,
      `mutation($id: ID!) { generateShifts(patternId: $id, fromDate: "2026-03-27", toDate: "2026-03-28") { id startsAt endsAt breakMinutes } }`,
      { id: night.id },
    );
    await drainEquipment("equipment<-shifts:references");
    const [m] = other.machineIds;
    const OEE = `plannedProductionMinutes breakMinutes runMinutes availability`;
    for (const shift of generateShifts as { id: string; startsAt: string; endsAt: string; breakMinutes: number }[]) {
      const { machine, shift: fromShifts } = await mustQuery(
        url,
        `query($m: ID!, $s: ID!, $f: DateTime!, $t: DateTime!) {
           machine(id: $m) { oee(from: $f, to: $t) { ${OEE} } }
           shift(id: $s) { oee(machineId: $m) { ${OEE} } } }`,
        { m, s: shift.id, f: shift.startsAt, t: shift.endsAt },
      );
      expect(machine.oee).toEqual(fromShifts.oee);
      expect(machine.oee.breakMinutes).toBe(shift.breakMinutes);
    }
    // The spring-forward night is an hour short (420 minutes) and keeps both breaks (45 minutes).
    expect(generateShifts.map((s: { breakMinutes: number }) => s.breakMinutes)).toEqual([45, 45]);
    const { machine } = await mustQuery(
      url,
      `query($m: ID!) { machine(id: $m) { oee(from: "2026-03-27T00:00:00Z", to: "2026-03-30T00:00:00Z") { plannedProductionMinutes breakMinutes } } }`,
      { m },
    );
    expect(machine.oee).toEqual({ plannedProductionMinutes: 480 - 45 + 420 - 45, breakMinutes: 90 });
  });
});

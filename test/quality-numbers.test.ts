// Issue 15, quality: first pass yield by units (not per inspection or per work order), process
// capability per numeric characteristic, and NCRs of a period by defect type, through the gateway.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql, mustQuery } from "./support/graphql.ts";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { createPlant, createProduct, createWorkOrder, type PlantFixture } from "./support/fixtures.ts";
import { actAs } from "./support/auth.ts";

const ORG = "15b2e1d3-6c4d-4e5f-9a61-7b8c9d0e1f15";
actAs({ organizationId: ORG });
let stack: TestStack;
let url: string;
let plant: PlantFixture;

beforeAll(async () => {
  stack = await startTestStack();
  url = stack.gatewayUrl;
  plant = await createPlant(url, ORG, "QN");
});
afterAll(async () => stack?.stop());

/** A plan for a new product on the fixture's work center: Length (9.5..10.7 mm) and Finish (pass/fail). */
async function plan(code: string) {
  const productId = await createProduct(url, plant, code, 1);
  const { createInspectionPlan } = await mustQuery(
    url,
    `mutation($i: CreateInspectionPlanInput!) { createInspectionPlan(input: $i) { id characteristics { id name } } }`,
    {
      i: {
        plantId: plant.plantId,
        code: `IP-${code}`,
        name: code,
        productId,
        workCenterId: plant.workCenterId,
        characteristics: [
          { name: "Length", kind: "NUMERIC", nominal: 10, lowerLimit: 9.5, upperLimit: 10.7, unit: "mm" },
          { name: "Finish", kind: "ATTRIBUTE" },
        ],
      },
    },
  );
  const byName = Object.fromEntries(createInspectionPlan.characteristics.map((c: { id: string; name: string }) => [c.name, c.id]));
  return { id: createInspectionPlan.id as string, productId, length: byName.Length as string, finish: byName.Finish as string };
}

const INSPECT = `mutation($i: RecordInspectionInput!) { recordInspection(input: $i) {
  id result quantityInspected quantityPassed quantityFailed firstPass measurements { characteristic { name } values passed defectiveUnits } } }`;
const hourAgo = () => new Date(Date.now() - 3_600_000).toISOString();
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

async function yieldOfProduct(productId: string) {
  const { firstPassYield } = await mustQuery(
    url,
    `query($p: ID!, $f: DateTime!, $t: DateTime!) { firstPassYield(plantId: $p, from: $f, to: $t) {
      byProduct { product { id } yield { value numerator denominator } } } }`,
    { p: plant.plantId, f: hourAgo(), t: inAnHour() },
  );
  return firstPassYield.byProduct.find((b: { product: { id: string } }) => b.product.id === productId)?.yield;
}

describe("first pass yield by units", () => {
  it("ten one-unit inspections of one order, 2 failing: 8/10; a re-inspection after rework does not count", async () => {
    const p = await plan("QN-UNITS");
    const wo = await createWorkOrder(url, p.productId, "WO-QN-1", 10);
    const inspect = (length: number, reinspectionOf?: string) =>
      mustQuery(url, INSPECT, {
        i: {
          planId: p.id,
          workOrderId: wo.id,
          openNcrOnFailure: false,
          reinspectionOf,
          measurements: [
            { characteristicId: p.length, value: length },
            { characteristicId: p.finish, passed: true },
          ],
        },
      });
    const results = [];
    for (const length of [10, 10.1, 11, 9.9, 10, 9.4, 10.2, 10, 9.8, 10.3]) results.push((await inspect(length)).recordInspection);
    expect(results.map((r) => r.result).filter((r) => r === "FAIL")).toHaveLength(2);
    // Without counts an inspection is one unit: the failed one has 1 defective unit.
    expect(results[2]).toMatchObject({ quantityInspected: 1, quantityPassed: 0, quantityFailed: 1, firstPass: true });
    // Measurements come in characteristic name order: Finish, Length.
    expect(results[2].measurements).toEqual([
      { characteristic: { name: "Finish" }, values: [], passed: true, defectiveUnits: 0 },
      { characteristic: { name: "Length" }, values: [11], passed: false, defectiveUnits: 1 },
    ]);
    const again = (await inspect(10, results[2].id)).recordInspection;
    expect(again).toMatchObject({ result: "PASS", firstPass: false });
    expect(await yieldOfProduct(p.productId)).toEqual({ value: 0.8, numerator: 8, denominator: 10 });
  });

  it("a sample of 10 with 2 bad units: 8/10 from the values, or as given", async () => {
    const p = await plan("QN-SAMPLE");
    const values = [10, 10.1, 9.4, 9.9, 10, 10.8, 10.2, 10, 9.8, 10.3];
    const { recordInspection } = await mustQuery(url, INSPECT, {
      i: {
        planId: p.id,
        quantityInspected: 10,
        openNcrOnFailure: false,
        measurements: [
          { characteristicId: p.length, values },
          { characteristicId: p.finish, passed: true },
        ],
      },
    });
    expect(recordInspection).toMatchObject({ result: "FAIL", quantityInspected: 10, quantityPassed: 8, quantityFailed: 2 });
    expect(recordInspection.measurements[1]).toEqual({ characteristic: { name: "Length" }, values, passed: false, defectiveUnits: 2 });
    // A gauge check: 5 units, Finish failed on 1, counted by hand.
    await mustQuery(url, INSPECT, {
      i: {
        planId: p.id,
        quantityInspected: 5,
        quantityPassed: 4,
        openNcrOnFailure: false,
        measurements: [
          { characteristicId: p.length, value: 10 },
          { characteristicId: p.finish, defectiveUnits: 1 },
        ],
      },
    });
    // (8 + 4) / (10 + 5)
    expect(await yieldOfProduct(p.productId)).toEqual({ value: 12 / 15, numerator: 12, denominator: 15 });
  });

  it("refuses counts that contradict the readings, writing nothing; no units gives no value", async () => {
    const p = await plan("QN-BAD");
    const before = (await mustQuery(url, `query($p: ID!) { inspections(plantId: $p) { totalCount } }`, { p: plant.plantId })).inspections.totalCount;
    const bad = await graphql(url, INSPECT, {
      i: {
        planId: p.id,
        quantityInspected: 10,
        quantityPassed: 9,
        measurements: [
          { characteristicId: p.length, values: [10, 11, 12] },
          { characteristicId: p.finish, passed: true },
        ],
      },
    });
    expect(bad.errors![0]!.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      fields: [{ field: "input.quantityPassed", message: "must be at most 8 (2 unit(s) failed a characteristic)" }],
    });
    const unknown = await graphql(url, INSPECT, {
      i: {
        planId: p.id,
        reinspectionOf: "f0000000-0000-4000-8000-000000000015",
        measurements: [
          { characteristicId: p.length, value: 10 },
          { characteristicId: p.finish, passed: true },
        ],
      },
    });
    expect(unknown.errors![0]!.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ field: "input.reinspectionOf" }] });
    const after = (await mustQuery(url, `query($p: ID!) { inspections(plantId: $p) { totalCount } }`, { p: plant.plantId })).inspections.totalCount;
    expect(after).toBe(before);
    expect(await yieldOfProduct(p.productId)).toBeUndefined();
    const { firstPassYield } = await mustQuery(
      url,
      `query($p: ID!) { firstPassYield(plantId: $p, from: "2020-01-01T00:00:00Z", to: "2020-02-01T00:00:00Z") { overall { value numerator denominator } } }`,
      { p: plant.plantId },
    );
    expect(firstPassYield.overall).toEqual({ value: null, numerator: 0, denominator: 0 });
  });
});

describe("process capability", () => {
  it("Cp and Cpk of Length over 25 readings (hand-computed), re-inspections left out, null below 25", async () => {
    const p = await plan("QN-CPK");
    const capability = async () => {
      const { inspectionPlan } = await mustQuery(
        url,
        `query($id: ID!, $f: DateTime!, $t: DateTime!) { inspectionPlan(id: $id) { characteristics {
          name capability(from: $f, to: $t) { sampleCount minimumSampleCount mean standardDeviation cp cpk } } } }`,
        { id: p.id, f: hourAgo(), t: inAnHour() },
      );
      return Object.fromEntries(inspectionPlan.characteristics.map((c: { name: string; capability: unknown }) => [c.name, c.capability]));
    };
    const record = (values: number[], reinspectionOf?: string) =>
      mustQuery(url, INSPECT, {
        i: {
          planId: p.id,
          quantityInspected: values.length,
          reinspectionOf,
          openNcrOnFailure: false,
          measurements: [
            { characteristicId: p.length, values },
            { characteristicId: p.finish, passed: true },
          ],
        },
      });
    // 20 readings first: mean and s, no Cp/Cpk yet.
    const first = await record([9.8, 9.9, 10.0, 10.1, 10.2].flatMap((v) => [v, v, v, v]));
    const few = (await capability()).Length;
    expect(few).toMatchObject({ sampleCount: 20, minimumSampleCount: 25, cp: null, cpk: null });
    expect(few.mean).toBeCloseTo(10, 9);
    // Then 5 more, one of each: 25 readings, 5 each of 9.8..10.2; s = sqrt(0.5 / 24) = 0.144338.
    await record([9.8, 9.9, 10.0, 10.1, 10.2]);
    // A re-inspection's readings (reworked parts) are not the process's.
    await record([10.6, 10.6], first.recordInspection.id);
    const c = await capability();
    expect(c.Finish).toBeNull();
    expect(c.Length.sampleCount).toBe(25);
    expect(c.Length.mean).toBeCloseTo(10, 9);
    expect(c.Length.standardDeviation).toBeCloseTo(0.144338, 6);
    // Cp = (10.7 - 9.5) / (6 x 0.144338) = 1.385641; Cpk = (10 - 9.5) / (3 x 0.144338) = 1.154701.
    expect(c.Length.cp).toBeCloseTo(1.385641, 6);
    expect(c.Length.cpk).toBeCloseTo(1.154701, 6);
  });
});

describe("NCRs of a period by defect type", () => {
  it("answers this week's NCRs by defect type in one query, and filters the list by date and type", async () => {
    const open = async (number: string, defects: [string, number][]) => {
      const { openNcr } = await mustQuery(url, `mutation($i: OpenNcrInput!) { openNcr(input: $i) { id } }`, {
        i: { plantId: plant.plantId, number, title: number, severity: "MINOR" },
      });
      for (const [type, quantity] of defects) {
        await mustQuery(url, `mutation($n: ID!, $t: String!, $q: Float!) { addNcrDefect(ncrId: $n, type: $t, quantity: $q) { id } }`, {
          n: openNcr.id,
          t: type,
          q: quantity,
        });
      }
      return openNcr.id as string;
    };
    await open("NCR-QN-1", [
      ["Scratch", 3],
      ["Burr", 2],
    ]);
    await open("NCR-QN-2", [["Scratch", 4.5]]);
    await open("NCR-QN-3", []);
    const week = await mustQuery(
      url,
      `query($p: ID!, $f: DateTime!, $t: DateTime!) {
        ncrDefectSummary(plantId: $p, from: $f, to: $t) { ncrCount withoutDefects byType { type ncrCount quantity } }
        ncrs(plantId: $p, from: $f, to: $t, defectType: "Burr") { totalCount items { number } } }`,
      { p: plant.plantId, f: new Date(Date.now() - 7 * 86_400_000).toISOString(), t: inAnHour() },
    );
    expect(week.ncrDefectSummary).toEqual({
      ncrCount: 3,
      withoutDefects: 1,
      byType: [
        { type: "Scratch", ncrCount: 2, quantity: 7.5 },
        { type: "Burr", ncrCount: 1, quantity: 2 },
      ],
    });
    expect(week.ncrs).toEqual({ totalCount: 1, items: [{ number: "NCR-QN-1" }] });
    const lastYear = await mustQuery(
      url,
      `query($p: ID!) { ncrs(plantId: $p, to: "2025-01-01T00:00:00Z") { totalCount } ncrDefectSummary(plantId: $p, from: "2024-01-01T00:00:00Z", to: "2025-01-01T00:00:00Z") { ncrCount byType { type } } }`,
      { p: plant.plantId },
    );
    expect(lastYear).toEqual({ ncrs: { totalCount: 0 }, ncrDefectSummary: { ncrCount: 0, byType: [] } });
  });
});

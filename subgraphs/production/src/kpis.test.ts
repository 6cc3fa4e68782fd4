import { describe, expect, it } from "vitest";
import { Prisma } from "./generated/prisma/client.ts";
import { countedUntil, kpisOf, outputOf } from "./kpis.ts";

const t = (iso: string) => new Date(`2027-03-${iso}Z`);
const order = (o: { completedAt: string; dueDate: string; releasedAt?: string; startedAt?: string; plannedEnd?: string }) => ({
  completedAt: t(o.completedAt),
  dueDate: t(o.dueDate),
  releasedAt: o.releasedAt ? t(o.releasedAt) : null,
  startedAt: o.startedAt ? t(o.startedAt) : null,
  plannedEnd: o.plannedEnd ? t(o.plannedEnd) : null,
});

describe("delivery KPIs", () => {
  it("of no orders have null ratios and no cycle time", () => {
    expect(kpisOf([])).toEqual({
      completedWorkOrders: 0,
      onTimeDelivery: { value: null, numerator: 0, denominator: 0 },
      averageCycleTimeHours: null,
      averageExecutionTimeHours: null,
      scheduleAdherence: { value: null, numerator: 0, denominator: 0 },
    });
  });

  it("count an order completed exactly at its due date or planned end as on time", () => {
    const k = kpisOf([order({ completedAt: "01T12:00:00", dueDate: "01T12:00:00", plannedEnd: "01T12:00:00" })]);
    expect(k.onTimeDelivery).toEqual({ value: 1, numerator: 1, denominator: 1 });
    expect(k.scheduleAdherence).toEqual({ value: 1, numerator: 1, denominator: 1 });
  });

  it("divide by all completed orders for delivery and by planned ones for adherence", () => {
    const k = kpisOf([
      // on time, released 10 h before completion, finished after its plan
      order({ completedAt: "02T10:00:00", dueDate: "03T00:00:00", releasedAt: "02T00:00:00", plannedEnd: "02T08:00:00" }),
      // late by a second, released 30 h before, within its plan
      order({ completedAt: "02T06:00:01", dueDate: "02T06:00:00", releasedAt: "01T00:00:01", plannedEnd: "02T07:00:00" }),
      // on time, never released (no cycle time), no plan
      order({ completedAt: "04T00:00:00", dueDate: "05T00:00:00" }),
      // late, released 2 h before, no plan
      order({ completedAt: "06T02:00:00", dueDate: "06T00:00:00", releasedAt: "06T00:00:00" }),
    ]);
    expect(k.completedWorkOrders).toBe(4);
    expect(k.onTimeDelivery).toEqual({ value: 0.5, numerator: 2, denominator: 4 });
    expect(k.scheduleAdherence).toEqual({ value: 0.5, numerator: 1, denominator: 2 });
    // (10 + 30 + 2) / 3
    expect(k.averageCycleTimeHours).toBe(14);
  });

  it("leave adherence null when no completed order had a plan", () => {
    const k = kpisOf([order({ completedAt: "01T00:00:00", dueDate: "01T00:00:00", releasedAt: "01T00:00:00" })]);
    expect(k.scheduleAdherence.value).toBeNull();
    expect(k.averageCycleTimeHours).toBe(0);
  });

  it("average execution time (ISO 22400-2 AOET) from the start, over started orders only", () => {
    const k = kpisOf([
      // released 24 h before completion, started 6 h before
      order({ completedAt: "02T12:00:00", dueDate: "03T00:00:00", releasedAt: "01T12:00:00", startedAt: "02T06:00:00" }),
      // started 90 minutes before completion
      order({ completedAt: "04T01:30:00", dueDate: "05T00:00:00", startedAt: "04T00:00:00" }),
      // never started: no execution time
      order({ completedAt: "05T00:00:00", dueDate: "05T00:00:00", releasedAt: "04T00:00:00" }),
    ]);
    // (6 + 1.5) / 2; cycle time (24 + 24) / 2
    expect(k.averageExecutionTimeHours).toBe(3.75);
    expect(k.averageCycleTimeHours).toBe(24);
  });
});

describe("output KPIs", () => {
  const log = (good: number | string, scrap: number | string, onLastOperation: boolean) => ({
    goodQuantity: new Prisma.Decimal(good),
    scrapQuantity: new Prisma.Decimal(scrap),
    onLastOperation,
  });

  it("count good units of the last operation only and scrap of every operation", () => {
    // Op 10 made 100 (3 scrap), op 20 (last) made 95 (2 scrap), then 0.1 + 0.2 good on op 20.
    const k = outputOf([log(100, 3, false), log(95, 2, true), log("0.1", 0, true), log("0.2", 0, true)]);
    expect(k.goodQuantity).toBe(95.3); // exact decimals, not 95.30000000000001
    expect(k.scrapQuantity).toBe(5);
    // 5 / (95.3 + 5)
    expect(k.scrapRatio).toEqual({ value: 5 / 100.3, numerator: 5, denominator: 100.3 });
  });

  it("give a null scrap ratio when nothing was produced", () => {
    expect(outputOf([])).toEqual({ goodQuantity: 0, scrapQuantity: 0, scrapRatio: { value: null, numerator: 0, denominator: 0 } });
  });

  it("count all-scrap output as a ratio of 1", () => {
    expect(outputOf([log(0, 4, true)]).scrapRatio).toEqual({ value: 1, numerator: 4, denominator: 4 });
  });
});

describe("counted until", () => {
  const from = t("01T00:00:00"),
    to = t("08T00:00:00");
  it("is the window's end when it has passed", () => {
    expect(countedUntil(from, to, t("10T00:00:00"))).toEqual(to);
  });
  it("is now when the window ends in the future", () => {
    expect(countedUntil(from, to, t("03T11:00:00"))).toEqual(t("03T11:00:00"));
  });
  it("is the window's start (nothing counted) when the window starts in the future", () => {
    expect(countedUntil(from, to, t("01T00:00:00"))).toEqual(from);
    expect(countedUntil(from, to, new Date("2027-02-01T00:00:00Z"))).toEqual(from);
  });
});

import { describe, expect, it } from "vitest";
import { kpisOf } from "./kpis.ts";

const t = (iso: string) => new Date(`2027-03-${iso}Z`);
const order = (o: { completedAt: string; dueDate: string; releasedAt?: string; plannedEnd?: string }) => ({
  completedAt: t(o.completedAt),
  dueDate: t(o.dueDate),
  releasedAt: o.releasedAt ? t(o.releasedAt) : null,
  plannedEnd: o.plannedEnd ? t(o.plannedEnd) : null,
});

describe("delivery KPIs", () => {
  it("of no orders have null ratios and no cycle time", () => {
    expect(kpisOf([])).toEqual({
      completedWorkOrders: 0,
      onTimeDelivery: { value: null, numerator: 0, denominator: 0 },
      averageCycleTimeHours: null,
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
});

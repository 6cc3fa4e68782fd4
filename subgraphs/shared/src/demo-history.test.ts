import { describe, expect, it } from "vitest";
import { buildDemoData } from "./demo-plant.ts";

// The demo's past week must be internally consistent, or its KPIs are believable by accident.
const now = new Date("2026-11-26T13:20:00Z");
const demo = buildDemoData(now);

describe("the demo plant's past week", () => {
  for (const plant of demo.plants) {
    const history = plant.workOrders.filter((w) => w.number.startsWith(`WO-${plant.code}-2`));
    const machine = (id: string) => plant.machines.find((m) => m.id === id)!;

    it(`${plant.code}: loads every work center alike (machines / (products x cycle) = 1/60 s)`, () => {
      for (const wc of plant.workCenters) {
        const products = plant.products.filter((p) => p.routing.some((r) => r.workCenterId === wc.id)).length;
        const machines = plant.machines.filter((m) => m.workCenterId === wc.id);
        expect(machines.length / (products * machines[0]!.idealCycleSeconds), wc.code).toBeCloseTo(1 / 60, 10);
      }
    });

    it(`${plant.code}: every operation of a past order logged exactly its quantity good`, () => {
      expect(history.length).toBe(2 * plant.products.length); // 8 days in orders of 4
      for (const wo of history)
        for (const op of wo.operations) {
          const logs = plant.productionLogs.filter((l) => l.operationId === op.id);
          expect(
            logs.reduce((s, l) => s + l.goodQuantity, 0),
            `${wo.number}/${op.sequence}`,
          ).toBe(wo.quantity);
          expect(logs.every((l) => l.workOrderId === wo.id && machine(l.machineId).workCenterId === op.workCenterId)).toBe(true);
        }
    });

    it(`${plant.code}: counts lie within their shift, before the history's end (never in the current shift)`, () => {
      // 13:20Z: 14:20 in Berlin (the Early shift ended 14:00), 07:20 in Chicago (the Night shift ended 06:00).
      expect(plant.historyEnd.toISOString()).toBe(plant.code === "LAK" ? "2026-11-26T13:00:00.000Z" : "2026-11-26T12:00:00.000Z");
      for (const l of plant.productionLogs) {
        const shift = plant.shifts.find((s) => s.id === l.shiftId)!;
        expect(l.loggedAt >= shift.startsAt && l.loggedAt < shift.endsAt).toBe(true);
        expect(l.loggedAt < plant.historyEnd).toBe(true);
      }
    });

    it(`${plant.code}: a machine's stops do not overlap, and no shift beats the ideal cycle time`, () => {
      for (const m of plant.machines) {
        const stops = plant.machineStops.filter((s) => s.machineId === m.id).sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
        stops.forEach((s, i) => {
          expect(s.endedAt > s.startedAt).toBe(true);
          if (i > 0) expect(s.startedAt >= stops[i - 1]!.endedAt).toBe(true);
        });
        for (const shift of plant.shifts.filter((s) => s.endsAt <= plant.historyEnd && s.startsAt >= plant.historyStart)) {
          const made = plant.productionLogs
            .filter((l) => l.machineId === m.id && l.shiftId === shift.id)
            .reduce((s, l) => s + l.goodQuantity + l.scrapQuantity, 0);
          const stopped = stops
            .filter((s) => s.startedAt >= shift.startsAt && s.endedAt <= shift.endsAt)
            .reduce((s, x) => s + x.endedAt.getTime() - x.startedAt.getTime(), 0);
          const runSeconds = (shift.endsAt.getTime() - shift.startsAt.getTime() - 45 * 60_000 - stopped) / 1000;
          expect((made * m.idealCycleSeconds) / runSeconds, `${m.code} ${shift.id}`).toBeLessThanOrEqual(1);
        }
      }
    });

    it(`${plant.code}: unplanned stops have reasons and downtime records; PM is planned maintenance`, () => {
      const down = plant.machineStops.filter((s) => s.state === "DOWN");
      expect(down.length).toBeGreaterThan(0);
      for (const s of down)
        expect(plant.downtimes.some((d) => d.machineId === s.machineId && d.startedAt.getTime() === s.startedAt.getTime())).toBe(true);
      expect(plant.maintenance.length).toBe(plant.workCenters.length);
      for (const pm of plant.maintenance) expect(plant.downtimes.some((d) => d.reasonCode === "PM" && d.startedAt === pm.startedAt)).toBe(true);
    });
  }

  it("Lakeside: raw lots -> shaft lot -> hub lot, with shafts left over", () => {
    const lak = demo.plants.find((p) => p.code === "LAK")!;
    const [shaft, hub] = lak.genealogy;
    expect(shaft!.issues.map((i) => i.lotId)).toEqual(lak.lots.filter((l) => l.lotNumber.startsWith("LAK-STL-BAR-20-")).map((l) => l.id));
    expect(hub!.issues[0]!.lotId).toBe(shaft!.receipt.lotId);
    expect(hub!.issues[0]!.quantity).toBeLessThan(shaft!.receipt.quantity);
    expect(demo.plants.find((p) => p.code === "RIV")!.genealogy).toEqual([]);
  });
});

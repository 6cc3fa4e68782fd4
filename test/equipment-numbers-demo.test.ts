import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mustQuery } from "./support/graphql.ts";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { bearer } from "./support/auth.ts";

// Issue 15, equipment: the demo answers "which machines are down and why" with one query.
let stack: TestStack;
let demoAdmin: { authorization: string };

beforeAll(async () => {
  stack = await startTestStack({ seed: true });
  demoAdmin = await bearer(); // the demo organization's administrator, all plants
}, 180_000);
afterAll(async () => stack?.stop());

describe("the demo plant", () => {
  it("shows every stopped machine with its open downtime and reason", async () => {
    const { machines } = await mustQuery(
      stack.gatewayUrl,
      `{ machines(state: [DOWN, MAINTENANCE], limit: 100) { totalCount items { code state stateSince openDowntime { startedAt reason { code kind } } } } }`,
      {},
      demoAdmin,
    );
    expect(machines.totalCount).toBeGreaterThan(0);
    for (const m of machines.items) {
      expect(m.openDowntime, `${m.code} says why it is down`).not.toBeNull();
      expect(m.openDowntime.startedAt).toBe(m.stateSince);
      expect(m.openDowntime.reason.kind).toBe(m.state === "DOWN" ? "UNPLANNED" : "PLANNED");
    }
  });

  it("counts the current shift's OEE only up to now, with a number for each plant", async () => {
    await stack.subgraphs.equipment.consumers[0]!.drain();
    const { plants } = await mustQuery(
      stack.gatewayUrl,
      `{ plants { code machines { id } currentShift { startsAt oee { plannedProductionMinutes breakMinutes oee } } } }`,
      {},
      demoAdmin,
    );
    for (const p of plants) {
      // Planned time is at most the shift's minutes so far per machine, not the whole shift's.
      const sofar = (Date.now() - Date.parse(p.currentShift.startsAt)) / 60_000;
      expect(p.currentShift.oee.plannedProductionMinutes, p.code).toBeLessThanOrEqual(p.machines.length * sofar);
      expect(p.currentShift.oee.oee, p.code).toBeGreaterThan(0);
    }
  });
});

import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDemoData, DAY_MS, localDate, localToUtc } from "@mes/shared";
import { mustQuery } from "./support/graphql.ts";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { bearer } from "./support/auth.ts";

// Issue 15 item 6: the demo answers the README's "Questions a plant asks" with one query each.
// The queries (and their plant ids) are read from README.md, so the README cannot drift from the graph.

const SECTION = "## Questions a plant asks, one query each";

/** The README section's queries by operation name, each with the variables shown after it. */
function readmeQueries(): Map<string, { query: string; variables: Record<string, unknown> }> {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const start = readme.indexOf(SECTION);
  if (start < 0) throw new Error(`README.md has no section "${SECTION}"`);
  const end = readme.indexOf("\n## ", start + SECTION.length);
  const blocks = [...readme.slice(start, end < 0 ? undefined : end).matchAll(/```(graphql|json)\n([\s\S]*?)```/g)].map((m) => ({
    lang: m[1]!,
    text: m[2]!,
  }));
  const queries = new Map<string, { query: string; variables: Record<string, unknown> }>();
  blocks.forEach((b, i) => {
    if (b.lang !== "graphql") return;
    const name = /query\s+(\w+)/.exec(b.text)?.[1];
    if (!name) throw new Error(`a README query has no operation name:\n${b.text}`);
    const next = blocks[i + 1];
    queries.set(name, { query: b.text, variables: next?.lang === "json" ? JSON.parse(next.text) : {} });
  });
  return queries;
}

const demo = buildDemoData();
const lakeside = demo.plants.find((p) => p.code === "LAK")!;
const queries = readmeQueries();
let stack: TestStack;
let admin: { authorization: string };

/** Runs the README's query `name` with its variables, dates replaced by today's. */
async function ask(name: string, dates: Record<string, string> = {}) {
  const q = queries.get(name);
  if (!q) throw new Error(`README.md has no query ${name}`);
  return mustQuery(stack.gatewayUrl, q.query, { ...q.variables, ...dates }, admin);
}

const now = new Date();
const lastWeek = { from: new Date(now.getTime() - 7 * DAY_MS).toISOString(), to: now.toISOString() };

beforeAll(async () => {
  stack = await startTestStack({ seed: true });
  admin = await bearer(); // the demo organization's administrator, all plants
  // Counts reach equipment, and work-order events inventory, through the event feeds.
  for (const s of Object.values(stack.subgraphs)) for (const c of s.consumers) await c.drain();
}, 180_000);
afterAll(async () => stack?.stop());

describe("the README's questions, asked of the demo", () => {
  it("shows all seven questions, naming the demo's plant ids", () => {
    expect([...queries.keys()]).toEqual([
      "OeeYesterday",
      "MachinesDown",
      "WhatWentIntoLot",
      "NcrsThisWeek",
      "StockValue",
      "LateOnNightShift",
      "ShortOfMaterial",
    ]);
    for (const q of queries.values()) if ("plantId" in q.variables) expect(q.variables.plantId).toBe(lakeside.id);
  });

  it("1. OEE of each work center yesterday is a believable number", async () => {
    const today = localDate(now, lakeside.timeZone);
    const from = localToUtc(new Date(today.getTime() - DAY_MS), 0, lakeside.timeZone).toISOString();
    const to = localToUtc(today, 0, lakeside.timeZone).toISOString();
    const { plant } = await ask("OeeYesterday", { from, to });
    expect(plant.workCenters.length).toBe(lakeside.workCenters.length);
    for (const wc of plant.workCenters) {
      expect(wc.oee.oee, wc.code).toBeGreaterThanOrEqual(0.6);
      expect(wc.oee.oee, wc.code).toBeLessThanOrEqual(0.85);
      expect(wc.oee.performance, wc.code).toBeLessThanOrEqual(1);
      expect(wc.oee.goodCount, wc.code).toBeGreaterThan(0);
      expect(wc.oee.goodCount, wc.code).toBeLessThan(wc.oee.totalCount);
    }
    // Some machine broke down yesterday somewhere in the plant.
    expect(plant.workCenters.some((wc: { oee: { unplannedDowntimeMinutes: number } }) => wc.oee.unplannedDowntimeMinutes > 0)).toBe(true);
  });

  it("2. names every stopped machine with its open downtime and reason", async () => {
    const { machines } = await ask("MachinesDown");
    expect(machines.items.length).toBeGreaterThan(0);
    for (const m of machines.items) {
      expect(m.openDowntime, `${m.code} says why it is down`).not.toBeNull();
      expect(m.openDowntime.startedAt).toBe(m.stateSince);
      expect(m.openDowntime.reason.kind).toBe(m.state === "DOWN" ? "UNPLANNED" : "PLANNED");
    }
  });

  it("3. traces the finished lot to its raw lots, two levels deep", async () => {
    const { materials } = await ask("WhatWentIntoLot");
    const lot = materials.items
      .flatMap((m: { lots: { items: { lotNumber: string }[] } }) => m.lots.items)
      .find((l: { lotNumber: string }) => l.lotNumber === "LAK-HUB-6204-P001");
    expect(lot, "the finished lot the README names").toBeDefined();
    expect(lot.producedBy).not.toBeNull();
    const at = (depth: number) =>
      lot.ancestors.filter((a: { depth: number }) => a.depth === depth).map((a: { lot: { lotNumber: string } }) => a.lot.lotNumber);
    expect(at(1)).toContain("LAK-SHF-40-P001");
    expect(at(1).length).toBe(3); // the shaft lot, bearings and seals
    expect(at(2).sort()).toEqual(["LAK-STL-BAR-20-001", "LAK-STL-BAR-20-002"]);
  });

  it("4. counts this week's NCRs by defect type", async () => {
    const { ncrDefectSummary } = await ask("NcrsThisWeek", lastWeek);
    expect(ncrDefectSummary.ncrCount).toBeGreaterThan(0);
    expect(ncrDefectSummary.byType.length).toBeGreaterThan(1);
    for (const row of ncrDefectSummary.byType) expect(row.quantity).toBeGreaterThan(0);
  });

  it("5. values stock by material, by both costing methods, adding up to the plant's total", async () => {
    const { stockValuation } = await ask("StockValue");
    const items = stockValuation.items as { materialCode: string; value: number; quantity: number; material: { costingMethod: string } }[];
    expect(new Set(items.map((i) => i.material.costingMethod))).toEqual(new Set(["FIFO", "MOVING_AVERAGE"]));
    for (const i of items) expect(i.value, i.materialCode).toBeGreaterThan(0);
    const cents = items.reduce((sum, i) => sum + Math.round(i.value * 100), 0);
    expect(cents).toBe(Math.round(stockValuation.totalValue * 100));
  });

  it("6. names who was late on the night shifts", async () => {
    const { shifts } = await ask("LateOnNightShift", lastWeek);
    const late = shifts.flatMap((s: { attendance: { minutesLate: number }[] }) => s.attendance);
    expect(late.length).toBeGreaterThan(0);
    for (const a of late) expect(a.minutesLate).toBeGreaterThan(5);
  });

  it("7. lists the open work orders short of material", async () => {
    const { workOrders } = await ask("ShortOfMaterial");
    const short = workOrders.items.flatMap(
      (w: { materialShortages: { material: { code: string }; shortQuantity: number }[] }) => w.materialShortages,
    );
    expect(short.length).toBeGreaterThan(0);
    expect(short.some((s: { material: { code: string } }) => s.material.code === "BOX-M")).toBe(true);
    for (const s of short) expect(s.shortQuantity).toBeGreaterThan(0);
  });

  it("keeps every demo lot's status in step with its stock: CONSUMED when none is left, else AVAILABLE or ON_HOLD", async () => {
    const statuses: { lotNumber: string; status: string; onHand: number }[] = [];
    for (let offset = 0; ; offset += 100) {
      const { lots } = await mustQuery(
        stack.gatewayUrl,
        `query($o: Int!) { lots(limit: 100, offset: $o) { totalCount items { lotNumber status onHand } } }`,
        { o: offset },
        admin,
      );
      statuses.push(...lots.items);
      if (offset + 100 >= lots.totalCount) break;
    }
    const outOfStep = statuses.filter((l) => (l.status === "CONSUMED") !== (l.onHand === 0) && !(l.status === "ON_HOLD"));
    expect(outOfStep).toEqual([]);
    expect(statuses.length).toBeGreaterThan(0);
  });
});

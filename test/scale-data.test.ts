import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SUBGRAPHS } from "@mes/db";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { mustQuery } from "./support/graphql.ts";
import { bearer } from "./support/auth.ts";
import { adminPoolOf, closeAdminPools } from "./support/admin.ts";
import { republishStatements } from "@mes/shared";
import { PLANT_DASHBOARD, WORK_ORDER_DETAIL } from "./support/dashboard-queries.ts";
import { SCALE_ORG, scaleId, scaleSize, scaleSteps } from "../scripts/scale-data.ts";

// The scale data set at 1/100 of its size: the graph must serve it like data written through it.
let stack: TestStack;
const size = scaleSize(0.01);

beforeAll(async () => {
  stack = await startTestStack();
  const steps = scaleSteps(size);
  for (const name of SUBGRAPHS) {
    // As `pnpm seed:scale` loads it: the database's owner, triggers off, then the entities announced.
    const client = await adminPoolOf(stack.subgraphs[name].pool).connect();
    try {
      await client.query("BEGIN");
      await client.query("SET LOCAL session_replication_role = replica");
      for (const step of steps[name] ?? []) await client.query(step.sql(0, step.rows));
      await client.query("COMMIT");
      for (const statement of republishStatements(name)) await client.query(statement);
    } finally {
      client.release();
    }
  }
}, 60_000);
afterAll(async () => {
  await closeAdminPools();
  await stack?.stop();
});

describe("the scale data set", () => {
  it("serves the plant dashboard and a work order's detail page across all five subgraphs", async () => {
    const auth = await bearer({ userId: "scale.admin", organizationId: SCALE_ORG });
    const plant = scaleId("plant", 0);
    const dashboard = await mustQuery(stack.gatewayUrl, PLANT_DASHBOARD, { plant }, auth);
    expect(dashboard.plant.code).toBe("NOR");
    expect(dashboard.plant.currentShift).not.toBeNull();
    // The newest 5% (at least 50) are open, half of them at this plant.
    expect(dashboard.workOrders.totalCount).toBe(25);
    expect(dashboard.workOrders.items).toHaveLength(25);
    for (const wo of dashboard.workOrders.items) {
      expect(wo.operations).toHaveLength(size.operationsPerOrder);
      expect(wo.operations.every((o: { machine: { code: string } | null }) => o.machine?.code)).toBe(true);
      expect(wo.product.billOfMaterials.every((b: { material: { available: number } }) => b.material.available > 0)).toBe(true);
      expect(wo.lastInspection.result).toMatch(/PASS|FAIL/);
    }
    const open = dashboard.workOrders.items[0];
    const id = scaleId("wo", Number(open.number.slice(3)));
    const detail = await mustQuery(stack.gatewayUrl, WORK_ORDER_DETAIL, { id }, auth);
    expect(detail.workOrder).toMatchObject({ number: open.number, status: open.status });
    expect(detail.workOrder.materialTransactions.items.length).toBeGreaterThan(0);
    // Another organization sees none of it.
    const other = await mustQuery(
      stack.gatewayUrl,
      `{ workOrders { totalCount } materials { totalCount } }`,
      {},
      await bearer({ organizationId: "5ca1e000-0000-4000-8000-0000000000ff" }),
    );
    expect(other).toEqual({ workOrders: { totalCount: 0 }, materials: { totalCount: 0 } });
  });
});

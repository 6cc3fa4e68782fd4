import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "@mes/db";
import { createTestDatabases } from "./support/databases.ts";
import { graphql, mustQuery } from "./support/graphql.ts";
import { TEST_AUTH_ENV, TEST_FEED_TOKEN, actAs } from "./support/auth.ts";
import { subscribe, wsClient } from "./support/ws-client.ts";
import { closeAdminPools, knownReferences } from "./support/admin.ts";

// A rolling update sends SIGTERM: the service turns not-ready, finishes what it accepted, closes
// subscriptions with a code clients retry, and exits 0. Tried on a real process.
const ORG = "9a7ef000-0000-4000-8000-000000000001";
actAs({ organizationId: ORG });
const root = path.resolve(import.meta.dirname, "..");

let dbs: Awaited<ReturnType<typeof createTestDatabases>>;
let child: ChildProcess | null = null;
let url: string;

beforeAll(async () => {
  dbs = await createTestDatabases(["production"]);
  const port = await freePort();
  url = `http://127.0.0.1:${port}/graphql`;
  child = spawn(process.execPath, ["--import", "tsx", "subgraphs/shared/src/main.ts", "production"], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "test",
      LOG_LEVEL: "silent",
      PORT: String(port),
      DATABASE_URL: dbs.urls.production,
      MIGRATE_ON_START: "false",
      EVENT_FEED_TOKEN: TEST_FEED_TOKEN,
      ...TEST_AUTH_ENV,
    },
    stdio: "ignore",
  });
  for (let i = 0; i < 200; i++) {
    const ready = await fetch(url.replace("/graphql", "/ready")).catch(() => null);
    if (ready?.ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("production did not become ready");
});
afterAll(async () => {
  await closeAdminPools();
  child?.kill("SIGKILL");
  await dbs?.drop();
});

describe("a subgraph told to stop (SIGTERM)", () => {
  it("finishes the mutation in flight, closes subscriptions with 1012, turns not-ready and exits 0", async () => {
    const plantId = "9a7ef000-0000-4000-8000-00000000000a";
    // Production runs alone: the plant and work center as its copy of the equipment's reference data would hold them.
    await knownReferences(dbs.urls.production, [
      { kind: "Plant", id: plantId, organizationId: ORG },
      { kind: "WorkCenter", id: "9a7ef000-0000-4000-8000-00000000000b", organizationId: ORG, plantId },
    ]);
    const product = await mustQuery(
      url,
      `mutation($p: ID!, $w: ID!) { createProduct(input: { plantId: $p, code: "GS-P", name: "GS", routing: [{ sequence: 10, name: "Cut", workCenterId: $w, cycleTimeSeconds: 60 }], billOfMaterials: [] }) { id } }`,
      { p: plantId, w: "9a7ef000-0000-4000-8000-00000000000b" },
    );
    const wo = await mustQuery(
      url,
      `mutation($p: ID!) { createWorkOrder(input: { productId: $p, number: "WO-GS-1", quantity: 1, dueDate: "2027-01-01T00:00:00Z" }) { id } }`,
      {
        p: product.createProduct.id,
      },
    );
    const client = wsClient(url);
    const sub = await subscribe(client, `subscription { workOrderStatusChanged { to } }`);
    await new Promise((r) => setTimeout(r, 300));

    // Hold the work order's row so the release waits inside its transaction.
    const blocker = new pg.Client({ connectionString: dbs.urls.production });
    await blocker.connect();
    await blocker.query("BEGIN");
    await blocker.query(`SELECT id FROM "WorkOrder" WHERE id = $1 FOR UPDATE`, [wo.createWorkOrder.id]);
    const release = graphql(url, `mutation($id: ID!) { releaseWorkOrder(id: $id) { status } }`, { id: wo.createWorkOrder.id });
    await new Promise((r) => setTimeout(r, 300));

    const exited = new Promise<number | null>((resolve) => child!.once("exit", (code) => resolve(code)));
    child!.kill("SIGTERM");
    await expect.poll(() => sub.errors.length, { timeout: 5000 }).toBeGreaterThan(0);
    expect(sub.errors[0]).toMatchObject({ code: 1012 });
    const ready = await fetch(url.replace("/graphql", "/ready")).catch(() => null);
    expect(ready === null || ready.status === 503).toBe(true);

    await new Promise((r) => setTimeout(r, 500));
    await blocker.query("COMMIT");
    await blocker.end();
    const answer = await release;
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({ releaseWorkOrder: { status: "RELEASED" } });
    expect(await exited).toBe(0);
    child = null;

    // The write the client was told about is there.
    const check = new pg.Client({ connectionString: dbs.urls.production });
    await check.connect();
    const { rows } = await check.query(`SELECT status FROM "WorkOrder" WHERE id = $1`, [wo.createWorkOrder.id]);
    await check.end();
    expect(rows).toEqual([{ status: "RELEASED" }]);
    await client.dispose();
  });
});

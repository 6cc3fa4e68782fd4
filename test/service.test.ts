import { spawn } from "node:child_process";
import path from "node:path";
import { Writable } from "node:stream";
import pg from "pg";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSubgraph } from "@mes/shared";
import { production } from "@mes/production";
import { createTestDatabases } from "./support/databases.ts";
import { graphql, mustQuery } from "./support/graphql.ts";
import { startTestStack, testSubgraphConfig, type TestStack } from "./support/stack.ts";
import { actAs, bearer, identityProviderKeys } from "./support/auth.ts";
import { adminPoolOf, closeAdminPools, knownReferences } from "./support/admin.ts";

const ORG = "2b0c9f4e-3f1d-4c55-9a0e-6d2f8b7a1c10";
actAs({ organizationId: ORG });
const PLANT = "5e8d7c6b-1a2f-4e3d-8c9b-0a1b2c3d4e5f";
const WC = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";
const MATERIAL = "0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5";

const logLines: Record<string, unknown>[] = [];
const capture = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).split("\n")) if (line) logLines.push(JSON.parse(line));
    done();
  },
});

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ log: pino({ level: "info" }, capture) });
  // The plant, work center and material these tests name, as production's copy of the equipment's
  // and inventory's reference data would hold them.
  await knownReferences(stack.subgraphs.production.pool, [
    { kind: "Plant", id: PLANT, organizationId: ORG },
    { kind: "WorkCenter", id: WC, organizationId: ORG, plantId: PLANT },
    { kind: "Material", id: MATERIAL, organizationId: ORG },
  ]);
});
afterAll(async () => {
  await closeAdminPools();
  await stack?.stop();
});

const healthUrl = (graphqlUrl: string, route: string) => graphqlUrl.replace(/\/graphql$/, route);

async function createProduct(code: string) {
  const { createProduct: p } = await mustQuery(stack.gatewayUrl, `mutation($i: CreateProductInput!) { createProduct(input: $i) { id } }`, {
    i: {
      plantId: PLANT,
      code,
      name: code,
      routing: [{ sequence: 10, name: "Cut", workCenterId: WC, cycleTimeSeconds: 30 }],
      billOfMaterials: [{ materialId: MATERIAL, quantityPer: 2 }],
    },
  });
  return p.id as string;
}

async function countRows(table: string): Promise<number> {
  const client = new pg.Client({ connectionString: stack.subgraphs.production.pool.options.connectionString });
  await client.connect();
  try {
    return Number((await client.query(`SELECT count(*) AS n FROM "${table}"`)).rows[0].n);
  } finally {
    await client.end();
  }
}

describe("health and readiness", () => {
  it("reports every service alive and ready", async () => {
    for (const url of [stack.gatewayUrl, ...Object.values(stack.subgraphs).map((s) => s.url)]) {
      const health = await fetch(healthUrl(url, "/health"));
      expect(health.status).toBe(200);
      const ready = await fetch(healthUrl(url, "/ready"));
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { ready: boolean }).ready).toBe(true);
    }
  });

  it("is not ready while a migration is pending", async () => {
    const dbs = await createTestDatabases(["production"]);
    const running = await startSubgraph(production, testSubgraphConfig(dbs.urls.production), pino({ level: "silent" }));
    try {
      await adminPoolOf(running.pool).query(`DELETE FROM _prisma_migrations`);
      const res = await fetch(healthUrl(running.url, "/ready"));
      expect(res.status).toBe(503);
      const body = (await res.json()) as { checks: { migrations: { ok: boolean; detail: string } } };
      expect(body.checks.migrations.ok).toBe(false);
      expect(body.checks.migrations.detail).toMatch(/pending: \d+_init/);
    } finally {
      await running.stop();
      await dbs.drop();
    }
  });
});

describe("configuration", () => {
  it("refuses to start with a missing or bad value, naming each variable", async () => {
    const root = path.resolve(import.meta.dirname, "..");
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", "subgraphs/shared/src/main.ts", "production"], {
        cwd: root,
        env: { PATH: process.env.PATH, PORT: "eighty", LOG_LEVEL: "loud", OVERPRODUCTION_TOLERANCE_PERCENT: "lots" },
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (d) => (stderr += d));
      child.on("exit", (code) => resolve({ code, stderr }));
    });
    expect(code).toBe(2);
    expect(stderr).toContain("production: invalid configuration");
    expect(stderr).toContain("PORT: must be a port number");
    expect(stderr).toMatch(/DATABASE_URL: is required: the PostgreSQL URL of this service's own database/);
    expect(stderr).toMatch(/LOG_LEVEL: /);
    // The subgraph's own settings are read with the service's, as one more line, not a stack trace.
    expect(stderr).toMatch(/OVERPRODUCTION_TOLERANCE_PERCENT: /);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});

describe("the embedded PostgreSQL", () => {
  it("leaves a process's exit code alone (a failed test run must not exit 0)", async () => {
    const root = path.resolve(import.meta.dirname, "..");
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", "-e", `await import("@mes/db/embedded"); process.exitCode = 3;`], {
        cwd: path.join(root, "prisma"),
        stdio: "ignore",
      });
      child.on("exit", (c) => resolve(c));
    });
    expect(code).toBe(3);
  });
});

describe("request ids", () => {
  it("are returned to the caller and passed by the gateway to the subgraphs' logs", async () => {
    const res = await graphql(stack.gatewayUrl, `{ workOrders(limit: 1) { totalCount } plants { id } }`, undefined, {
      "x-request-id": "andon-board-7-req-42",
    });
    expect(res.errors).toBeUndefined();
    expect(res.headers.get("x-request-id")).toBe("andon-board-7-req-42");
    const tagged = logLines.filter((l) => l.requestId === "andon-board-7-req-42" && l.msg === "graphql request");
    expect(new Set(tagged.map((l) => l.service))).toEqual(new Set(["gateway", "production", "equipment"]));
  });

  it("are generated when the caller sends none", async () => {
    const res = await graphql(stack.gatewayUrl, `{ plants { id } }`);
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("errors", () => {
  it("rejects bad mutation input with BAD_USER_INPUT, every field named, nothing written", async () => {
    const before = await countRows("Product");
    const res = await graphql(stack.gatewayUrl, `mutation($i: CreateProductInput!) { createProduct(input: $i) { id } }`, {
      i: {
        plantId: "plant-1",
        code: " ",
        name: "X",
        routing: [
          { sequence: 10, name: "A", workCenterId: WC, cycleTimeSeconds: 0 },
          { sequence: 10, name: "B", workCenterId: WC, cycleTimeSeconds: 5 },
        ],
        billOfMaterials: [],
      },
    });
    expect(res.errors).toHaveLength(1);
    const err = res.errors![0]!;
    expect(err.extensions!.code).toBe("BAD_USER_INPUT");
    expect((err.extensions!.fields as { field: string }[]).map((f) => f.field).sort()).toEqual([
      "input.code",
      "input.plantId",
      "input.routing",
      "input.routing.0.cycleTimeSeconds",
    ]);
    expect(err.message).toContain("input.plantId: must be a valid id (UUID)");
    expect(await countRows("Product")).toBe(before);
  });

  it("answers a duplicate with CONFLICT and leaves no half-written work order behind", async () => {
    const productId = await createProduct("DUP-1");
    const input = { productId, number: "WO-DUP", quantity: 5, dueDate: "2027-01-01T00:00:00Z" };
    await mustQuery(stack.gatewayUrl, `mutation($i: CreateWorkOrderInput!) { createWorkOrder(input: $i) { id } }`, { i: input });
    const [orders, operations] = [await countRows("WorkOrder"), await countRows("Operation")];
    const res = await graphql(stack.gatewayUrl, `mutation($i: CreateWorkOrderInput!) { createWorkOrder(input: $i) { id } }`, { i: input });
    expect(res.errors![0]!.extensions!.code).toBe("CONFLICT");
    expect(res.errors![0]!.message).toBe("A WorkOrder with this number already exists");
    expect([await countRows("WorkOrder"), await countRows("Operation")]).toEqual([orders, operations]);
  });

  it("answers a reference to a missing parent with BAD_USER_INPUT", async () => {
    const res = await graphql(stack.gatewayUrl, `mutation($i: CreateWorkOrderInput!) { createWorkOrder(input: $i) { id } }`, {
      i: { productId: "00000000-0000-4000-8000-000000000000", number: "WO-X", quantity: 1, dueDate: "2027-01-01T00:00:00Z" },
    });
    expect(res.errors![0]!.extensions).toMatchObject({ code: "BAD_USER_INPUT" });
    expect(res.errors![0]!.message).toBe("Product 00000000-0000-4000-8000-000000000000 does not exist");
  });

  it("refuses malformed ids and oversized pages, and finds nothing for unknown ids", async () => {
    const bad = await graphql(stack.gatewayUrl, `{ workOrder(id: "WO-1") { id } }`);
    expect(bad.errors![0]!.extensions!.code).toBe("BAD_USER_INPUT");
    const big = await graphql(stack.gatewayUrl, `{ materials(limit: 101) { totalCount } }`);
    expect(big.errors![0]!.extensions!.code).toBe("BAD_USER_INPUT");
    expect(big.errors![0]!.message).toBe("limit must be between 1 and 100");
    const none = await mustQuery(stack.gatewayUrl, `{ workOrder(id: "00000000-0000-4000-8000-000000000000") { id } }`);
    expect(none.workOrder).toBeNull();
  });

  it("refuses a body over the limit with a JSON error", async () => {
    const res = await fetch(stack.gatewayUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: `{ plants { id } }`, variables: { pad: "x".repeat(1_100_000) } }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ errors: [{ message: "Request body is larger than the limit of 1mb", extensions: { code: "BAD_REQUEST" } }] });
  });

  it("hides internals of unexpected failures outside development", async () => {
    const dbs = await createTestDatabases(["production"]);
    // Production refuses HS256 secrets: this service verifies an identity provider's ES256 key.
    const idp = await identityProviderKeys();
    const running = await startSubgraph(
      production,
      testSubgraphConfig(dbs.urls.production, {
        NODE_ENV: "production",
        AUTH_DEV_SECRET: undefined,
        AUTH_ISSUER: undefined,
        AUTH_PUBLIC_KEY: idp.publicKeyPem,
      }),
      pino({ level: "silent" }),
    );
    try {
      await adminPoolOf(running.pool).query(`ALTER TABLE "Product" RENAME TO "ProductGone"`);
      const token = await idp.sign({ sub: "admin", org: ORG, plants: "*", roles: ["ADMIN"] });
      const res = await graphql(running.url, `{ products { totalCount } }`, {}, { authorization: `Bearer ${token}` });
      const err = res.errors![0]!;
      expect(err.extensions).toEqual({ code: "INTERNAL_SERVER_ERROR" });
      expect(err.message).toBe("Internal server error; the request id in the response header x-request-id finds it in the logs");
      expect(JSON.stringify(res)).not.toMatch(/Product"|relation|stack|SELECT/i);
    } finally {
      await running.stop();
      await dbs.drop();
    }
  });
});

describe("GraphQL IDE", () => {
  it("is served by the gateway itself, with nothing loaded from elsewhere", async () => {
    const res = await fetch(stack.gatewayUrl, { headers: { accept: "text/html" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain("<title>MES graph</title>");
    expect(html).toContain("renderYogaGraphiQL");
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)="https?:/i);
  });

  it("leaves GraphQL GET requests to the graph", async () => {
    const res = await fetch(`${stack.gatewayUrl}?query=${encodeURIComponent("{ plants { id } }")}`, {
      headers: { accept: "application/json", "apollo-require-preflight": "1", ...(await bearer({ organizationId: ORG })) },
    });
    expect(await res.json()).toEqual({ data: { plants: [] } });
  });
});

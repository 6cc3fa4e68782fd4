import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "@mes/db";
import { createTestDatabases } from "./support/databases.ts";
import { graphql } from "./support/graphql.ts";
import { TEST_AUTH_ENV, TEST_FEED_TOKEN, actAs, tokenFor } from "./support/auth.ts";

// A real subgraph process: its stdout is what a plant's log shipper reads.
const ORG = "3f4e5d6c-7b8a-4c9d-8e0f-1a2b3c4d5e6f";
const USER = "planner.logan";
actAs({ organizationId: ORG, userId: USER });
const root = path.resolve(import.meta.dirname, "..");

let dbs: Awaited<ReturnType<typeof createTestDatabases>>;
let child: ChildProcess | null = null;
let url: string;
const lines: string[] = [];

beforeAll(async () => {
  dbs = await createTestDatabases(["production"]);
  const port = await freePort();
  url = `http://127.0.0.1:${port}/graphql`;
  child = spawn(process.execPath, ["--import", "tsx", "subgraphs/shared/src/main.ts", "production"], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "test",
      LOG_LEVEL: "info",
      PORT: String(port),
      DATABASE_URL: dbs.urls.production,
      MIGRATE_ON_START: "false",
      EVENT_FEED_TOKEN: TEST_FEED_TOKEN,
      ...TEST_AUTH_ENV,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let partial = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    const text = partial + chunk.toString("utf8");
    const complete = text.split("\n");
    partial = complete.pop() ?? "";
    lines.push(...complete.filter(Boolean));
  });
  for (let i = 0; i < 200; i++) {
    const ready = await fetch(url.replace("/graphql", "/ready")).catch(() => null);
    if (ready?.ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("production did not become ready");
});
afterAll(async () => {
  child?.kill("SIGKILL");
  await dbs?.drop();
});

const requestLines = () => lines.filter((l) => (JSON.parse(l) as { msg?: string }).msg === "graphql request");

describe("request logs", () => {
  it("writes one JSON line per request with who, what, how long, how much SQL and the outcome", async () => {
    const before = requestLines().length;
    const traceId = randomBytes(16).toString("hex");
    const ok = await graphql(
      url,
      `query LogProducts { products { items { id } } }`,
      {},
      { traceparent: `00-${traceId}-${randomBytes(8).toString("hex")}-01` },
    );
    expect(ok.errors).toBeUndefined();
    const bad = await graphql(url, `query LogBadProduct { product(id: "not-a-uuid") { id } }`);
    expect(bad.errors?.length).toBeGreaterThan(0);
    const refused = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ products { items { id } } }" }),
    });
    expect(refused.status).toBe(401);

    await expect.poll(() => requestLines().length - before, { timeout: 5000 }).toBe(3);
    const raw = requestLines().slice(before);
    for (const line of raw) {
      // No key twice (pino's child bindings plus the same key again would write it twice).
      const keys = [...line.matchAll(/"([A-Za-z]+)":/g)].map((m) => m[1]);
      expect(
        keys.filter((k) => k === "requestId"),
        line,
      ).toHaveLength(1);
      // No personal data beyond the user id, never the token.
      expect(line).not.toMatch(/authorization|bearer|eyJ/i);
    }
    const [okLine, badLine, refusedLine] = raw.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(okLine).toMatchObject({
      service: "production",
      traceId,
      userId: USER,
      organizationId: ORG,
      operationName: "LogProducts",
      operationType: "query",
      outcome: "ok",
      level: 30,
    });
    expect(okLine!.requestId).toEqual(expect.any(String));
    expect(okLine!.durationMs).toEqual(expect.any(Number));
    expect(okLine!.sqlQueries).toBeGreaterThan(0);
    expect(badLine).toMatchObject({ operationName: "LogBadProduct", outcome: "error", errorCodes: ["BAD_USER_INPUT"], userId: USER });
    expect(badLine!.traceId).toMatch(/^[0-9a-f]{32}$/); // a fresh trace id when the caller sent none
    expect(refusedLine).toMatchObject({ outcome: "unauthenticated", operationName: null });
    expect(refusedLine!.userId).toBeUndefined();
    expect(new Set([okLine!.requestId, badLine!.requestId, refusedLine!.requestId]).size).toBe(3);
  });

  it("keeps the caller's request id", async () => {
    const before = requestLines().length;
    const token = await tokenFor({ organizationId: ORG, userId: USER });
    await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "x-request-id": "plant-42-req-7" },
      body: JSON.stringify({ query: "query LogById { products { items { id } } }" }),
    });
    await expect.poll(() => requestLines().length - before, { timeout: 5000 }).toBe(1);
    expect(JSON.parse(requestLines().at(-1)!)).toMatchObject({ requestId: "plant-42-req-7", operationName: "LogById" });
  });
});

import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import http from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "@mes/db";
import { createTestDatabases } from "./support/databases.ts";
import { mustQuery } from "./support/graphql.ts";
import { TEST_AUTH_ENV, TEST_FEED_TOKEN, actAs } from "./support/auth.ts";

// A real subgraph process configured only by the standard OTEL_* variables exports its spans over
// OTLP/HTTP (JSON) to a collector: here a receiver in the test, where Jaeger or a collector would be.
const ORG = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d";
actAs({ organizationId: ORG });
const root = path.resolve(import.meta.dirname, "..");

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
}
interface OtlpExport {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { scope: { name: string }; spans: OtlpSpan[] }[];
  }[];
}

const received: { path: string; body: OtlpExport }[] = [];
let collector: http.Server;
let dbs: Awaited<ReturnType<typeof createTestDatabases>>;
let child: ChildProcess | null = null;
let url: string;

beforeAll(async () => {
  collector = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      received.push({ path: req.url ?? "", body: JSON.parse(body) as OtlpExport });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));
  const collectorPort = (collector.address() as { port: number }).port;
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
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collectorPort}`,
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
  child?.kill("SIGKILL");
  await dbs?.drop();
  await new Promise((r) => collector?.close(r));
});

describe("OTLP export configured by OTEL_EXPORTER_OTLP_ENDPOINT", () => {
  it("sends the request's span and its SQL spans, named after the service, and flushes them on a clean stop", async () => {
    const traceId = randomBytes(16).toString("hex");
    await mustQuery(
      url,
      `query OtlpProducts { products { items { id } } }`,
      {},
      { traceparent: `00-${traceId}-${randomBytes(8).toString("hex")}-01` },
    );
    // A clean stop flushes what the batch processor still holds.
    const exited = new Promise<number | null>((resolve) => child!.once("exit", (code) => resolve(code)));
    child!.kill("SIGTERM");
    expect(await exited).toBe(0);
    child = null;

    expect(received.every((r) => r.path === "/v1/traces")).toBe(true);
    const resources = received.flatMap((r) => r.body.resourceSpans);
    const serviceNames = resources.flatMap((r) => r.resource.attributes.filter((a) => a.key === "service.name").map((a) => a.value.stringValue));
    expect(new Set(serviceNames)).toEqual(new Set(["mes-production"]));
    const spans = resources.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)).filter((s) => s.traceId === traceId);
    const server = spans.find((s) => s.name === "query OtlpProducts");
    expect(server).toBeDefined();
    expect(spans.filter((s) => s.name.startsWith("pg ")).length).toBeGreaterThan(0);
  });
});

import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InMemorySpanExporter, initTracing, type ReadableSpan } from "@mes/shared";
import { mustQuery } from "./support/graphql.ts";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { createPlant, createProduct, createWorkOrder, type PlantFixture } from "./support/fixtures.ts";
import { actAs } from "./support/auth.ts";

// One process runs the whole stack here, so one tracer provider records every service's spans
// (each service's spans carry its name as their instrumentation scope, "mes-<service>").
const exporter = new InMemorySpanExporter();
const ORG = "8e2d4c6a-1b3f-4a5e-9c7d-0f1e2d3c4b5a";
actAs({ organizationId: ORG });

let stack: TestStack;
let plant: PlantFixture;
beforeAll(async () => {
  initTracing("test", {}, { exporter });
  stack = await startTestStack();
  plant = await createPlant(stack.gatewayUrl, ORG);
});
afterAll(async () => stack?.stop());

/** A client's own trace context, as a browser or an integrator with OpenTelemetry would send it. */
function clientTrace() {
  const traceId = randomBytes(16).toString("hex");
  const spanId = randomBytes(8).toString("hex");
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

const spansOf = (traceId: string) => exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
const scope = (s: ReadableSpan) => s.instrumentationScope.name;
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
const SERVER = 1;
const CLIENT = 2;
const CONSUMER = 4;

/** Whether `span` descends from `ancestor` within the spans of one trace. */
function descendsFrom(span: ReadableSpan, ancestor: ReadableSpan, all: ReadableSpan[]): boolean {
  const byId = new Map(all.map((s) => [s.spanContext().spanId, s]));
  for (let at: ReadableSpan | undefined = span; at; at = byId.get(parentOf(at) ?? "")) if (at === ancestor) return true;
  return false;
}

describe("tracing with W3C trace context", () => {
  it("records one trace from the client through the gateway, two subgraphs and their SQL", async () => {
    const client = clientTrace();
    await mustQuery(
      stack.gatewayUrl,
      `query TracedPlant($id: ID!) { plant(id: $id) { name currentShift { name } } }`,
      { id: plant.plantId },
      {
        traceparent: client.traceparent,
      },
    );
    // Server spans end when the response is closed, just after the client has it.
    await expect.poll(() => spansOf(client.traceId).filter((s) => s.kind === SERVER).length, { timeout: 5000 }).toBe(3);
    const spans = spansOf(client.traceId);

    const gateway = spans.find((s) => scope(s) === "mes-gateway" && s.kind === SERVER)!;
    expect(gateway.name).toBe("query TracedPlant");
    expect(parentOf(gateway)).toBe(client.spanId); // a child of the caller's span
    for (const subgraph of ["equipment", "shifts"]) {
      const fetch = spans.find((s) => s.name === `subgraph ${subgraph}`);
      expect(fetch, `gateway fetch span to ${subgraph}`).toBeDefined();
      expect(fetch!.kind).toBe(CLIENT);
      expect(parentOf(fetch!)).toBe(gateway.spanContext().spanId);
      const server = spans.find((s) => scope(s) === `mes-${subgraph}` && s.kind === SERVER);
      expect(server, `${subgraph} server span`).toBeDefined();
      expect(parentOf(server!)).toBe(fetch!.spanContext().spanId);
      const sql = spans.filter((s) => scope(s) === `mes-${subgraph}` && s.name.startsWith("pg ") && descendsFrom(s, server!, spans));
      expect(sql.length, `${subgraph} SQL spans`).toBeGreaterThan(0);
      expect(sql[0]!.attributes["db.system.name"]).toBe("postgresql");
      expect(String(sql[0]!.attributes["db.query.text"])).toMatch(/SELECT|select/);
    }
  });

  it("carries the trace of a mutation through its event into the follower that applies it", async () => {
    const productId = await createProduct(stack.gatewayUrl, plant, "TRACE-P", 1);
    const wo = await createWorkOrder(stack.gatewayUrl, productId, "WO-TRACE", 5);
    const client = clientTrace();
    await mustQuery(
      stack.gatewayUrl,
      `mutation TracedRelease($id: ID!) { releaseWorkOrder(id: $id) { status } }`,
      { id: wo.id },
      {
        traceparent: client.traceparent,
      },
    );
    // The outbox row remembers the request's trace.
    const db = new pg.Client({ connectionString: stack.subgraphs.production.pool.options.connectionString });
    await db.connect();
    const { rows } = await db
      .query<{ traceparent: string | null }>(
        `SELECT traceparent FROM "OutboxEvent" WHERE type = 'WorkOrderStatusChanged' AND "aggregateId" = $1 ORDER BY id DESC LIMIT 1`,
        [wo.id],
      )
      .finally(() => db.end());
    expect(rows[0]?.traceparent).toMatch(new RegExp(`^00-${client.traceId}-[0-9a-f]{16}-01$`));

    // Inventory's follower applies it (its reservations) in a span of the same trace.
    await expect
      .poll(() => spansOf(client.traceId).find((s) => scope(s) === "mes-inventory" && s.name === "apply WorkOrderStatusChanged"), { timeout: 10_000 })
      .toBeDefined();
    const spans = spansOf(client.traceId);
    const applied = spans.find((s) => scope(s) === "mes-inventory" && s.name === "apply WorkOrderStatusChanged")!;
    expect(applied.kind).toBe(CONSUMER);
    const production = spans.find((s) => scope(s) === "mes-production" && s.kind === SERVER)!;
    expect(parentOf(applied)).toBe(production.spanContext().spanId);
    expect(rows[0]!.traceparent).toBe(`00-${client.traceId}-${production.spanContext().spanId}-01`);
    // The follower's own SQL is part of it.
    await expect
      .poll(() => spansOf(client.traceId).some((s) => scope(s) === "mes-inventory" && s.name.startsWith("pg ")), { timeout: 5000 })
      .toBe(true);
  });
});

// An SSE subscriber that stops reading is ended as too slow, as a WebSocket one is: the gateway
// stops taking events for a response whose client does not read what was written, so they wait in
// the client's bounded queue (SUBSCRIPTION_QUEUE_MAX) instead of piling up in the response's buffer.
// (Found by an adversarial probe: 14.7 MB of events were buffered for a client that never read.)
import net from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { actAs, tokenFor } from "./support/auth.ts";
import { mustQuery } from "./support/graphql.ts";
import { createPlant, createProduct } from "./support/fixtures.ts";

const ORG = "5e5e5e5e-2222-4222-8333-444444444444";
actAs({ organizationId: ORG });
const EVENTS = 120;
// Each event about 120 KB (25 aliases of a 4,900-character reason): more than the socket buffers hold.
const QUERY = `subscription { workOrderStatusChanged { cursor to ${Array.from({ length: 25 }, (_, i) => `r${i}: reason`).join(" ")} } }`;
const REASON = "y".repeat(4900);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let stack: TestStack;
const orders: string[] = [];

beforeAll(async () => {
  stack = await startTestStack({ gatewayEnv: { SUBSCRIPTION_QUEUE_MAX: "5" } });
  const plant = await createPlant(stack.gatewayUrl, ORG, "SLOW");
  const productId = await createProduct(stack.gatewayUrl, plant, "SLOW-P", 1);
  for (let i = 0; i < EVENTS; i++) {
    const { createWorkOrder } = await mustQuery(stack.gatewayUrl, `mutation($i: CreateWorkOrderInput!) { createWorkOrder(input: $i) { id } }`, {
      i: { productId, number: `SLOW-${i}`, quantity: 1, dueDate: "2027-06-30T00:00:00Z" },
    });
    orders.push(createWorkOrder.id);
  }
}, 180_000);
afterAll(async () => stack?.stop());

it("ends an SSE stream whose client stops reading with SUBSCRIBER_TOO_SLOW, after what it had read", async () => {
  const token = await tokenFor({ organizationId: ORG, userId: "sse.slow" });
  const gateway = new URL(stack.gatewayUrl);
  const body = JSON.stringify({ query: QUERY });
  const socket = net.connect(Number(gateway.port), gateway.hostname);
  await new Promise((r) => socket.once("connect", r));
  socket.write(
    `POST /graphql/stream HTTP/1.1\r\nHost: ${gateway.host}\r\nAccept: text/event-stream\r\nContent-Type: application/json\r\n` +
      `Authorization: Bearer ${token}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  let text = "";
  await new Promise<void>((resolve) => {
    const onData = (d: Buffer) => {
      text += d.toString();
      if (text.includes("\r\n\r\n")) {
        socket.off("data", onData);
        resolve();
      }
    };
    socket.on("data", onData);
  });
  expect(text.split("\r\n")[0]).toBe("HTTP/1.1 200 OK");
  await sleep(500); // the subscription is registered at the gateway
  socket.pause(); // the tablet stops reading

  let next = 0;
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      while (next < orders.length) {
        const id = orders[next++]!;
        await mustQuery(stack.gatewayUrl, `mutation($id: ID!, $r: String) { releaseWorkOrder(id: $id, reason: $r) { status } }`, { id, r: REASON });
      }
    }),
  );
  await sleep(2000);
  const counters = (await (await fetch(stack.gatewayUrl.replace(/graphql$/, "subscriptions"))).json()) as { slowClientsClosed: number };
  expect(counters.slowClientsClosed).toBe(1);

  // It reads again: what was written before it fell behind, then the reason it was ended.
  socket.on("data", (d: Buffer) => (text += d.toString()));
  socket.resume();
  // The response ends (graphql-sse's last event, then the chunked body's end; the connection may stay open).
  for (let i = 0; i < 100 && !text.includes("event: complete"); i++) await sleep(100);
  socket.destroy();
  expect(text).toContain("SUBSCRIBER_TOO_SLOW");
  expect(text).toContain("event: complete");
  expect((text.match(/event: next/g) ?? []).length).toBeLessThan(EVENTS);
}, 120_000);

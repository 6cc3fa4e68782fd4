import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSubgraph, type RunningSubgraph } from "@mes/shared";
import { graphql, mustQuery } from "./support/graphql.ts";
import { DEFINITIONS, silentLogger, startTestStack, testSubgraphConfig, type TestStack } from "./support/stack.ts";
import { createPlant, type PlantFixture } from "./support/fixtures.ts";
import { actAs, bearer } from "./support/auth.ts";

// Integrators and tablets retry: a mutation sent with an Idempotency-Key takes effect once, and
// every repeat with the same key and request gets the first answer.
const ORG = "1de70000-0000-4000-8000-000000000001";
actAs({ organizationId: ORG });

let stack: TestStack;
let url: string;
let plant: PlantFixture;
let location: string;
let replica: RunningSubgraph<unknown> | null = null;

beforeAll(async () => {
  stack = await startTestStack();
  url = stack.gatewayUrl;
  plant = await createPlant(url, ORG, "IDEM");
  location = (
    await mustQuery(url, `mutation($p: ID!) { createLocation(input: { plantId: $p, code: "WH", name: "WH" }) { id } }`, { p: plant.plantId })
  ).createLocation.id;
});
afterAll(async () => {
  await replica?.stop();
  await stack?.stop();
});

const RECEIVE = `mutation($i: ReceiveStockInput!) { receiveStock(input: $i) { documentId quantity transactions { id } } }`;

async function material(code: string): Promise<string> {
  const m = await mustQuery(url, `mutation($c: String!) { createMaterial(input: { code: $c, description: $c, unitOfMeasure: "EA" }) { id } }`, {
    c: code,
  });
  return m.createMaterial.id;
}
const onHand = async (materialId: string) =>
  (await mustQuery(url, `query($id: ID!) { material(id: $id) { onHand } }`, { id: materialId })).material.onHand;
const receipts = async (materialId: string) =>
  Number(
    (await stack.subgraphs.inventory.pool.query(`SELECT count(*) FROM "StockTransaction" WHERE "materialId" = $1 AND type = 'RECEIPT'`, [materialId]))
      .rows[0].count,
  );
const receiveInput = (materialId: string, lotNumber: string, quantity = 5) => ({
  i: { materialId, locationId: location, lotNumber, quantity, unitCost: 2 },
});

/**
 * Sends a request over a raw socket and drops the connection, unread, once the subgraph has
 * recorded its answer: the client never sees the response of a write that was applied.
 */
async function sendAndDropResponse(target: string, body: unknown, headers: Record<string, string>, key: string): Promise<void> {
  const { hostname, port, pathname } = new URL(target);
  const payload = JSON.stringify(body);
  const socket = net.connect(Number(port), hostname);
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  const head = Object.entries({
    ...headers,
    "content-type": "application/json",
    "idempotency-key": key,
    "content-length": String(Buffer.byteLength(payload)),
  })
    .map(([k, v]) => `${k}: ${v}`)
    .join("\r\n");
  socket.write(`POST ${pathname} HTTP/1.1\r\nhost: ${hostname}:${port}\r\n${head}\r\n\r\n${payload}`);
  await expect
    .poll(async () => (await stack.subgraphs.inventory.pool.query(`SELECT status FROM "IdempotencyKey" WHERE key = $1`, [key])).rows[0]?.status, {
      timeout: 10_000,
    })
    .toBe("done");
  socket.destroy();
}

describe("a mutation with an Idempotency-Key", () => {
  it("takes effect once when retried through the gateway after its response was lost, and the retry gets the first answer", async () => {
    const m = await material("IDEM-DROP");
    const headers = await bearer({ organizationId: ORG });
    await sendAndDropResponse(url, { query: RECEIVE, variables: receiveInput(m, "L-DROP") }, headers, "drop-1");
    expect(await receipts(m)).toBe(1);

    const retry = await graphql(url, RECEIVE, receiveInput(m, "L-DROP"), { "idempotency-key": "drop-1" });
    expect(retry.errors).toBeUndefined();
    const { rows } = await stack.subgraphs.inventory.pool.query(`SELECT id FROM "StockTransaction" WHERE "materialId" = $1`, [m]);
    expect(retry.data?.receiveStock).toMatchObject({ quantity: 5, transactions: [{ id: rows[0].id }] });
    expect(await receipts(m)).toBe(1);
    expect(await onHand(m)).toBe(5);
  });

  it("answers every one of ten concurrent repeats with the same result and applies it once", async () => {
    const m = await material("IDEM-RACE");
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => graphql(url, RECEIVE, receiveInput(m, "L-RACE"), { "idempotency-key": "race-1" })),
    );
    expect(answers.map((a) => a.errors)).toEqual(Array(10).fill(undefined));
    expect(new Set(answers.map((a) => JSON.stringify(a.data))).size).toBe(1);
    expect(await receipts(m)).toBe(1);
  });

  it("refuses the same key with a different request, with CONFLICT, and changes nothing", async () => {
    const m = await material("IDEM-OTHER");
    await mustQuery(url, RECEIVE, receiveInput(m, "L-1"), { "idempotency-key": "other-1" });
    const reused = await graphql(url, RECEIVE, receiveInput(m, "L-1", 7), { "idempotency-key": "other-1" });
    expect(reused.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    expect(reused.errors?.[0]?.message).toMatch(/Idempotency-Key was used for a different request/);
    expect(await onHand(m)).toBe(5);
  });

  it("keeps keys apart per user: another user's request with the same key runs as its own", async () => {
    const m = await material("IDEM-USERS");
    await mustQuery(url, RECEIVE, receiveInput(m, "L-U1"), { "idempotency-key": "shared-key" });
    const other = await bearer({ organizationId: ORG, userId: "someone.else" });
    await mustQuery(url, RECEIVE, receiveInput(m, "L-U2"), { ...other, "idempotency-key": "shared-key" });
    expect(await receipts(m)).toBe(2);
  });

  it("runs again after a refusal that changed nothing (the key is freed), and applies once when it then succeeds", async () => {
    const m = await material("IDEM-FAIL");
    const tooMuch = { i: { materialId: m, plantId: plant.plantId, workOrderId: "00000000-0000-4000-8000-000000000123", quantity: 50 } };
    const ISSUE = `mutation($i: IssueStockInput!) { issueStock(input: $i) { quantity } }`;
    const first = await graphql(url, ISSUE, tooMuch, { "idempotency-key": "fail-1" });
    expect(first.errors?.[0]?.extensions?.code).toBeDefined();
    const again = await graphql(url, ISSUE, tooMuch, { "idempotency-key": "fail-1" });
    expect(again.errors?.[0]?.extensions?.code).toBe(first.errors?.[0]?.extensions?.code);
    const { rows } = await stack.subgraphs.inventory.pool.query(`SELECT count(*)::int AS n FROM "IdempotencyKey" WHERE key = 'fail-1'`);
    expect(rows[0].n).toBe(0);
  });

  it("holds across replicas: a retry at another replica of the subgraph gets the first answer", async () => {
    const inventory = stack.subgraphs.inventory;
    replica = await startSubgraph(DEFINITIONS.inventory, testSubgraphConfig(inventory.pool.options.connectionString!), silentLogger());
    const m = await material("IDEM-REPLICA");
    const headers = { ...(await bearer({ organizationId: ORG })), "idempotency-key": "replica-1" };
    const atFirst = await graphql(inventory.url, RECEIVE, receiveInput(m, "L-R"), headers);
    const atSecond = await graphql(replica.url, RECEIVE, receiveInput(m, "L-R"), headers);
    expect(atFirst.errors).toBeUndefined();
    expect(atSecond.data).toEqual(atFirst.data);
    expect(atSecond.headers.get("idempotent-replay")).toBe("true");
    expect(await receipts(m)).toBe(1);
  });

  it("refuses a malformed key with BAD_USER_INPUT naming the header, and ignores keys on queries", async () => {
    const m = await material("IDEM-BAD");
    const bad = await graphql(url, RECEIVE, receiveInput(m, "L-B"), { "idempotency-key": "x".repeat(300) });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ field: "Idempotency-Key" }] });
    expect(await receipts(m)).toBe(0);
    const q = await graphql(url, `{ plants { id } }`, {}, { "idempotency-key": "q-1" });
    expect(q.errors).toBeUndefined();
    const { rows } = await stack.subgraphs.equipment.pool.query(`SELECT count(*)::int AS n FROM "IdempotencyKey"`);
    expect(rows[0].n).toBe(0);
  });
});

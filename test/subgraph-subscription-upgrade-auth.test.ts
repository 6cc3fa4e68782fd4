// Apollo Router (and other gateways) open a subgraph's WebSocket with the client's headers on the
// HTTP upgrade request and nothing in connection_init: a subgraph takes the bearer token from there
// too, after the connection parameters and the subscribe message's extensions.headers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { mustQuery } from "./support/graphql.ts";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { createPlant, createProduct, createWorkOrder, type PlantFixture } from "./support/fixtures.ts";
import { subscribe, waitUntil } from "./support/ws-client.ts";
import { signDevelopmentToken } from "@mes/shared";
import { actAs, tokenFor } from "./support/auth.ts";

const ORG = "f0f0f0f0-2222-4333-8444-555555555555";
actAs({ organizationId: ORG });
let stack: TestStack;
let plant: PlantFixture;
let productId: string;
const clients: Client[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  plant = await createPlant(stack.gatewayUrl, ORG, "UPG");
  productId = await createProduct(stack.gatewayUrl, plant, "UPG-P", 1);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await stack?.stop();
});

/** A graphql-ws client as a Router opens it: the Authorization header on the upgrade, empty connection_init. */
function upgradeHeaderClient(httpUrl: string, authorization: string): Client {
  class WebSocketWithHeaders extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { headers: { authorization } });
    }
  }
  const client = createClient({ url: httpUrl.replace(/^http/, "ws"), webSocketImpl: WebSocketWithHeaders, retryAttempts: 0 });
  clients.push(client);
  return client;
}

const STATUS = `subscription($w: ID) { workOrderStatusChanged(workOrderId: $w) { from to actor workOrder { number status } } }`;

describe("a subgraph subscription authenticated by the upgrade request's Authorization header", () => {
  it("receives events as the header's user, with nothing in the connection parameters", async () => {
    const production = stack.subgraphs.production;
    const wo = await createWorkOrder(stack.gatewayUrl, productId, "WO-UPG-1", 5);
    const token = await tokenFor({ userId: "router.viewer", organizationId: ORG, roles: ["VIEWER"] });
    await waitUntil(() => production.live.subscriberCount === 0);
    const sub = await subscribe(upgradeHeaderClient(production.url, `Bearer ${token}`), STATUS, { w: wo.id });
    await waitUntil(() => production.live.subscriberCount >= 1);
    await mustQuery(stack.gatewayUrl, `mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id: wo.id });
    const [event] = await sub.waitFor(1);
    expect(sub.errors).toEqual([]);
    // The actor is the releasing admin; the nested work order resolved under the viewer's identity.
    expect(event!.workOrderStatusChanged).toMatchObject({
      from: "PLANNED",
      to: "RELEASED",
      actor: "test.admin",
      workOrder: { number: "WO-UPG-1", status: "RELEASED" },
    });
    await sub.stop();
  });

  it("refuses a subscription whose upgrade header carries a bad token", async () => {
    const otherKey = await signDevelopmentToken(
      { userId: "intruder", organizationId: ORG, plantIds: null, roles: ["ADMIN"] },
      "not-the-test-secret-but-long-enough-0123456789",
      "mes-test",
    );
    for (const authorization of ["Bearer forged.token.value", `Bearer ${otherKey}`]) {
      const sub = await subscribe(upgradeHeaderClient(stack.subgraphs.production.url, authorization), STATUS);
      await expect.poll(() => sub.errors.length).toBeGreaterThan(0);
      expect(sub.errors[0], authorization).toMatchObject({ extensions: { code: "UNAUTHENTICATED" } });
      expect(sub.events).toEqual([]);
    }
  });

  it("prefers the connection parameters' token to the upgrade header's", async () => {
    const good = await tokenFor({ organizationId: ORG, roles: ["VIEWER"] });
    const client = createClient({
      url: stack.subgraphs.production.url.replace(/^http/, "ws"),
      webSocketImpl: class extends WebSocket {
        constructor(address: string | URL, protocols?: string | string[]) {
          super(address, protocols, { headers: { authorization: "Bearer forged.token.value" } });
        }
      },
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${good}` },
    });
    clients.push(client);
    const wo = await createWorkOrder(stack.gatewayUrl, productId, "WO-UPG-2", 5);
    await waitUntil(() => stack.subgraphs.production.live.subscriberCount === 0);
    const sub = await subscribe(client, STATUS, { w: wo.id });
    await waitUntil(() => stack.subgraphs.production.live.subscriberCount >= 1);
    await mustQuery(stack.gatewayUrl, `mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id: wo.id });
    const [event] = await sub.waitFor(1);
    expect(event!.workOrderStatusChanged.workOrder.number).toBe("WO-UPG-2");
    await sub.stop();
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "graphql-ws";
import { graphql } from "./support/graphql.ts";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { subscribe, waitUntil, wsClient } from "./support/ws-client.ts";
import { bearer, tokenFor } from "./support/auth.ts";

// Low limits (buckets that do not refill during the test): 3 requests per user, 5 per organization.
const ORG_A = "7a7a7a7a-1111-4222-8333-000000000001";
const ORG_B = "7a7a7a7a-1111-4222-8333-000000000002";
const ORG_C = "7a7a7a7a-1111-4222-8333-000000000003";
const TYPENAME = "{ __typename }";
const STATUS = `subscription { workOrderStatusChanged { cursor } }`;

let stack: TestStack;
let url: string;
const clients: Client[] = [];

beforeAll(async () => {
  stack = await startTestStack({
    gatewayEnv: {
      RATE_LIMIT_USER_PER_SECOND: "0.01",
      RATE_LIMIT_USER_BURST: "3",
      RATE_LIMIT_ORGANIZATION_PER_SECOND: "0.01",
      RATE_LIMIT_ORGANIZATION_BURST: "5",
    },
  });
  url = stack.gatewayUrl;
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await stack?.stop();
});

const ask = async (organizationId: string, userId: string) => graphql(url, TYPENAME, undefined, await bearer({ organizationId, userId }));

describe("gateway rate limits", () => {
  it("throttles one user (429, Retry-After, RATE_LIMITED), not a colleague until the organization's limit, and no other organization", async () => {
    for (let i = 0; i < 3; i++) expect((await ask(ORG_A, "ann")).status).toBe(200);
    const refused = await ask(ORG_A, "ann");
    expect(refused.status).toBe(429);
    // 1 token at 0.01 per second: 100 s.
    expect(refused.headers.get("retry-after")).toBe("100");
    expect(refused.errors).toEqual([
      {
        message: "Too many requests from you: at most 0.01 per second, in bursts of up to 3; retry after 100 s",
        extensions: { code: "RATE_LIMITED", retryAfterSeconds: 100, limit: "user" },
      },
    ]);

    // Ann's refusal took nothing from the organization: two of its five are left, for Bob.
    expect((await ask(ORG_A, "bob")).status).toBe(200);
    expect((await ask(ORG_A, "bob")).status).toBe(200);
    const orgRefused = await ask(ORG_A, "bob");
    expect(orgRefused.status).toBe(429);
    expect(orgRefused.errors![0]!.extensions).toMatchObject({ code: "RATE_LIMITED", limit: "organization", retryAfterSeconds: 100 });

    const other = await ask(ORG_B, "cat");
    expect(other.status).toBe(200);
    expect(other.data).toEqual({ __typename: "Query" });
  });

  it("counts subscriptions when they start, over graphql-ws and over SSE", async () => {
    const token = await tokenFor({ organizationId: ORG_C, userId: "dan" });
    const client = wsClient(url, token);
    clients.push(client);
    const subs = [await subscribe(client, STATUS), await subscribe(client, STATUS)];
    await waitUntil(() => stack.subgraphs.production.live.subscriberCount >= 1, 15_000);
    // Two starts and one query: the third token.
    expect((await graphql(url, TYPENAME, undefined, { authorization: `Bearer ${token}` })).status).toBe(200);
    const third = await subscribe(client, STATUS);
    await waitUntil(() => third.errors.length > 0, 10_000);
    expect(third.errors[0]).toMatchObject({ extensions: { code: "RATE_LIMITED", retryAfterSeconds: 100, limit: "user" } });

    const sse = await fetch(`${url}/stream`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: STATUS }),
    });
    expect(sse.status).toBe(429);
    expect(sse.headers.get("retry-after")).toBe("100");
    expect(((await sse.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe("RATE_LIMITED");
    for (const s of subs) await s.stop();
  });

  it("leaves requests without a valid token to authentication (401, not 429)", async () => {
    const res = await graphql(url, TYPENAME, undefined, { authorization: "Bearer not-a-token" });
    expect(res.status).toBe(401);
  });
});

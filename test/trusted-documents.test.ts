import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "graphql-ws";
import { SUBGRAPHS, urlVariable } from "@mes/db";
import type { RunningService } from "@mes/shared";
import { gatewayEnv, startGateway } from "@mes/gateway";
import { sha256 } from "../gateway/src/trusted-documents.ts";
import { silentLogger, startTestStack, type TestStack } from "./support/stack.ts";
import { subscribe, waitUntil, wsClient } from "./support/ws-client.ts";
import { TEST_AUTH_ENV, actAs, bearer } from "./support/auth.ts";

const ORG = "d0c0d0c0-1111-4222-8333-444444444444";
actAs({ organizationId: ORG });
const PLANTS = "query Plants { plants { id } }";
const STATUS = "subscription Status { workOrderStatusChanged { cursor } }";
const OTHER = "query Other { plants { id name } }";
const HASH = sha256(PLANTS);

let stack: TestStack;
const gateways: Record<"allow" | "enforce", RunningService> = {} as never;
const clients: Client[] = [];
let manifestPath: string;

beforeAll(async () => {
  stack = await startTestStack();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mes-trusted-"));
  manifestPath = path.join(dir, "manifest.json");
  fs.writeFileSync(manifestPath, JSON.stringify({ [HASH]: PLANTS, [sha256(STATUS)]: STATUS }));
  // Two more gateways over the same subgraphs, one per mode; the stack's own is "off" (the default).
  for (const mode of ["allow", "enforce"] as const) {
    const config = gatewayEnv.parse({
      NODE_ENV: "test",
      PORT: "4000",
      ...TEST_AUTH_ENV,
      ...Object.fromEntries(SUBGRAPHS.map((n) => [urlVariable(n), stack.subgraphs[n].url])),
      TRUSTED_DOCUMENTS: mode,
      TRUSTED_DOCUMENTS_PATH: manifestPath,
    });
    gateways[mode] = await startGateway({ ...config, PORT: 0 }, silentLogger());
  }
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  for (const g of Object.values(gateways)) await g?.stop();
  await stack?.stop();
});

/** POSTs GraphQL parameters as they are (an id, a document or both). */
async function send(url: string, params: Record<string, unknown>) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(await bearer()) },
    body: JSON.stringify(params),
  });
  return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] } };
}
const apq = (hash: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });

describe("trusted documents", () => {
  it("off (the default): documents run as sent; ids are Apollo's APQ cache only", async () => {
    const url = stack.gatewayUrl;
    expect((await send(url, { query: OTHER })).body).toEqual({ data: { plants: [] } });
    expect((await send(url, apq(HASH))).body.errors![0]!.extensions!.code).toBe("PERSISTED_QUERY_NOT_FOUND");
  });

  it("allow: ids from the manifest (APQ hash, documentId, over GET too) and any document run", async () => {
    const url = gateways.allow.url;
    expect((await send(url, apq(HASH))).body).toEqual({ data: { plants: [] } });
    expect((await send(url, { documentId: `sha256:${HASH}` })).body).toEqual({ data: { plants: [] } });
    expect((await send(url, { query: OTHER })).body).toEqual({ data: { plants: [] } });
    const unknown = await send(url, { documentId: "f".repeat(64) });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors![0]!.extensions!.code).toBe("PERSISTED_QUERY_NOT_FOUND");
    const search = new URLSearchParams({ extensions: JSON.stringify(apq(HASH).extensions) });
    const get = await fetch(`${url}?${search}`, { headers: { ...(await bearer()), "apollo-require-preflight": "true" } });
    expect(await get.json()).toEqual({ data: { plants: [] } });
  });

  it("enforce: runs the manifest's documents by id or by text, refuses any other with PERSISTED_QUERY_NOT_ALLOWED", async () => {
    const url = gateways.enforce.url;
    expect((await send(url, apq(HASH))).body).toEqual({ data: { plants: [] } });
    expect((await send(url, { documentId: HASH })).body).toEqual({ data: { plants: [] } });
    expect((await send(url, { query: "query Plants {\n  plants {\n    id\n  }\n}" })).body).toEqual({ data: { plants: [] } });
    for (const params of [{ query: OTHER }, apq(sha256(OTHER)), { query: OTHER, ...apq(sha256(OTHER)) }]) {
      const refused = await send(url, params);
      expect(refused.status).toBe(400);
      expect(refused.body.errors![0]!.extensions!.code).toBe("PERSISTED_QUERY_NOT_ALLOWED");
    }
  });

  it("enforce: subscriptions too, over graphql-ws and SSE", async () => {
    const url = gateways.enforce.url;
    const client = wsClient(url);
    clients.push(client);
    const trusted = await subscribe(client, STATUS);
    const refused = await subscribe(client, "subscription { workOrderStatusChanged { cursor to } }");
    await waitUntil(() => refused.errors.length > 0, 10_000);
    expect(refused.errors[0]).toMatchObject({ extensions: { code: "PERSISTED_QUERY_NOT_ALLOWED" } });
    await waitUntil(() => stack.subgraphs.production.live.subscriberCount >= 1, 15_000);
    expect(trusted.errors).toEqual([]);
    await trusted.stop();

    const sse = await fetch(`${url}/stream`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", ...(await bearer()) },
      body: JSON.stringify({ query: "subscription { workOrderStatusChanged { cursor to } }" }),
    });
    expect(sse.status).toBe(400);
    expect(((await sse.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe("PERSISTED_QUERY_NOT_ALLOWED");
  });

  it("refuses to start on a manifest whose ids are not their documents' sha256", async () => {
    const bad = path.join(path.dirname(manifestPath), "bad.json");
    fs.writeFileSync(bad, JSON.stringify({ ["0".repeat(64)]: PLANTS }));
    const config = gatewayEnv.parse({ NODE_ENV: "test", ...TEST_AUTH_ENV, TRUSTED_DOCUMENTS: "enforce", TRUSTED_DOCUMENTS_PATH: bad });
    await expect(startGateway({ ...config, PORT: 0 }, silentLogger())).rejects.toThrow("is not the sha256 of its document");
  });
});

// Fronting by Hive Gateway: the subgraphs behind another vendor's gateway, configured only by
// test/bench/gateway.config.mjs (see docs/fronting.md). Queries and mutations carry the caller's
// token to every subgraph; subscriptions reach the subgraphs over graphql-ws with the token in the
// connection parameters; another organization's token sees nothing of ours.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "graphql-ws";
import { SUBGRAPHS, freePort } from "@mes/db";
import { defaultSubgraphUrl, SUPERGRAPH_PATH } from "../gateway/src/composition.ts";
import { graphql, mustQuery } from "./support/graphql.ts";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { createPlant, createProduct, createWorkOrder, type PlantFixture } from "./support/fixtures.ts";
import { subscribe, waitUntil, wsClient } from "./support/ws-client.ts";
import { actAs, tokenFor } from "./support/auth.ts";

const ORG = "41fe0000-0000-4000-8000-000000000001";
const OTHER_ORG = "41fe0000-0000-4000-8000-000000000002";
actAs({ organizationId: ORG });
const root = path.resolve(import.meta.dirname, "..");

let stack: TestStack;
let hive: ChildProcess | null = null;
let hiveUrl: string;
let tmp: string;
let plant: PlantFixture;
let productId: string;
const clients: Client[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  // The committed supergraph with this stack's subgraph URLs.
  let sdl = fs.readFileSync(SUPERGRAPH_PATH, "utf8");
  for (const name of SUBGRAPHS) sdl = sdl.replaceAll(defaultSubgraphUrl(name), stack.subgraphs[name].url);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mes-hive-"));
  fs.writeFileSync(path.join(tmp, "supergraph.graphql"), sdl);
  const port = await freePort();
  hiveUrl = `http://127.0.0.1:${port}/graphql`;
  let output = "";
  hive = spawn(
    process.execPath,
    [
      path.join(root, "test/node_modules/@graphql-hive/gateway/dist/bin.js"),
      "supergraph",
      path.join(tmp, "supergraph.graphql"),
      "--config-path",
      path.join(root, "test/bench/gateway.config.mjs"),
      "--port",
      String(port),
      "--host",
      "127.0.0.1",
    ],
    { cwd: path.join(root, "test/bench"), env: { PATH: process.env.PATH, NODE_ENV: "production" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  for (const s of [hive.stdout!, hive.stderr!]) s.on("data", (d) => (output = (output + String(d)).slice(-4000)));
  const auth = { authorization: `Bearer ${await tokenFor({ organizationId: ORG })}` };
  for (let i = 0; ; i++) {
    const res = await fetch(hiveUrl, {
      method: "POST",
      headers: { "content-type": "application/json", ...auth },
      body: JSON.stringify({ query: "{ __typename }" }),
    }).catch(() => null);
    if (res?.ok) break;
    if (i > 300 || hive.exitCode !== null) throw new Error(`Hive Gateway did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  // The plant is created through Hive Gateway too: its mutations reach equipment with our token.
  plant = await createPlant(hiveUrl, ORG, "HIVE");
  productId = await createProduct(hiveUrl, plant, "HIVE-P", 1);
}, 180_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  hive?.kill("SIGTERM");
  await stack?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const client = (token: string) => {
  const c = wsClient(hiveUrl, token);
  clients.push(c);
  return c;
};

describe("behind Hive Gateway", () => {
  it("a query across subgraphs and a mutation with an Idempotency-Key carry the caller's token", async () => {
    const wo = await createWorkOrder(hiveUrl, productId, "WO-HIVE-Q", 2);
    const read = await mustQuery(hiveUrl, `query($id: ID!) { workOrder(id: $id) { number product { code } materialCost } plants { id } }`, {
      id: wo.id,
    });
    expect(read.workOrder).toEqual({ number: "WO-HIVE-Q", product: { code: "HIVE-P" }, materialCost: 0 });
    expect(read.plants.map((p: { id: string }) => p.id)).toContain(plant.plantId);

    const release = `mutation($id: ID!) { releaseWorkOrder(id: $id) { status } }`;
    const headers = { "idempotency-key": `hive-release-${wo.id}` };
    const first = await graphql(hiveUrl, release, { id: wo.id }, headers);
    const repeat = await graphql(hiveUrl, release, { id: wo.id }, headers);
    expect(first.data).toEqual({ releaseWorkOrder: { status: "RELEASED" } });
    // The repeat answers as the first did (the key reached production), not CONFLICT.
    expect(repeat.errors).toBeUndefined();
    expect(repeat.data).toEqual(first.data);
  });

  it("a subscription receives our event with fields of other subgraphs; another organization's token sees nothing of ours", async () => {
    const wo = await createWorkOrder(hiveUrl, productId, "WO-HIVE-S", 1);
    const before = stack.subgraphs.production.live.subscriberCount;
    const ours = await subscribe(
      client(await tokenFor({ organizationId: ORG })),
      `subscription($p: ID) { workOrderStatusChanged(plantId: $p) { cursor to workOrder { number materialCost } } }`,
      { p: plant.plantId },
    );
    const theirs = await subscribe(client(await tokenFor({ organizationId: OTHER_ORG })), `subscription { workOrderStatusChanged { cursor to } }`);
    await waitUntil(() => stack.subgraphs.production.live.subscriberCount >= before + 2, 15_000);

    await mustQuery(hiveUrl, `mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id: wo.id });
    const [event] = await ours.waitFor(1, 15_000);
    expect(ours.errors).toEqual([]);
    expect(event!.workOrderStatusChanged).toMatchObject({ to: "RELEASED", workOrder: { number: "WO-HIVE-S", materialCost: 0 } });

    await new Promise((r) => setTimeout(r, 1000));
    expect(theirs.events).toEqual([]);
    expect(theirs.errors).toEqual([]);
    // Their queries see none of our plants or orders either.
    const other = { authorization: `Bearer ${await tokenFor({ organizationId: OTHER_ORG })}` };
    const seen = await graphql(hiveUrl, `query($id: ID!) { workOrder(id: $id) { id } plants { id } }`, { id: wo.id }, other);
    expect(seen.data?.workOrder ?? null).toBeNull();
    expect(seen.data?.plants ?? []).not.toContainEqual({ id: plant.plantId });
    await ours.stop();
    await theirs.stop();
  });
});

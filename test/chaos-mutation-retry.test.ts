// Found by the chaos run: during a rolling restart a mutation sent on a keep-alive connection that
// the draining subgraph closes at that moment failed at the client. With an Idempotency-Key the
// gateway may send it once more (the subgraph applies a key once); without one it never does.
import { createHash } from "node:crypto";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSubgraph } from "@mes/shared";
import { dedupedFetch } from "../gateway/src/subgraph-fetch.ts";
import { createTestDatabases } from "./support/databases.ts";
import { graphql } from "./support/graphql.ts";
import { DEFINITIONS, silentLogger, testSubgraphConfig } from "./support/stack.ts";
import { actAs } from "./support/auth.ts";

const ORG = "c4a05000-0000-4000-8000-0000000000aa";
actAs({ organizationId: ORG });

let requests = 0;
let server: http.Server;
let url: string;

beforeAll(async () => {
  // The first request of each pair finds its connection closed under it, as during a restart.
  server = http.createServer((req, res) => {
    requests += 1;
    if (requests % 2 === 1) {
      req.socket.destroy();
      return;
    }
    res.setHeader("content-type", "application/json").end(JSON.stringify({ data: { ok: true } }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/graphql`;
});
afterAll(() => server.close());

const send = (fetcher: ReturnType<typeof dedupedFetch>, headers: Record<string, string>) =>
  fetcher(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ query: "mutation { ok }" }) });

describe("a mutation on a connection reset under it", () => {
  it("is sent once more when it carries an Idempotency-Key", async () => {
    requests = 0;
    const answer = await send(dedupedFetch(5000), { "idempotency-key": "k-1" });
    expect(await answer.json()).toEqual({ data: { ok: true } });
    expect(requests).toBe(2);
  });

  it("is never sent again without one", async () => {
    requests = 0;
    await expect(send(dedupedFetch(5000), {})).rejects.toThrow();
    expect(requests).toBe(1);
  });
});

describe("an Idempotency-Key whose first request died before its transaction (kill -9, PostgreSQL restart)", () => {
  it("is taken over by a retry once it is stale, instead of answering 'still running' forever", async () => {
    const dbs = await createTestDatabases(["inventory"]);
    const inventory = await startSubgraph(DEFINITIONS.inventory, testSubgraphConfig(dbs.urls.inventory), silentLogger());
    try {
      const query = `mutation($c: String!) { createMaterial(input: { code: $c, description: $c, unitOfMeasure: "EA" }) { code } }`;
      const variables = { c: "STALE-1" };
      // What the died request left behind: its key reserved, nothing applied, 40 s ago.
      const fingerprint = createHash("sha256")
        .update(JSON.stringify([query, null, variables]))
        .digest("hex");
      await inventory.pool.query(
        `INSERT INTO "IdempotencyKey" ("organizationId", actor, key, fingerprint, status, "createdAt") VALUES ($1, 'test.admin', 'k-stale', $2, 'pending', now() - interval '40 seconds')`,
        [ORG, fingerprint],
      );
      const retry = await graphql(inventory.url, query, variables, { "idempotency-key": "k-stale" });
      expect(retry.errors).toBeUndefined();
      expect(retry.data).toEqual({ createMaterial: { code: "STALE-1" } });
      const repeat = await graphql(inventory.url, query, variables, { "idempotency-key": "k-stale" });
      expect(repeat.data).toEqual(retry.data);
      const { rows } = await inventory.pool.query(`SELECT count(*)::int AS n FROM "Material" WHERE code = 'STALE-1'`);
      expect(rows).toEqual([{ n: 1 }]);
    } finally {
      await inventory.stop();
      await dbs.drop();
    }
  });
});

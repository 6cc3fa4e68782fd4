// Every bad input is answered with a client error that names what is wrong, the same way at the
// gateway and at the subgraph: strings no column can store, numbers beyond any column, dates that
// are not dates, documents that cannot run, cursors that are not cursors. Never a 500, never a write.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SUBGRAPHS } from "@mes/db";
import { startSubgraph } from "@mes/shared";
import { production } from "@mes/production";
import { gatewayEnv, startGateway } from "@mes/gateway";
import { createTestDatabases } from "./support/databases.ts";
import { graphql, type GraphQLResponse } from "./support/graphql.ts";
import { silentLogger, startTestStack, testSubgraphConfig, type TestStack } from "./support/stack.ts";
import { actAs, bearer, identityProviderKeys, TEST_AUTH_ENV, TEST_FEED_TOKEN } from "./support/auth.ts";
import { subscribe, waitUntil, wsClient } from "./support/ws-client.ts";
import { apiSchema } from "./support/schema-walk.ts";
import { operationOf, rootFieldOwners, rootFieldsOf, withValueAt, type Leaf } from "./support/input-values.ts";
import { adminPoolOf } from "./support/admin.ts";

const ORG = "7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
actAs({ organizationId: ORG });

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => stack?.stop());

const api = apiSchema();
const owners = rootFieldOwners();
const mutations = rootFieldsOf(api.getMutationType());
const queries = rootFieldsOf(api.getQueryType());

type Field = (typeof mutations)[number];
type Case = { name: string; url: string; query: string; variables?: Record<string, unknown>; field: string };

/** The same operation sent through the gateway and directly to the subgraph that owns the field. */
function atBothEnds(root: "query" | "mutation", f: Field, args: Record<string, unknown>, field: string, inline = false): Case[] {
  const owner = owners.get(`${root === "query" ? "Query" : "Mutation"}.${f.field.name}`)!;
  const op = operationOf(root, f.field, args, inline);
  return [
    { name: `gateway ${f.field.name} ${field}`, url: stack.gatewayUrl, ...op, field },
    { name: `${owner} ${f.field.name} ${field}`, url: stack.subgraphs[owner].url, ...op, field },
  ];
}

async function run(cases: Case[]): Promise<(Case & { res: GraphQLResponse<Record<string, unknown>> })[]> {
  const done: (Case & { res: GraphQLResponse<Record<string, unknown>> })[] = [];
  for (let i = 0; i < cases.length; i += 12) {
    const batch = cases.slice(i, i + 12);
    done.push(...(await Promise.all(batch.map(async (c) => ({ ...c, res: await graphql(c.url, c.query, c.variables) })))));
  }
  return done;
}

/** The answer is BAD_USER_INPUT naming `field` in extensions.fields; what else is wrong, listed. */
function problemsOf(c: Case & { res: GraphQLResponse<Record<string, unknown>> }, status?: number): string[] {
  const err = c.res.errors?.[0];
  const fields = (err?.extensions?.fields as { field: string }[] | undefined)?.map((f) => f.field) ?? [];
  const wrong: string[] = [];
  if (c.res.status >= 500 || (status && c.res.status !== status)) wrong.push(`HTTP ${c.res.status}`);
  if (err?.extensions?.code !== "BAD_USER_INPUT") wrong.push(`code ${err?.extensions?.code}: ${err?.message}`);
  else if (!fields.includes(c.field)) wrong.push(`fields ${JSON.stringify(fields)} do not name ${c.field}`);
  return wrong.length ? [`${c.name}: ${wrong.join("; ")}`] : [];
}

/** Rows in every subgraph's audit log and outbox: a refused input must leave both as they were. */
async function writes(): Promise<number> {
  let n = 0;
  for (const name of SUBGRAPHS) {
    const { rows } = await stack.subgraphs[name].pool.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM "AuditLog") + (SELECT count(*) FROM "OutboxEvent") AS n`,
    );
    n += Number(rows[0]!.n);
  }
  return n;
}

const pathOf = (leaf: Leaf) => leaf.path.join(".");
/** Per field, its most deeply nested leaf of these scalars (a string inside a list item, if any). */
const deepest = (fields: Field[], scalars: string[]) =>
  fields.flatMap((f) => {
    const leaf = f.leaves.filter((l) => scalars.includes(l.scalar)).sort((a, b) => b.path.length - a.path.length)[0];
    return leaf ? [{ f, leaf }] : [];
  });

describe("strings no column can store", () => {
  it("NUL or a lone surrogate in any mutation's most nested string: BAD_USER_INPUT naming it, at the gateway and the subgraph, nothing written", async () => {
    const targets = deepest(mutations, ["String", "ID"]);
    expect(targets.length).toBeGreaterThan(40);
    const before = await writes();
    const cases = targets.flatMap(({ f, leaf }) =>
      [`bad\u0000value`, `bad\uD800value`, `\uDC00`].flatMap((bad) => atBothEnds("mutation", f, withValueAt(f.args, leaf.path, bad), pathOf(leaf))),
    );
    // Written inline too (a lone surrogate cannot be: GraphQL's lexer already refuses it).
    cases.push(...targets.flatMap(({ f, leaf }) => atBothEnds("mutation", f, withValueAt(f.args, leaf.path, "x\u0000y"), pathOf(leaf), true)));
    const results = await run(cases);
    expect(results.flatMap((c) => problemsOf(c))).toEqual([]);
    expect(await writes()).toBe(before);
    // The gateway passes the subgraph's answer on unchanged.
    const [atGateway, atSubgraph] = results;
    expect(atGateway!.res.errors![0]!.message).toBe(atSubgraph!.res.errors![0]!.message);
    expect({ ...atGateway!.res.errors![0]!.extensions, serviceName: undefined }).toEqual({
      ...atSubgraph!.res.errors![0]!.extensions,
      serviceName: undefined,
    });
  });

  it("lists every offending path at once, and refuses a string over 100,000 characters", async () => {
    const { f, leaf } = deepest(mutations, ["String"]).find(({ leaf }) => leaf.path.length > 2)!;
    let args = withValueAt(f.args, leaf.path, "\u0000");
    const long = f.leaves.filter((l) => l.scalar === "String" && l !== leaf).slice(0, 2);
    expect(long.length).toBeGreaterThan(0);
    for (const s of long) args = withValueAt(args, s.path, "y".repeat(100_001));
    for (const c of await run(atBothEnds("mutation", f, args, pathOf(leaf)))) {
      const err = c.res.errors![0]!;
      expect(err.extensions!.code).toBe("BAD_USER_INPUT");
      expect(new Set((err.extensions!.fields as { field: string }[]).map((x) => x.field))).toEqual(new Set([leaf, ...long].map(pathOf)));
      expect(err.message).toContain("must be at most 100000 characters");
      expect(err.message).toContain("must not contain the NUL character");
    }
  });
});

describe("numbers beyond any column", () => {
  it("1e308 and 1e16 in any mutation's Float: BAD_USER_INPUT naming it, at the gateway and the subgraph, nothing written", async () => {
    const targets = deepest(mutations, ["Float"]);
    expect(targets.length).toBeGreaterThan(10);
    const before = await writes();
    const cases = targets.flatMap(({ f, leaf }) =>
      [1e308, -1e308, 1e16].flatMap((bad) => atBothEnds("mutation", f, withValueAt(f.args, leaf.path, bad), pathOf(leaf))),
    );
    cases.push(...targets.flatMap(({ f, leaf }) => atBothEnds("mutation", f, withValueAt(f.args, leaf.path, 1e308), pathOf(leaf), true)));
    expect((await run(cases)).flatMap((c) => problemsOf(c))).toEqual([]);
    expect(await writes()).toBe(before);
  });
});

describe("dates that are not dates", () => {
  const BAD_DATE_TIMES = ["2025-02-30T00:00:00Z", "2025-03-01", "2025-03-01T06:00:00", "yesterday", "0001-01-01T00:00:00Z", "2025-13-01T00:00:00Z"];
  const BAD_DATES = ["2025-02-30", "2025-3-1", "yesterday", "9999-12-31", "2025-03-01T00:00:00Z"];

  it("every DateTime and Date argument of every query and mutation: HTTP 400 and BAD_USER_INPUT naming it", async () => {
    const targets = [...mutations.map((f) => ({ root: "mutation" as const, f })), ...queries.map((f) => ({ root: "query" as const, f }))].flatMap(
      ({ root, f }) => f.leaves.filter((l) => l.scalar === "DateTime" || l.scalar === "Date").map((leaf) => ({ root, f, leaf })),
    );
    expect(targets.length).toBeGreaterThan(15);
    const before = await writes();
    const cases = targets.flatMap(({ root, f, leaf }) => {
      const bad = leaf.scalar === "Date" ? BAD_DATES : BAD_DATE_TIMES;
      return [
        ...bad.flatMap((value) => atBothEnds(root, f, withValueAt(f.args, leaf.path, value), pathOf(leaf))),
        ...atBothEnds(root, f, withValueAt(f.args, leaf.path, bad[0]), pathOf(leaf), true),
      ];
    });
    const results = await run(cases);
    expect(results.flatMap((c) => problemsOf(c, 400))).toEqual([]);
    expect(await writes()).toBe(before);
    const messages = results.map((c) => c.res.errors![0]!.message).join("\n");
    expect(messages).toContain("is not a calendar date");
    expect(messages).toContain("is a date without a time");
    expect(messages).toContain("has no time zone");
    expect(messages).toContain("outside the years 1900–2199");
  });
});

describe("documents that cannot run", () => {
  const post = (url: string, body: unknown) =>
    bearer({ organizationId: ORG }).then((auth) =>
      fetch(url, { method: "POST", headers: { "content-type": "application/json", ...auth }, body: JSON.stringify(body) }),
    );
  const urls = () => [stack.gatewayUrl, stack.subgraphs.production.url];

  it("answer HTTP 400 with a GraphQL error: several operations without operationName, an unknown operationName, a malformed document", async () => {
    const message = async (res: Response) => ((await res.json()) as GraphQLResponse<unknown>).errors![0]!.message;
    for (const url of urls()) {
      const anonymous = await post(url, { query: "query { products { totalCount } } query { workOrders { totalCount } }" });
      expect(anonymous.status).toBe(400);
      expect(await message(anonymous)).toBe("This anonymous operation must be the only defined operation.");
      const unnamed = await post(url, { query: "query A { products { totalCount } } query B { workOrders { totalCount } }" });
      expect(unnamed.status, url).toBe(400);
      expect(await message(unnamed)).toMatch(/operationName|operation name/i);
      const unknown = await post(url, { query: "query A { products { totalCount } } query B { workOrders { totalCount } }", operationName: "C" });
      expect(unknown.status).toBe(400);
      expect(await message(unknown)).toMatch(/"C"/);
      const malformed = await post(url, { query: "mutation { createProduct(input: { code: " });
      expect(malformed.status).toBe(400);
      expect(((await malformed.json()) as GraphQLResponse<unknown>).errors![0]!.extensions!.code).toBe("GRAPHQL_PARSE_FAILED");
    }
    // With an operationName, the same document runs.
    const ok = await post(stack.gatewayUrl, {
      query: "query A { products { totalCount } } query B { workOrders { totalCount } }",
      operationName: "B",
    });
    expect(ok.status).toBe(200);
  });

  it("answer a variable of the wrong type with HTTP 400 naming the variable and the problem", async () => {
    for (const url of urls()) {
      const res = await graphql(url, `query($limit: Int) { products(limit: $limit) { totalCount } }`, { limit: "ten" });
      expect(res.status).toBe(400);
      expect(res.errors![0]!.extensions!.code).toBe("BAD_USER_INPUT");
      expect(res.errors![0]!.message).toMatch(/^Variable "\$limit" got invalid value "ten"; Int cannot represent non-integer value/);
      expect(res.errors![0]!.extensions!.fields).toEqual([{ field: "limit", message: expect.stringContaining("Int cannot represent") }]);
    }
  });
});

describe("a subgraph's own answers, through the gateway", () => {
  it("pass on a 4xx answer with GraphQL errors as those errors (code, message, fields); any other failure stays generic", async () => {
    // A stand-in for the quality subgraph that answers as a spec-following server refusing a request.
    let answer: { status: number; type: string; body: string } = { status: 200, type: "application/json", body: "{}" };
    const standIn = http.createServer((req, res) =>
      req.resume().on("end", () => res.writeHead(answer.status, { "content-type": answer.type }).end(answer.body)),
    );
    await new Promise<void>((r) => standIn.listen(0, "127.0.0.1", r));
    const gateway = await startGateway(
      {
        ...gatewayEnv.parse({
          ...TEST_AUTH_ENV,
          NODE_ENV: "test",
          PORT: "4000",
          QUALITY_URL: `http://127.0.0.1:${(standIn.address() as { port: number }).port}/graphql`,
        }),
        PORT: 0,
      },
      silentLogger(),
    );
    try {
      const refused = {
        message: 'Variable "$a" got invalid value "x"; not a plant',
        extensions: { code: "BAD_USER_INPUT", fields: [{ field: "plantId", message: "not a plant" }] },
      };
      for (const status of [400, 401, 422]) {
        answer = { status, type: "application/json; charset=utf-8", body: JSON.stringify({ errors: [refused] }) };
        const res = await graphql(gateway.url, `{ ncrs { totalCount } }`);
        expect(res.errors, String(status)).toEqual([{ ...refused, extensions: { ...refused.extensions, serviceName: "quality" } }]);
      }
      answer = { status: 502, type: "text/html", body: "<html>Bad gateway at 10.0.0.7</html>" };
      const broken = await graphql(gateway.url, `{ ncrs { totalCount } }`);
      expect(broken.errors![0]!.extensions).toEqual({ code: "INTERNAL_SERVER_ERROR" });
      expect(JSON.stringify(broken.errors)).not.toMatch(/10\.0\.0\.7|502|html/);
    } finally {
      await gateway.stop();
      standIn.close();
    }
  });
});

describe("cursors that are not cursors", () => {
  const feed = (after: string) =>
    fetch(stack.subgraphs.quality.url.replace(/graphql$/, `events?after=${encodeURIComponent(after)}`), {
      headers: { authorization: `Bearer ${TEST_FEED_TOKEN}` },
    });

  it("GET /events answers 400 with a JSON error for a cursor beyond bigint, negative or not digits", async () => {
    for (const after of ["9999999999999999999", "18446744073709551616", "-1", "abc", "1e3", "12\u0000"]) {
      const res = await feed(after);
      expect(res.status, after).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/after must be an event id/);
    }
    expect((await feed("9223372036854775807")).status).toBe(200);
  });

  it("a subscription's after refused with BAD_USER_INPUT at the subgraph and through the gateway, its upstream closed", async () => {
    const query = `subscription($a: ID) { workOrderStatusChanged(after: $a) { cursor } }`;
    for (const url of [stack.subgraphs.production.url, stack.gatewayUrl]) {
      const client = wsClient(url);
      for (const after of ["9999999999999999999", "yesterday", "literal"]) {
        // Written inline, a cursor of digits reaches the subgraph as an Int literal: refused the same.
        const sub =
          after === "literal"
            ? await subscribe(client, `subscription { workOrderStatusChanged(after: "99999999999999999999") { cursor } }`)
            : await subscribe(client, query, { a: after });
        await waitUntil(() => sub.errors.length > 0);
        const [err] = sub.errors as { message: string; extensions?: { code?: string } }[];
        expect(err!.extensions?.code, `${url} ${after}`).toBe("BAD_USER_INPUT");
        expect(err!.message).toContain("after must be the cursor of an earlier event");
        await sub.stop();
      }
      await client.dispose();
    }
    // Refused once, not resubscribed for ever.
    const counters = async () => (await (await fetch(stack.gatewayUrl.replace(/graphql$/, "subscriptions"))).json()) as Record<string, number>;
    await new Promise((r) => setTimeout(r, 300));
    const { upstreams, upstreamReconnects } = await counters();
    expect({ upstreams, upstreamReconnects }).toEqual({ upstreams: 0, upstreamReconnects: 0 });
  });
});

describe("answers outside development", () => {
  const INTERNALS = /stack|\/work\/|node_modules|\.ts\b|SELECT|relation|ProductGone|prisma/i;
  const CREATE = `mutation($i: CreateProductInput!) { createProduct(input: $i) { id } }`;
  const product = (name: string) => ({ plantId: "00000000-0000-4000-8000-00000000abcd", code: "C", name, routing: [], billOfMaterials: [] });

  it("in production an internal error is generic and bare, while BAD_USER_INPUT passes through the gateway intact", async () => {
    const dbs = await createTestDatabases(["production"]);
    // Production refuses HS256 secrets: the services verify an identity provider's ES256 key.
    const idp = await identityProviderKeys();
    const subgraph = await startSubgraph(
      production,
      testSubgraphConfig(dbs.urls.production, {
        NODE_ENV: "production",
        AUTH_DEV_SECRET: undefined,
        AUTH_ISSUER: undefined,
        AUTH_PUBLIC_KEY: idp.publicKeyPem,
      }),
      silentLogger(),
    );
    const gatewayConfig = gatewayEnv.parse({ NODE_ENV: "production", PORT: "4000", AUTH_PUBLIC_KEY: idp.publicKeyPem, PRODUCTION_URL: subgraph.url });
    const gateway = await startGateway({ ...gatewayConfig, PORT: 0 }, silentLogger());
    try {
      const auth = { authorization: `Bearer ${await idp.sign({ sub: "admin", org: ORG, plants: "*", roles: ["ADMIN"] })}` };
      for (const variables of [{ i: product("a\u0000b") }, { i: { ...product("ok"), code: " " } }]) {
        const [direct, through] = [await graphql(subgraph.url, CREATE, variables, auth), await graphql(gateway.url, CREATE, variables, auth)];
        expect(direct.errors![0]!.extensions!.code).toBe("BAD_USER_INPUT");
        expect(through.errors![0]!.message).toBe(direct.errors![0]!.message);
        expect(through.errors![0]!.extensions!.fields).toEqual(direct.errors![0]!.extensions!.fields);
      }
      const date = await graphql(
        gateway.url,
        `query($f: DateTime!, $t: DateTime!) { productionKpis(plantId: "x", from: $f, to: $t) { completedWorkOrders } }`,
        { f: "2025-02-30T00:00:00Z", t: "2025-03-01T00:00:00Z" },
        auth,
      );
      expect(date.status).toBe(400);
      expect(date.errors![0]!.extensions).toEqual({
        code: "BAD_USER_INPUT",
        fields: [{ field: "from", message: '"2025-02-30T00:00:00Z" is not a calendar date' }],
      });

      await adminPoolOf(subgraph.pool).query(`ALTER TABLE "Product" RENAME TO "ProductGone"`);
      for (const url of [subgraph.url, gateway.url]) {
        const res = await graphql(url, `{ products { totalCount } }`, {}, auth);
        expect(res.errors![0]!.extensions).toEqual({ code: "INTERNAL_SERVER_ERROR" });
        expect(res.errors![0]!.message).toBe("Internal server error; the request id in the response header x-request-id finds it in the logs");
        expect(JSON.stringify(res.errors)).not.toMatch(INTERNALS);
      }
    } finally {
      await gateway.stop();
      await subgraph.stop();
      await dbs.drop();
    }
  });

  it("in development, stack traces and internal messages only with DEBUG_ERRORS=true", async () => {
    const dbs = await createTestDatabases(["production"]);
    try {
      for (const debug of [undefined, false, true]) {
        const subgraph = await startSubgraph(
          production,
          testSubgraphConfig(dbs.urls.production, { NODE_ENV: "development", DEBUG_ERRORS: debug }),
          silentLogger(),
        );
        try {
          if (debug === undefined) await adminPoolOf(subgraph.pool).query(`ALTER TABLE "Product" RENAME TO "ProductGone"`);
          const internal = await graphql(subgraph.url, `{ products { totalCount } }`);
          const input = await graphql(subgraph.url, CREATE, { i: product("a\u0000b") });
          expect(input.errors![0]!.extensions!.code).toBe("BAD_USER_INPUT");
          if (debug) {
            expect(internal.errors![0]!.extensions!.stacktrace).toBeDefined();
            expect(internal.errors![0]!.message).toMatch(/ProductGone|does not exist/);
          } else {
            expect(JSON.stringify([internal.errors, input.errors]), String(debug)).not.toMatch(INTERNALS);
          }
        } finally {
          await subgraph.stop();
        }
      }
    } finally {
      await dbs.drop();
    }
  });
});

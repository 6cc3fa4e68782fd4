import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, ROLES, createTokenVerifier, loadConfig } from "@mes/shared";
import { gatewayEnv } from "@mes/gateway";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { graphql, mustQuery } from "./support/graphql.ts";
import { TEST_AUTH_SECRET, actAs, bearer, identityProviderKeys, tokenFor } from "./support/auth.ts";
import { createPlant, createProduct, createWorkOrder, type PlantFixture } from "./support/fixtures.ts";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { subscribe, wsClient } from "./support/ws-client.ts";
import { apiSchema, callOf, selectionOf } from "./support/schema-walk.ts";
import { readPermissionTable } from "./support/permissions.ts";

const ORG = "5ec0e5ec-0000-4000-8000-000000000001";
actAs({ organizationId: ORG });
const ORIGIN = "https://mes.example.com";

let stack: TestStack;
let url: string;
let plant: PlantFixture;
const schema = apiSchema();
const mutations = Object.values(schema.getMutationType()!.getFields());
const mutationText = (f: (typeof mutations)[number]) => `mutation { ${callOf(f)} ${selectionOf(f.type, 0)} }`;

beforeAll(async () => {
  stack = await startTestStack({ gatewayEnv: { CORS_ORIGINS: ORIGIN } });
  url = stack.gatewayUrl;
  plant = await createPlant(url, ORG, "SEC", 1);
});
afterAll(async () => stack?.stop());

/** Roles allowed per mutation, as the running subgraphs enforce them. */
const enforced = () => new Map(Object.values(stack.subgraphs).flatMap((s) => [...s.permissions].filter(([k]) => k.startsWith("Mutation."))));

describe("authentication", () => {
  it("refuses every mutation and query without a token, with 401 UNAUTHENTICATED", async () => {
    expect(mutations.length).toBeGreaterThan(50);
    for (const field of mutations) {
      const res = await graphql(url, mutationText(field), {}, { authorization: "" });
      expect(res.status, field.name).toBe(401);
      expect(res.errors?.[0]?.extensions?.code, field.name).toBe("UNAUTHENTICATED");
    }
    const query = await graphql(url, `{ plants { id } }`, {}, { authorization: "" });
    expect(query.status).toBe(401);
    expect(query.errors![0]!.message).toBe("Authentication is required: send Authorization: Bearer <token>");
  });

  it("refuses expired, forged and malformed tokens with a reason", async () => {
    const expired = await graphql(url, `{ plants { id } }`, {}, await bearer({ organizationId: ORG, ttlSeconds: -60 }));
    expect(expired.errors![0]).toMatchObject({ message: "The token has expired; sign in again", extensions: { code: "UNAUTHENTICATED" } });
    const idp = await identityProviderKeys(); // a key this graph does not trust
    const forged = await graphql(
      url,
      `{ plants { id } }`,
      {},
      { authorization: `Bearer ${await idp.sign({ sub: "x", org: ORG, plants: "*", roles: ["ADMIN"] })}` },
    );
    expect(forged.errors![0]!.extensions!.code).toBe("UNAUTHENTICATED");
    const garbage = await graphql(url, `{ plants { id } }`, {}, { authorization: "Bearer not.a.token" });
    expect(garbage.errors![0]!.extensions!.code).toBe("UNAUTHENTICATED");
  });

  it("refuses tokens that never expire, are issued in the future or live longer than the maximum lifetime", async () => {
    const { SignJWT } = await import("jose");
    const now = Math.floor(Date.now() / 1000);
    const sign = (times: { iat?: number; exp?: number; nbf?: number }) => {
      let jwt = new SignJWT({ org: ORG, plants: "*", roles: ["ADMIN"], ...times })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject("x")
        .setIssuer("mes-test");
      if (times.iat === undefined) jwt = jwt.setIssuedAt(now);
      return jwt.sign(new TextEncoder().encode(TEST_AUTH_SECRET));
    };
    const cases: [string, { iat?: number; exp?: number; nbf?: number }, RegExp][] = [
      ["no exp", {}, /missing required "exp" claim/],
      ["exp in the year 2100", { exp: 4_102_444_800 }, /lives longer than the 24 hours allowed/],
      ["iat an hour in the future", { iat: now + 3600, exp: now + 7200 }, /"iat" claim timestamp check failed \(it should be in the past\)/],
      ["issued two days ago", { iat: now - 2 * 86400, exp: now + 3600 }, /expired|too far in the past|lives longer/],
      ["not valid before tomorrow", { nbf: now + 86400, exp: now + 7200 }, /"nbf" claim timestamp check failed/],
    ];
    for (const [name, times, reason] of cases) {
      const res = await graphql(url, `{ plants { id } }`, {}, { authorization: `Bearer ${await sign(times)}` });
      expect(res.status, name).toBe(401);
      expect(res.errors?.[0]?.extensions?.code, name).toBe("UNAUTHENTICATED");
      expect(res.errors?.[0]?.message, name).toMatch(reason);
    }
    // Within the skew (60 s by default) a slightly fast identity-provider clock is fine.
    const ok = await graphql(url, `{ plants { id } }`, {}, { authorization: `Bearer ${await sign({ iat: now + 30, exp: now + 3600 })}` });
    expect(ok.errors).toBeUndefined();
  });

  it("refuses a direct subgraph call without a valid identity: _entities, queries, subscriptions and the event feed", async () => {
    for (const [name, sg] of Object.entries(stack.subgraphs)) {
      const entities = await graphql(
        sg.url,
        `query($r: [_Any!]!) { _entities(representations: $r) { __typename } }`,
        { r: [{ __typename: "Plant", id: plant.plantId }] },
        { authorization: "" },
      );
      expect(entities.status, name).toBe(401);
      expect(entities.errors![0]!.extensions!.code, name).toBe("UNAUTHENTICATED");
      const sdl = await graphql(sg.url, `{ _service { sdl } }`, {}, { authorization: "Bearer forged.token.value" });
      expect(sdl.errors![0]!.extensions!.code, name).toBe("UNAUTHENTICATED");
      const feed = await fetch(sg.url.replace(/graphql$/, "events?after=0"));
      expect(feed.status, name).toBe(401);
    }
    const client = wsClient(stack.subgraphs.production.url, "");
    const sub = await subscribe(client, `subscription { workOrderStatusChanged { cursor } }`);
    await expect.poll(() => sub.errors.length).toBeGreaterThan(0);
    expect(sub.errors[0]).toMatchObject({ extensions: { code: "UNAUTHENTICATED" } });
    await client.dispose();
    const viaGateway = wsClient(url, "");
    const gwSub = await subscribe(viaGateway, `subscription { workOrderStatusChanged { cursor } }`);
    await expect.poll(() => gwSub.errors.length).toBeGreaterThan(0);
    expect(gwSub.errors[0]).toMatchObject({ extensions: { code: "UNAUTHENTICATED" } });
    await viaGateway.dispose();
  });

  it("closes a subscription's socket when its token expires, so the tablet signs in again and resumes", async () => {
    const client = wsClient(url, await tokenFor({ organizationId: ORG, roles: ["VIEWER"], ttlSeconds: 2 }));
    const sub = await subscribe(client, `subscription { workOrderStatusChanged { cursor } }`);
    await expect.poll(() => sub.errors.length, { timeout: 6000 }).toBeGreaterThan(0);
    expect(sub.errors[0]).toMatchObject({ code: 4403, reason: expect.stringMatching(/^Token expired/) });
    await client.dispose();
  });

  it("closes an expired connection with a code the stock graphql-ws client retries, asking for a fresh token", async () => {
    let connections = 0;
    const client = createClient({
      url: url.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      retryAttempts: 5,
      retryWait: () => new Promise((r) => setTimeout(r, 50)),
      connectionParams: async () => {
        connections += 1;
        // The first token expires in 2 s; the one the client fetches on reconnecting lasts.
        return { authorization: `Bearer ${await tokenFor({ organizationId: ORG, roles: ["VIEWER"], ttlSeconds: connections === 1 ? 2 : 3600 })}` };
      },
    });
    const sub = await subscribe(client, `subscription($p: ID) { workOrderStatusChanged(plantId: $p) { to } }`, { p: plant.plantId });
    await expect.poll(() => connections, { timeout: 8000 }).toBe(2);
    await new Promise((r) => setTimeout(r, 500)); // the client subscribes again on the new connection
    const productId = await createProduct(url, plant, "SEC-RENEW", 1);
    const wo = await createWorkOrder(url, productId, "WO-SEC-RENEW", 1);
    await mustQuery(url, `mutation($id: ID!) { releaseWorkOrder(id: $id) { status } }`, { id: wo.id });
    expect(await sub.waitFor(1)).toEqual([{ workOrderStatusChanged: { to: "RELEASED" } }]);
    expect(sub.errors).toEqual([]);
    await client.dispose();
  });

  it("takes a subscription's token from the operation's headers too, as GraphiQL sends it", async () => {
    const client = wsClient(url, "");
    const events: unknown[] = [];
    const errors: unknown[] = [];
    const stop = client.subscribe(
      {
        query: `subscription { workOrderStatusChanged { cursor } }`,
        extensions: { headers: await bearer({ organizationId: ORG, roles: ["VIEWER"] }) },
      },
      { next: (v) => (v.errors ? errors.push(...v.errors) : events.push(v)), error: (e) => errors.push(e), complete: () => {} },
    );
    const productId = await createProduct(url, plant, "SEC-IDE", 1);
    const wo = await createWorkOrder(url, productId, "WO-SEC-IDE", 1);
    await expect
      .poll(
        async () => {
          if (!events.length) await graphql(url, `mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id: wo.id });
          return events.length;
        },
        { timeout: 5000 },
      )
      .toBeGreaterThan(0);
    expect(errors).toEqual([]);
    stop();
    await client.dispose();
  });

  it("verifies identity-provider tokens by JWKS URL or public key, and refuses HS256 secrets in production", async () => {
    const idp = await identityProviderKeys();
    const jwks = http.createServer((_req, res) => res.setHeader("content-type", "application/json").end(JSON.stringify({ keys: [idp.publicJwk] })));
    await new Promise<void>((r) => jwks.listen(0, "127.0.0.1", r));
    try {
      const jwksUrl = `http://127.0.0.1:${(jwks.address() as { port: number }).port}/.well-known/jwks.json`;
      for (const verify of [
        createTokenVerifier({ NODE_ENV: "production", AUTH_JWKS_URL: jwksUrl, AUTH_ISSUER: "https://idp.test" }),
        createTokenVerifier({ NODE_ENV: "production", AUTH_PUBLIC_KEY: idp.publicKeyPem, AUTH_ISSUER: "https://idp.test" }),
      ]) {
        const identity = await verify(await idp.sign({ sub: "op.olga", org: ORG, plants: [plant.plantId], roles: ["operator"] }));
        expect(identity).toMatchObject({ userId: "op.olga", organizationId: ORG, plantIds: [plant.plantId], roles: ["OPERATOR"] });
        await expect(verify(await idp.sign({ sub: "x", org: ORG, plants: "*", roles: ["ADMIN"] }, { issuer: "https://evil.test" }))).rejects.toThrow(
          /not accepted/,
        );
        await expect(verify(await idp.sign({ sub: "x", org: ORG, plants: "*", roles: ["JANITOR"] }))).rejects.toThrow(/roles must be among/);
        await expect(verify(await tokenFor({ organizationId: ORG }))).rejects.toThrow(/not valid/); // HS256: not this key
      }
    } finally {
      jwks.close();
    }
    expect(() => loadConfig("gateway", gatewayEnv, { NODE_ENV: "production", AUTH_DEV_SECRET: TEST_AUTH_SECRET })).toThrow(ConfigError);
    expect(() => loadConfig("gateway", gatewayEnv, { NODE_ENV: "production", AUTH_DEV_SECRET: TEST_AUTH_SECRET })).toThrow(
      /HS256 shared secrets are refused in production/,
    );
    expect(() => loadConfig("gateway", gatewayEnv, { NODE_ENV: "development" })).toThrow(/one is required to verify tokens/);
  });
});

describe("roles", () => {
  it("refuse every mutation to each role it does not allow, and VIEWER to all", async () => {
    const table = enforced();
    expect(table.size).toBe(mutations.length);
    const denials: string[] = [];
    for (const field of mutations) {
      const allowed = table.get(`Mutation.${field.name}`)!;
      expect(allowed, field.name).toBeDefined();
      expect(allowed).not.toContain("VIEWER");
      for (const role of ROLES.filter((r) => !allowed.includes(r))) {
        const res = await graphql(url, mutationText(field), {}, await bearer({ organizationId: ORG, roles: [role] }));
        if (res.errors?.[0]?.extensions?.code !== "FORBIDDEN") denials.push(`${field.name} as ${role}: ${JSON.stringify(res.errors ?? res.data)}`);
      }
    }
    expect(denials).toEqual([]);
  });

  it("are the ones the README's permission table lists", () => {
    const documented = readPermissionTable();
    const actual = Object.fromEntries([...enforced()].map(([k, v]) => [k.slice("Mutation.".length), [...v].sort()]));
    expect(documented).toEqual(actual);
  });

  it("let an operator act in their own plant only", async () => {
    const other = await createPlant(url, ORG, "SEC2", 1);
    const productId = await createProduct(url, plant, "SEC-P", 1);
    const otherProduct = await createProduct(url, other, "SEC-P2", 1);
    const mine = await createWorkOrder(url, productId, "WO-SEC-1", 1);
    const theirs = await createWorkOrder(url, otherProduct, "WO-SEC-2", 1);
    await mustQuery(url, `mutation($a: ID!, $b: ID!) { a: releaseWorkOrder(id: $a) { id } b: releaseWorkOrder(id: $b) { id } }`, {
      a: mine.id,
      b: theirs.id,
    });
    const operator = await bearer({ userId: "op.otto", organizationId: ORG, plantIds: [plant.plantId], roles: ["OPERATOR"] });
    const start = `mutation($id: ID!) { startOperation(id: $id) { status } }`;
    expect((await mustQuery(url, start, { id: mine.operations[0] }, operator)).startOperation.status).toBe("IN_PROGRESS");
    const refused = await graphql(url, start, { id: theirs.operations[0] }, operator);
    expect(refused.errors![0]!.extensions!.code).toBe("NOT_FOUND");
    const created = await graphql(
      url,
      `mutation($p: ID!) { createLocation(input: { plantId: $p, code: "X", name: "X" }) { id } }`,
      { p: other.plantId },
      await bearer({ organizationId: ORG, plantIds: [plant.plantId], roles: ["PLANNER"] }),
    );
    expect(created.errors![0]).toMatchObject({ message: `You may not act in plant ${other.plantId}`, extensions: { code: "FORBIDDEN" } });
  });
});

describe("hardening", () => {
  it("counts lists by their length: a nested list query within the depth limit is refused before any subgraph works, at the gateway and at a subgraph", async () => {
    // 13 levels, under the depth limit of 15: plants x machines x machines x ... multiplies.
    const nested = `{ plants { machines { plant { machines { plant { machines { plant { machines { plant { machines { plant { machines { id } } } } } } } } } } } } }`;
    for (const target of [url, stack.subgraphs.equipment.url]) {
      // The fastest of five tries: what the refusal costs, not what a busy test machine adds to it.
      let ms = Number.POSITIVE_INFINITY;
      let res = await graphql(target, nested);
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        res = await graphql(target, nested);
        ms = Math.min(ms, performance.now() - started);
      }
      expect(res.status, target).toBe(400);
      expect(res.errors?.[0]?.extensions?.code, target).toBe("GRAPHQL_VALIDATION_FAILED");
      expect(res.errors?.[0]?.message, target).toMatch(/would resolve about .* fields \(lists counted by their length\), more than the \d+ allowed/);
      expect(ms, target).toBeLessThan(100);
    }
    // A page asks for what its limit says: 100 orders with their operations stay allowed.
    const page = await graphql(url, `{ workOrders(limit: 100) { items { number operations { sequence machine { code } } } } }`);
    expect(page.errors).toBeUndefined();
  });

  it("refuses a query 50 levels deep, too many aliases or tokens, and a 1 MB body, with clear errors", async () => {
    const deep = `{ plants ${"{ workCenters ".repeat(1)}{ machines { workCenter ${"{ machines { workCenter ".repeat(23)}{ id }${" } }".repeat(23)} } } } }`;
    const depth = await graphql(url, deep);
    expect(depth.status).toBe(400);
    expect(depth.errors![0]!.message).toMatch(/Query depth limit of 15 exceeded/);
    const aliases = await graphql(url, `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: plants { id }`).join(" ")} }`);
    expect(aliases.errors![0]!.message).toMatch(/Aliases limit of 30 exceeded/);
    const tokens = await graphql(url, `{ plants { ${"id ".repeat(6000)} } }`);
    expect(tokens.errors![0]!.message).toMatch(/Document contains more th[ae][nt] 5000 tokens/);
    const big = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(await bearer({ organizationId: ORG })) },
      body: JSON.stringify({ query: "{ plants { id } }", variables: { pad: "x".repeat(1024 * 1024) } }),
    });
    expect(big.status).toBe(413);
    expect((await big.json()).errors[0].message).toBe("Request body is larger than the limit of 1mb");
  });

  it("answers browsers from configured origins only, and refuses simple cross-site requests (CSRF)", async () => {
    const preflight = (origin: string) =>
      fetch(url, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type,authorization" },
      });
    expect((await preflight(ORIGIN)).headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect((await preflight("https://evil.example")).headers.get("access-control-allow-origin")).toBeNull();
    const csrf = await fetch(`${url}?query=${encodeURIComponent("{ plants { id } }")}`, { headers: { ...(await bearer({ organizationId: ORG })) } });
    expect(csrf.status).toBe(400);
    expect(await csrf.text()).toMatch(/CSRF/);
  });
});

describe("audit trail", () => {
  it("records who changed what with the values before and after, in the owning subgraph, for administrators only", async () => {
    const productId = await createProduct(url, plant, "AUD-P", 1);
    const wo = await createWorkOrder(url, productId, "WO-AUD-1", 5);
    await graphql(
      url,
      `mutation($id: ID!) { releaseWorkOrder(id: $id, reason: "staged") { id } }`,
      { id: wo.id },
      await bearer({ userId: "planner.pia", organizationId: ORG, roles: ["PLANNER"] }),
    );
    const { createMaterial: m } = await mustQuery(
      url,
      `mutation { createMaterial(input: { code: "AUD-M", description: "m", unitOfMeasure: "EA" }) { id } }`,
    );
    const log = await mustQuery(
      url,
      `query($id: ID!, $m: ID!) {
      productionAuditLog(entity: "WorkOrder", entityId: $id) { items { actor operation action before after } }
      inventoryAuditLog(entity: "Material", entityId: $m) { items { actor operation action before after } } }`,
      { id: wo.id, m: m.id },
    );
    const [release, create] = log.productionAuditLog.items;
    expect(create).toMatchObject({
      actor: "test.admin",
      operation: "createWorkOrder",
      action: "INSERT",
      before: null,
      after: { number: "WO-AUD-1", status: "PLANNED" },
    });
    expect(release).toMatchObject({
      actor: "planner.pia",
      operation: "releaseWorkOrder",
      action: "UPDATE",
      before: { status: "PLANNED" },
      after: { status: "RELEASED" },
    });
    expect(log.inventoryAuditLog.items).toEqual([
      expect.objectContaining({ actor: "test.admin", operation: "createMaterial", action: "INSERT", before: null }),
    ]);
    expect(log.inventoryAuditLog.items[0].after).toMatchObject({ code: "AUD-M", organizationId: ORG });
    const planner = await graphql(url, `{ productionAuditLog { totalCount } }`, {}, await bearer({ organizationId: ORG, roles: ["PLANNER"] }));
    expect(planner.errors![0]!.extensions!.code).toBe("FORBIDDEN");
    const otherOrg = await mustQuery(
      url,
      `{ productionAuditLog { totalCount } }`,
      {},
      await bearer({ organizationId: "5ec0e5ec-0000-4000-8000-000000000002" }),
    );
    expect(otherOrg.productionAuditLog.totalCount).toBe(0);
  });

  it("covers every domain table of every subgraph", async () => {
    for (const [name, sg] of Object.entries(stack.subgraphs)) {
      const { rows } = await sg.pool.query(`SELECT t.tablename FROM pg_tables t WHERE t.schemaname = current_schema()
          AND t.tablename NOT IN ('AuditLog', 'OutboxEvent', 'EventCursor', 'OutboxWatermark', 'IdempotencyKey', 'ReferenceEntity', '_prisma_migrations')
          AND NOT EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = format('%I', t.tablename)::regclass AND g.tgname = 'mes_audit')`);
      expect(
        rows.map((r) => r.tablename),
        name,
      ).toEqual([]);
    }
  });

  it("gives every audit entry the tenant of its row: tables without a plant name their parent, so entries of child rows carry a plant", async () => {
    // Organization-wide tables have no plant by design; every other table has plantId or a parent.
    const ORGANIZATION_WIDE = new Set(["Material", "DowntimeReason", "Plant"]);
    for (const [name, sg] of Object.entries(stack.subgraphs)) {
      const { rows } = await sg.pool.query(`SELECT c.relname AS table, g.tgnargs AS args FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
          WHERE g.tgname = 'mes_audit' AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'plantId' AND NOT a.attisdropped)`);
      const unattributed = rows.filter((r) => r.args !== 2 && !ORGANIZATION_WIDE.has(r.table)).map((r) => r.table);
      expect(unattributed, `${name}: audit entries of these tables would have no plant`).toEqual([]);
    }
    // A crew's members (a child table) are audited in the crew's plant, invisible to another plant's administrator.
    const other = await createPlant(url, ORG, "SEC-AUD-B", 0);
    const crew = await mustQuery(
      url,
      `mutation($p: ID!) { createCrew(input: { plantId: $p, name: "Audit crew", members: [{ personId: "p-1", displayName: "Pat", role: "Operator" }] }) { id } }`,
      { p: plant.plantId },
    );
    const q = `{ shiftsAuditLog(entity: "CrewMember") { items { entityId after } } }`;
    expect(crew.createCrew.id).toBeDefined();
    const own = await mustQuery(url, q, {}, await bearer({ organizationId: ORG, plantIds: [plant.plantId] }));
    expect(own.shiftsAuditLog.items.length).toBeGreaterThan(0);
    const { rows: entries } = await stack.subgraphs.shifts.pool.query(`SELECT DISTINCT "plantId" FROM "AuditLog" WHERE entity = 'CrewMember'`);
    expect(entries).toEqual([{ plantId: plant.plantId }]);
    const foreign = await mustQuery(url, q, {}, await bearer({ organizationId: ORG, plantIds: [other.plantId] }));
    expect(foreign.shiftsAuditLog.items).toEqual([]);
  });

  it("attributes each change to the request that made it, also when requests wait for a pooled connection", async () => {
    // 24 concurrent creates by two users on a pool of 5 connections: each row's audit entry names its own user.
    const users = ["ana.lyst", "bo.planner"];
    const headers = await Promise.all(users.map((u) => bearer({ userId: u, organizationId: ORG, roles: ["PLANNER"] })));
    const made = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        mustQuery(
          url,
          `mutation($c: String!) { createMaterial(input: { code: $c, description: "concurrency", unitOfMeasure: "EA" }) { id code } }`,
          { c: `AUD-C-${users[i % 2]}-${i}` },
          headers[i % 2]!,
        ),
      ),
    );
    const { rows } = await stack.subgraphs.inventory.pool.query(
      `SELECT "entityId", actor, operation FROM "AuditLog" WHERE entity = 'Material' AND "entityId" = ANY($1)`,
      [made.map((m) => m.createMaterial.id)],
    );
    expect(rows).toHaveLength(24);
    for (const row of rows) {
      const code = made.find((m) => m.createMaterial.id === row.entityId)!.createMaterial.code as string;
      expect(row.actor, code).toBe(users.find((u) => code.includes(u)));
      expect(row.operation).toBe("createMaterial");
    }
  });

  it("writes nothing when the mutation fails", async () => {
    const before = (await mustQuery(url, `{ inventoryAuditLog { totalCount } }`)).inventoryAuditLog.totalCount;
    const res = await graphql(
      url,
      `mutation($p: ID!) { receiveStock(input: { materialId: "${"0".repeat(8)}-0000-4000-8000-000000000000", locationId: $p, quantity: 5, unitCost: 1, lotNumber: "L" }) { id } }`,
      { p: plant.plantId },
    );
    expect(res.errors).toBeDefined();
    expect((await mustQuery(url, `{ inventoryAuditLog { totalCount } }`)).inventoryAuditLog.totalCount).toBe(before);
  });
});

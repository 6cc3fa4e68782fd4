// Tenant isolation, derived from the schema: every query field, mutation, entity type (through
// `_entities`, straight at its subgraph) and subscription is tried by a caller of another
// organization and by a caller of another plant of the same organization, against the demo
// plant LAK. A field added without isolation is tried the same way, and fails here.
import { graphqlSchemaPath } from "@mes/db";
import path from "node:path";
import fs from "node:fs";
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getNamedType, type GraphQLField, type GraphQLSchema } from "graphql";
import { buildDemoData, requestQueries, startSubgraph, type RunningSubgraph } from "@mes/shared";
import { production } from "@mes/production";
import { startTestStack, silentLogger, testSubgraphConfig, type TestStack } from "./support/stack.ts";
import { bearer, tokenFor } from "./support/auth.ts";
import { apiSchema, callOf, selectionOf, SOME_UUID } from "./support/schema-walk.ts";
import { harvest, introspect, leaksOf, stringsOf, typeOfIdName, view } from "./support/tenancy-probe.ts";
import { subscribe, wsClient } from "./support/ws-client.ts";
import { graphql, mustQuery } from "./support/graphql.ts";

const demo = buildDemoData();
const LAK = demo.plants.find((p) => p.code === "LAK")!;
const RIV = demo.plants.find((p) => p.code === "RIV")!;
const OTHER_ORG = "0f0f0f0f-0000-4000-8000-0000000000ff";
// Organization-wide by design: every plant of the organization shares them.
const ORGANIZATION_WIDE = new Set(["Material", "DowntimeReason"]);
// Lookups by business key name the owner's entities by their keys (a made-up key finds nothing).
const LAK_LOT = LAK.lots[0]!;
const BUSINESS_KEYS: Record<string, Record<string, string>> = {
  workOrderByNumber: { number: LAK.workOrders[0]!.number },
  productByCode: { code: LAK.products[0]!.code },
  machineByCode: { code: LAK.machines[0]!.code },
  plantByCode: { code: LAK.code },
  materialByCode: { code: demo.materials.find((m) => m.id === LAK_LOT.materialId)!.code },
  lotByNumber: { materialId: LAK_LOT.materialId, lotNumber: LAK_LOT.lotNumber },
  ncrByNumber: { number: LAK.ncrs[0]!.number },
};

let stack: TestStack;
let owner: Record<string, string>;
const attackers: Record<string, Record<string, string>> = {};
const schema: GraphQLSchema = apiSchema();
const ids = new Map<string, Set<string>>();
const ownerStrings = new Set<string>();
const typeNames = new Set(Object.keys(schema.getTypeMap()));

const idFor = (name: string, fieldType?: string) => {
  if (name === "plantId") return LAK.id;
  const type = typeOfIdName(name, fieldType);
  return [...(ids.get(type) ?? [])][0] ?? SOME_UUID;
};

/** The owner's values an attacker must not see: for the other plant, plant-scoped ids only. */
function secretsFor(kind: string): Set<string> {
  if (kind === "another organization") {
    return new Set([...ownerStrings].filter((s) => s.length >= 4 && !/^[A-Z_]+$/.test(s) && !typeNames.has(s) && s !== LAK.timeZone));
  }
  return new Set([...ids].filter(([t]) => !ORGANIZATION_WIDE.has(t)).flatMap(([, v]) => [...v]));
}
const replaceableFor = (kind: string) => (kind === "another organization" ? new Set([...ids.values()].flatMap((v) => [...v])) : secretsFor(kind));

function queryOf(field: GraphQLField<unknown, unknown>): string {
  // One instant for all three: from and to read from two clock readings were 31 days and a
  // millisecond apart now and then, which `shifts` (at most 31 days) refuses.
  const now = Date.now();
  const window: Record<string, string> = {
    from: JSON.stringify(new Date(now - 30 * 86_400_000).toISOString()),
    to: JSON.stringify(new Date(now + 86_400_000).toISOString()),
    at: JSON.stringify(new Date(now).toISOString()),
  };
  const extra: Record<string, string> = {};
  for (const a of field.args) {
    if (a.name === "plantId") extra.plantId = JSON.stringify(LAK.id);
    else if (window[a.name]) extra[a.name] = window[a.name]!;
    else if (a.name === "limit") extra.limit = "100";
  }
  for (const [name, value] of Object.entries(BUSINESS_KEYS[field.name] ?? {})) extra[name] = JSON.stringify(value);
  return `{ ${callOf(field, (n) => idFor(n, getNamedType(field.type).name), extra)} ${selectionOf(field.type, 1)} }`;
}

beforeAll(async () => {
  stack = await startTestStack({ seed: true });
  owner = await bearer({ userId: "owner", organizationId: demo.organizationId, plantIds: [LAK.id] });
  attackers["another organization"] = await bearer({ userId: "intruder", organizationId: OTHER_ORG });
  attackers["another plant"] = await bearer({ userId: "neighbour", organizationId: demo.organizationId, plantIds: [RIV.id] });
  // What the owner (an administrator of plant LAK) sees: the ids and values to keep from others.
  const seed = (type: string, id: string) => ids.set(type, new Set([...(ids.get(type) ?? []), id]));
  seed("Plant", LAK.id);
  for (const m of LAK.machines) seed("Machine", m.id);
  for (const w of LAK.workOrders) seed("WorkOrder", w.id);
  for (const round of [1, 2]) {
    for (const field of Object.values(schema.getQueryType()!.getFields())) {
      const res = await graphql(stack.gatewayUrl, queryOf(field), {}, owner);
      if (round === 2) harvest(res.data, ids);
      if (round === 2) stringsOf(res.data, ownerStrings);
    }
  }
}, 120_000);
afterAll(async () => stack?.stop());

describe.each(["another organization", "another plant"])("a caller from %s", (kind) => {
  it("gets none of the owner's data from any query field", async () => {
    const fields = Object.values(schema.getQueryType()!.getFields());
    expect(fields.length).toBeGreaterThan(30);
    const found: string[] = [];
    const vacuous: string[] = [];
    for (const field of fields) {
      const query = queryOf(field);
      // The probe means something only where the owner sees some of its data.
      const ownerView = await view(stack.gatewayUrl, query, owner);
      const ownerSees = [...stringsOf(ownerView.data)].filter((s) => secretsFor("another organization").has(s));
      // An owner's answer with errors shows its codes here, so a failure says why it saw nothing.
      if (!ownerSees.length) vacuous.push(ownerView.codes.length ? `${field.name} (errors: ${ownerView.codes.join(", ")})` : field.name);
      for (const leak of await leaksOf(stack.gatewayUrl, query, attackers[kind]!, secretsFor(kind), replaceableFor(kind)))
        found.push(`${field.name}: ${leak}`);
    }
    expect(found).toEqual([]);
    // Where the owner sees no id or name, the probe rests on "answers as for unknown ids" alone:
    // numbers only (KPIs, first pass yield), or no demo data (problem reports).
    expect(vacuous).toEqual(["productionKpis", "problemReports", "firstPassYield"]);
    expect(ids.size).toBeGreaterThan(20);
  });

  it("gets none of the owner's entities through _entities at any subgraph", async () => {
    const found: string[] = [];
    let probed = 0;
    for (const [name, sg] of Object.entries(stack.subgraphs)) {
      const own = await introspect(sg.url, owner);
      const union = own.getType("_Entity");
      const types =
        union && "getTypes" in union ? (union as unknown as { getTypes(): readonly { name: string }[] }).getTypes().map((t) => t.name) : [];
      for (const type of types) {
        if (kind === "another plant" && ORGANIZATION_WIDE.has(type)) continue;
        const id = [...(ids.get(type) ?? [])][0];
        if (!id) {
          found.push(`${name}.${type}: the owner has no ${type} to probe with`);
          continue;
        }
        probed += 1;
        const representation = await representationOf(type, id, name);
        const selection = selectionOf(own.getType(type) as never, 0).slice(1, -1);
        const query = `{ _entities(representations: [${representation}]) { ... on ${type} { ${selection} } } }`;
        const ownerView = await view(sg.url, query, owner);
        if (stringsOf(ownerView.data).size === 0 && !JSON.stringify(ownerView.data).includes(id))
          found.push(`${name}.${type}: the owner sees nothing either`);
        for (const leak of await leaksOf(sg.url, query, attackers[kind]!, secretsFor(kind), replaceableFor(kind)))
          found.push(`${name}.${type}: ${leak}`);
      }
    }
    expect(probed).toBeGreaterThan(15);
    expect(found).toEqual([]);
  });

  it("can change none of the owner's data with any mutation", async () => {
    const auditCounts = async () =>
      Promise.all(
        Object.values(stack.subgraphs).map(async (s) => {
          const { rows } =
            kind === "another organization"
              ? await s.pool.query(`SELECT count(*)::int AS n FROM "AuditLog" WHERE "organizationId" = $1`, [demo.organizationId])
              : await s.pool.query(`SELECT count(*)::int AS n FROM "AuditLog" WHERE "plantId" = $1`, [LAK.id]);
          return rows[0].n as number;
        }),
      );
    const settled = async () => {
      for (const sg of Object.values(stack.subgraphs)) for (const c of sg.consumers) await c.drain();
      return auditCounts();
    };
    const before = await settled();
    const returned: string[] = [];
    const secrets = secretsFor(kind);
    for (const field of Object.values(schema.getMutationType()!.getFields())) {
      const call = callOf(field, (n) => idFor(n, getNamedType(field.type).name), {
        ...(field.args.some((a) => a.name === "plantId") ? { plantId: JSON.stringify(LAK.id) } : {}),
      });
      const text = `mutation { ${call} ${selectionOf(field.type, 0)} }`.replace(/"X-plantId"/g, JSON.stringify(LAK.id));
      const res = await graphql(stack.gatewayUrl, text, {}, attackers[kind]!);
      for (const s of stringsOf(res.data)) if (secrets.has(s) && !text.includes(s)) returned.push(`${field.name} returned ${s}`);
    }
    expect(returned).toEqual([]);
    expect(await settled()).toEqual(before);
  });

  it("receives none of the owner's events from any subscription", async () => {
    const fields = Object.values(schema.getSubscriptionType()!.getFields());
    const triggers = eventTriggers();
    expect(fields.map((f) => f.name).sort()).toEqual(Object.keys(triggers).sort());
    for (const field of fields) {
      const selection = `{ cursor }`;
      const watcherClient = wsClient(stack.gatewayUrl, await tokenFor({ userId: "owner", organizationId: demo.organizationId, plantIds: [LAK.id] }));
      const intruderClient = wsClient(stack.gatewayUrl, attackers[kind]!.authorization!.slice("Bearer ".length));
      const direct = wsClient(stack.subgraphs[subgraphOf(field.name)].url, attackers[kind]!.authorization!.slice("Bearer ".length));
      const plantArg = field.args.some((a) => a.name === "plantId") ? `(plantId: "${LAK.id}")` : "";
      const live = stack.subgraphs[subgraphOf(field.name)].live;
      await expect.poll(() => live.subscriberCount, { timeout: 5000 }).toBe(0); // the last round's are gone
      const watcher = await subscribe(watcherClient, `subscription { ${field.name} ${selection} }`);
      const intruders = [
        await subscribe(intruderClient, `subscription { ${field.name} ${selection} }`),
        await subscribe(intruderClient, `subscription { ${field.name}${plantArg} ${selection} }`),
        await subscribe(direct, `subscription { ${field.name}${plantArg} ${selection} }`),
      ];
      // Every one of them subscribed upstream (the watcher and two intruders through the gateway, one direct).
      await expect.poll(() => live.subscriberCount, { timeout: 5000 }).toBe(4);
      await triggers[field.name]!();
      await watcher.waitFor(1, 10_000).catch((err: Error) => {
        throw new Error(`${field.name}: the owner's own subscriber ${err.message}`);
      });
      await new Promise((r) => setTimeout(r, 500));
      expect(
        intruders.map((i) => i.events.length),
        field.name,
      ).toEqual([0, 0, 0]);
      for (const c of [watcherClient, intruderClient, direct]) await c.dispose();
    }
  });
});

describe("the suite itself", () => {
  it("finds the leak in a field that reads around the tenant choke point", async () => {
    // A production instance with one extra field that uses raw SQL instead of the scoped client,
    // and reads as the service itself (outside the request's scope), so that row-level security
    // does not stop it either (test/row-level-security.test.ts shows it stops the first mistake).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mes-leaky-"));
    const schemaPath = path.join(dir, "schema.graphql");
    fs.writeFileSync(
      schemaPath,
      `${fs.readFileSync(graphqlSchemaPath("production"), "utf8")}\nextend type Query { leakyWorkOrderNumbers: [String!]! }\n`,
    );
    const leaky = {
      ...production,
      schemaPath,
      resolvers: {
        ...production.resolvers,
        Query: {
          ...(production.resolvers as { Query: object }).Query,
          leakyWorkOrderNumbers: async (
            _: unknown,
            __: unknown,
            ctx: { db: { $queryRaw: (q: TemplateStringsArray) => Promise<{ number: string }[]> } },
          ) => (await requestQueries.exit(async () => await ctx.db.$queryRaw`SELECT number FROM "WorkOrder" ORDER BY number`)).map((r) => r.number),
        },
      },
    };
    let running: RunningSubgraph<unknown> | null = null;
    try {
      const dbUrl = stack.subgraphs.production.pool.options.connectionString!;
      running = await startSubgraph(leaky as never, testSubgraphConfig(dbUrl), silentLogger());
      const query = `{ leakyWorkOrderNumbers }`;
      const ownerView = await mustQuery(running.url, query, {}, owner);
      expect(ownerView.leakyWorkOrderNumbers).toContain(LAK.workOrders[0]!.number);
      const leaks = await leaksOf(
        running.url,
        query,
        attackers["another organization"]!,
        new Set([...ownerStrings, ...(ownerView.leakyWorkOrderNumbers as string[])]),
        new Set(),
      );
      expect(leaks.length).toBeGreaterThan(0);
      expect(leaks[0]).toMatch(/^returned WO-/);
    } finally {
      await running?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** `{__typename, id, <fields other subgraphs must send>}` for an entity, as the gateway would send it. */
async function representationOf(type: string, id: string, subgraph: string): Promise<string> {
  const requires = REQUIRED_FIELDS[`${subgraph}.${type}`];
  if (!requires) return `{ __typename: "${type}", id: "${id}" }`;
  const root = Object.values(schema.getQueryType()!.getFields()).find(
    (f) => getNamedType(f.type).name === type && f.args.length === 1 && f.args[0]!.name === "id",
  );
  const data = await mustQuery(stack.gatewayUrl, `{ e: ${root!.name}(id: "${id}") { ${requires} } }`, {}, owner);
  const literal = (v: unknown): string =>
    Array.isArray(v)
      ? `[${v.map(literal).join(", ")}]`
      : v && typeof v === "object"
        ? `{ ${Object.entries(v)
            .map(([k, x]) => `${k}: ${literal(x)}`)
            .join(", ")} }`
        : JSON.stringify(v);
  return literal({ __typename: type, id, ...(data.e as object) });
}

// Entity fields a subgraph @requires from others (the gateway sends them in the representation).
const REQUIRED_FIELDS: Record<string, string> = {
  "equipment.Shift": "startsAt endsAt breakWindows { startsAt endsAt } plant { id }",
  "production.Shift": "startsAt endsAt plant { id }",
  "inventory.WorkOrder": "plant { id } status materialRequirements { material { id } requiredQuantity }",
};

function subgraphOf(subscription: string): "production" | "inventory" | "equipment" | "quality" {
  return (
    {
      workOrderStatusChanged: "production",
      lowStockAlert: "inventory",
      restocked: "inventory",
      machineStatusChanged: "equipment",
      ncrOpened: "quality",
    } as const
  )[subscription as "ncrOpened"];
}

let n = 0;
let released = 0;

/** How the owner makes each subscription's event happen in plant LAK. */
function eventTriggers(): Record<string, () => Promise<void>> {
  const act = (query: string, variables: Record<string, unknown> = {}) => mustQuery(stack.gatewayUrl, query, variables, owner);
  const material = async () => {
    const { createMaterial: m } = await act(
      `mutation($c: String!) { createMaterial(input: { code: $c, description: "probe", unitOfMeasure: "EA", reorderPoint: 10, safetyStock: 2 }) { id } }`,
      { c: `PROBE-${++n}-${Date.now()}` },
    );
    const location = LAK.locations[0]!.id;
    await act(
      `mutation($m: ID!, $l: ID!) { receiveStock(input: { materialId: $m, locationId: $l, quantity: 20, unitCost: 1, lotNumber: "PROBE" }) { __typename } }`,
      { m: m.id, l: location },
    );
    return { id: m.id as string, location };
  };
  return {
    workOrderStatusChanged: async () => {
      const wo = LAK.workOrders.filter((w) => w.status === "PLANNED")[released++]!;
      await act(`mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id: wo.id });
    },
    lowStockAlert: async () => {
      const m = await material();
      await act(
        `mutation($m: ID!, $l: ID!, $w: ID!) { issueStock(input: { materialId: $m, locationId: $l, workOrderId: $w, quantity: 15 }) { __typename } }`,
        { m: m.id, l: m.location, w: LAK.workOrders[0]!.id },
      );
    },
    restocked: async () => {
      const m = await material();
      await act(
        `mutation($m: ID!, $l: ID!, $w: ID!) { issueStock(input: { materialId: $m, locationId: $l, workOrderId: $w, quantity: 15 }) { __typename } }`,
        { m: m.id, l: m.location, w: LAK.workOrders[0]!.id },
      );
      await act(
        `mutation($m: ID!, $l: ID!) { receiveStock(input: { materialId: $m, locationId: $l, quantity: 50, unitCost: 1, lotNumber: "PROBE-2" }) { __typename } }`,
        { m: m.id, l: m.location },
      );
    },
    machineStatusChanged: async () => {
      const machine = LAK.machines[n++ % LAK.machines.length]!;
      const { machine: m } = await act(`query($id: ID!) { machine(id: $id) { state } }`, { id: machine.id });
      await act(`mutation($id: ID!, $s: MachineState!) { setMachineState(machineId: $id, state: $s) { id } }`, {
        id: machine.id,
        s: m.state === "SETUP" ? "IDLE" : "SETUP",
      });
    },
    ncrOpened: async () => {
      await act(`mutation($p: ID!, $n: String!) { openNcr(input: { plantId: $p, number: $n, title: "probe", severity: MINOR }) { id } }`, {
        p: LAK.id,
        n: `NCR-PROBE-${++n}-${Date.now()}`,
      });
    },
  };
}

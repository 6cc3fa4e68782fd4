// Writes that name another tenant's entities, derived from the schema: for every mutation and
// every id it takes (arguments and input fields) that names an entity kind, the mutation's valid
// baseline is sent with that one id replaced by (1) the same kind's entity of another organization,
// (2) for plant-level kinds, an entity of another plant of the caller's organization, by a caller
// limited to the first plant. Each must be refused as NOT_FOUND (FORBIDDEN for a plant of the
// caller's own organization that the caller may not act in) naming the field, and write
// nothing in any subgraph (no AuditLog or OutboxEvent row carries its request id). A mutation or
// argument added later is covered the same way; without the reference checks every case fails.
import { getNamedType } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { actAs, type TestCaller } from "./support/auth.ts";
import { apiSchema } from "./support/schema-walk.ts";
import { buildFuzzFixture, drain, type FuzzFixture } from "./support/fuzz-fixture.ts";
import { baselineRequest, entityOf, namesField } from "./support/fuzz-cases.ts";
import { WriteLog, send, type Answer } from "./support/fuzz-runner.ts";
import { ownedTypeNames } from "./support/fuzz-owners.ts";
import { pathText, setPath, sitesOf } from "./support/fuzz-walk.ts";
import { createPlant, type PlantFixture } from "./support/fixtures.ts";

const ORG_A = "c7a70000-0000-4000-8000-00000000000a";
const ORG_B = "c7a70000-0000-4000-8000-00000000000b";
const ADMIN_A: TestCaller = { userId: "a.admin", organizationId: ORG_A, roles: ["ADMIN"] };
const ADMIN_B: TestCaller = { userId: "b.admin", organizationId: ORG_B, roles: ["ADMIN"] };

const schema = apiSchema();
const mutations = Object.values(schema.getMutationType()!.getFields());
const known = ownedTypeNames();

interface Case {
  mutation: string;
  path: string;
  kind: string;
  foreignId: string;
  caller: TestCaller;
  requestId: string;
  answer?: Answer;
}

let stack: TestStack;
let fixtureA: FuzzFixture;
let fixtureB: FuzzFixture;
let plant2: PlantFixture;
const cases: Case[] = [];
let log: WriteLog;

beforeAll(async () => {
  stack = await startTestStack();
  actAs(ADMIN_B);
  fixtureB = await buildFuzzFixture(stack, ORG_B);
  actAs(ADMIN_A);
  fixtureA = await buildFuzzFixture(stack, ORG_A);
  plant2 = await createPlant(stack.gatewayUrl, ORG_A, "P2", 1);
  await drain(stack);
  const onlyPlantA: TestCaller = { ...ADMIN_A, userId: "a.plant1", plantIds: [fixtureA.ids.get("Plant")!] };
  const otherPlant: Record<string, string> = { Plant: plant2.plantId, WorkCenter: plant2.workCenterId, Machine: plant2.machineIds[0]! };
  let seq = 0;
  for (const field of mutations) {
    for (const site of sitesOf(field)) {
      if (getNamedType(site.type).name !== "ID") continue;
      const kind = entityOf(site.name, getNamedType(field.type).name, known);
      if (!kind) continue;
      const path = pathText(site.path);
      const add = (foreignId: string | undefined, caller: TestCaller) => {
        if (foreignId) cases.push({ mutation: field.name, path, kind, foreignId, caller, requestId: `xt-${++seq}` });
      };
      add(fixtureB.ids.get(kind), ADMIN_A);
      add(otherPlant[kind], onlyPlantA);
    }
  }
  log = new WriteLog(stack);
  await log.mark();
  for (const c of cases) {
    const field = mutations.find((m) => m.name === c.mutation)!;
    const { query, variables } = baselineRequest("mutation", field, { fixture: fixtureA }, Date.now());
    const site = sitesOf(field).find((s) => pathText(s.path) === c.path)!;
    setPath(variables, site.path, c.foreignId);
    c.answer = await send(stack.gatewayUrl, query, variables, c.caller, c.requestId);
  }
  await drain(stack);
  await log.collect();
}, 600_000);

afterAll(async () => {
  const byKind = new Map<string, number>();
  for (const c of cases) byKind.set(c.kind, (byKind.get(c.kind) ?? 0) + 1);
  console.log(
    `cross-tenant writes: ${cases.length} cases over ${new Set(cases.map((c) => c.mutation)).size} mutations ` +
      `(${[...byKind].map(([k, n]) => `${k} ${n}`).join(", ")})`,
  );
  // What the reference guard checks in each subgraph: mutations naming entities, and the ids they name.
  for (const [name, sg] of Object.entries(stack?.subgraphs ?? {})) {
    const guarded = [...sg.referenceGuard];
    console.log(`  ${name}: ${guarded.length} mutations checked, ${guarded.reduce((n, [, refs]) => n + refs.length, 0)} ids`);
  }
  await stack?.stop();
});

describe("a write naming another tenant's entity", () => {
  it("covers every mutation that takes a reference to a kind the fixtures have", () => {
    expect(cases.length).toBeGreaterThan(60);
    expect(fixtureA.problems).toEqual([]);
  });

  // NOT_FOUND from the reference checks (FORBIDDEN for another plant of the caller's organization);
  // a child entity without a tenant of its own (a plan's characteristic) is refused by its
  // mutation's own rule as BAD_USER_INPUT naming it.
  const expected = (c: Case) => (c.caller === ADMIN_A ? ["NOT_FOUND", "BAD_USER_INPUT"] : ["NOT_FOUND", "FORBIDDEN"]);
  it("is refused as NOT_FOUND, FORBIDDEN (another plant) or BAD_USER_INPUT, naming the field", () => {
    const wrong = cases
      .filter((c) => !c.answer?.errors.some((e) => expected(c).includes(e.code!)) || !namesField(c.answer!.errors, [c.path]))
      .map(
        (c) =>
          `${c.mutation} ${c.path} (${c.kind}, ${c.caller.userId}): ${c.answer?.errors.map((e) => `${e.code} ${e.message.slice(0, 120)}`).join("; ") || "accepted"}`,
      );
    expect(wrong).toEqual([]);
  });

  it("writes nothing in any subgraph", () => {
    const written = cases
      .filter((c) => log.of(c.requestId).length)
      .map(
        (c) =>
          `${c.mutation} ${c.path}: ${log
            .of(c.requestId)
            .map((w) => `${w.subgraph} ${w.what}`)
            .join(", ")}`,
      );
    expect(written).toEqual([]);
  });
});

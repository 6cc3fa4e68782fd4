// Input fuzzing derived from the schema: every argument of every mutation and query (into input
// objects and list items) gets bad values of its type and meaning, one at a time on a valid
// baseline, as an administrator of the fixture's organization. A bad value must be refused with a
// client error that names it, never a 500, and must write nothing (no AuditLog or OutboxEvent row
// in any subgraph carries its request id). A mutation added to the schema is fuzzed the same way.
// An id naming another subgraph's entity that does not exist (or is of another type) is refused
// like a local one (reference data copies); such cases are also counted on a line of their own.
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { actAs, type TestCaller } from "./support/auth.ts";
import { apiSchema } from "./support/schema-walk.ts";
import { buildFuzzFixture, drain, type FuzzFixture } from "./support/fuzz-fixture.ts";
import { baselineRequest, casesOf, type CaseContext, type FuzzCase } from "./support/fuzz-cases.ts";
import { WriteLog, inGroups, internalErrors, send, type Answer } from "./support/fuzz-runner.ts";
import { failureReport, failuresOf, foreignAccepted, type Failure, type FailureKind, type FuzzResult } from "./support/fuzz-report.ts";
import { leafValues } from "./support/fuzz-values.ts";
import { referenceOf, typeOwners } from "./support/fuzz-owners.ts";
import { FixtureSteps } from "./support/fuzz-steps.ts";

const ORG = "f022f022-0000-4000-8000-000000000001";
const CALLER: TestCaller = { userId: "fuzz.admin", organizationId: ORG, roles: ["ADMIN"] };
actAs(CALLER);
const SOME_ID = "f022f022-0000-4000-8000-0000000000ff";
/** Cases sent at once: enough to keep two cores busy, few enough to keep answers attributable in logs. */
const GROUP = 8;

const schema = apiSchema();
const mutations = Object.values(schema.getMutationType()!.getFields());
const queries = Object.values(schema.getQueryType()!.getFields());

let stack: TestStack;
let fixture: FuzzFixture;
const results: FuzzResult[] = [];
const baselines = new Map<string, Answer>();
let failures: Failure[] = [];
let background = "";
let started = 0;
const timings: string[] = [];
const lap = (what: string, since: number) => timings.push(`${what} ${((Date.now() - since) / 1000).toFixed(0)} s`);

beforeAll(async () => {
  started = Date.now();
  stack = await startTestStack();
  fixture = await buildFuzzFixture(stack, ORG);
  lap("stack and fixture", started);
  const ctx: CaseContext = { fixture };
  const cases = [...mutations.flatMap((f) => casesOf("mutation", f, ctx)), ...queries.flatMap((f) => casesOf("query", f, ctx))];
  const log = new WriteLog(stack);
  await log.mark();
  const run = async (c: FuzzCase) => {
    const { query, variables } = c.request(Date.now());
    results.push({ c, answer: await send(stack.gatewayUrl, query, variables, CALLER, c.requestId), written: [] });
  };
  const collect = async () => void (await log.collect());
  // 1. Every value that must be refused, and every query case, while the fixture is as built.
  let since = Date.now();
  await inGroups(
    cases.filter((c) => c.expect === "refuse" || c.kind === "query"),
    GROUP,
    run,
    collect,
  );
  lap("refused values and queries", since);
  since = Date.now();
  // 2. Each mutation's baseline, after its refused cases (it may use up the state they needed).
  for (const field of mutations) {
    const { query, variables } = baselineRequest("mutation", field, ctx, Date.now());
    baselines.set(field.name, await send(stack.gatewayUrl, query, variables, CALLER, `fz-base-${field.name}`));
  }
  lap("baselines", since);
  since = Date.now();
  // 3. Values some meanings allow: they may be accepted, but never a 500, and a number is stored as sent.
  await inGroups(
    cases.filter((c) => c.expect === "lenient" && c.kind === "mutation"),
    GROUP,
    run,
    collect,
  );
  await drain(stack);
  await log.collect();
  lap("lenient values", since);
  for (const r of results) r.written = log.of(r.c.requestId);
  failures = results.flatMap((r) => failuresOf(r, !(baselines.get(r.c.field.name)?.errors.length ?? 0)));
  background = [...log.byRequest.keys()].filter((k) => !k.startsWith("fz-")).join(", ");
}, 600_000);

afterAll(async () => {
  const mutationResults = results.filter((r) => r.c.kind === "mutation");
  const count = (kind: FailureKind, kindOf: "mutation" | "query" = "mutation") =>
    new Set(failures.filter((f) => f.kind === kind && f.result.c.kind === kindOf).map((f) => f.result.c.requestId)).size;
  const refusedCleanly = mutationResults.filter(
    (r) => r.c.expect === "refuse" && r.answer.errors.length && !internalErrors(r.answer).length && !r.written.length,
  ).length;
  const refusedBaselines = [...baselines].filter(([, a]) => a.errors.length);
  const perMutation = Math.round(mutationResults.length / Math.max(1, mutations.length));
  const lines = [
    `input fuzz: ${mutations.length} mutations x ${perMutation} cases (${mutationResults.length}), refused cleanly ${refusedCleanly}, ` +
      `500s ${count("500")}, written ${count("written")}, baselines refused ${refusedBaselines.length}`,
    `  also: accepted invalid ${count("accepted")}, unnamed field ${count("unnamed field")}, stored otherwise ${count("stored otherwise")}; ` +
      `queries ${queries.length} fields, ${results.length - mutationResults.length} cases, 500s ${count("500", "query")}, written ${count("written", "query")}; ` +
      `${((Date.now() - started) / 1000).toFixed(0)} s (${timings.join(", ")})`,
    `  slowest: ${[...results]
      .sort((a, b) => b.answer.ms - a.answer.ms)
      .slice(0, 3)
      .map((r) => `${r.c.field.name} ${r.c.names[0]} = ${r.c.cls} ${(r.answer.ms / 1000).toFixed(1)} s`)
      .join("; ")}`,
    ...foreignAccepted(mutationResults).map((line) => `  ${line}`),
    ...(background ? [`  writes by no fuzz request (followers, periodic tasks): ${background}`] : []),
    ...(fixture?.problems.length ? ["fixture problems:", ...fixture.problems.map((p) => `  ${p}`)] : []),
    ...(refusedBaselines.length
      ? ["baselines refused:", ...refusedBaselines.map(([m, a]) => `  ${m}: ${a.errors[0]!.code} ${a.errors[0]!.message.slice(0, 200)}`)]
      : []),
    ...(failures.length ? ["failures:", failureReport(failures)] : []),
  ];
  console.log(lines.join("\n"));
  if (process.env.FUZZ_REPORT) fs.writeFileSync(process.env.FUZZ_REPORT, `${lines.join("\n")}\n`);
  // Every answer, one JSON line each, for looking into a run (FUZZ_DUMP=/tmp/fuzz.jsonl).
  if (process.env.FUZZ_DUMP)
    fs.writeFileSync(
      process.env.FUZZ_DUMP,
      results
        .map((r) =>
          JSON.stringify({
            field: r.c.field.name,
            path: r.c.names[0],
            cls: r.c.cls,
            expect: r.c.expect,
            status: r.answer.status,
            errors: r.answer.errors.map((e) => `${e.code}: ${e.message.slice(0, 160)}`),
            written: r.written.length,
          }),
        )
        .join("\n"),
    );
  await stack?.stop();
});

const failing = (kind: FailureKind) =>
  failures.filter((f) => f.kind === kind).map((f) => `${f.result.c.field.name} ${f.result.c.names[0]} = ${f.result.c.cls}: ${f.detail}`);

describe("input fuzzing from the schema", () => {
  it("builds its fixture through the graph's own mutations (a step fails when a mutation's input changed shape)", () => {
    expect(fixture.problems).toEqual([]);
  });

  it("covers every argument of every mutation and query", () => {
    expect(mutations.length).toBeGreaterThan(50);
    const fuzzed = new Set(results.map((r) => r.c.field.name));
    expect(mutations.filter((m) => m.args.length && !fuzzed.has(m.name)).map((m) => m.name)).toEqual([]);
    expect(queries.filter((q) => q.args.length && !fuzzed.has(q.name)).map((q) => q.name)).toEqual([]);
    expect(baselines.size).toBe(mutations.length);
  });

  it("tests most mutations on a baseline they accept (so a refusal is the bad value's doing)", () => {
    const refused = [...baselines].filter(([, a]) => a.errors.length).map(([m]) => m);
    expect(refused.length, refused.join(", ")).toBeLessThan(mutations.length / 4);
  });

  it("answers no bad input with a 500", () => {
    expect(failing("500")).toEqual([]);
  });

  it("writes nothing for an invalid input", () => {
    expect(failing("written")).toEqual([]);
  });

  it("refuses every invalid input", () => {
    expect(failing("accepted")).toEqual([]);
  });

  it("names the refused field in a BAD_USER_INPUT error", () => {
    expect(failing("unnamed field")).toEqual([]);
  });

  it("stores an accepted number as sent (never rounded to 0 or clipped)", () => {
    expect(failing("stored otherwise")).toEqual([]);
  });

  it("records a fixture step whose mutation's input changed shape, and goes on", async () => {
    const steps = new FixtureSteps(stack.gatewayUrl, new Map([["Shift", fixture.ids.get("Shift") ?? SOME_ID]]));
    // LogHandoverInput had `createdBy` once (the author now comes from the token).
    await steps.step("logHandover", async () => {
      await steps.query(`mutation($s: ID!) { logHandover(input: { shiftId: $s, notes: "x", createdBy: "x" }) { id } }`, { s: steps.need("Shift") });
    });
    await steps.step("acknowledgeHandover", async () => void steps.need("Handover"));
    expect(steps.problems).toEqual([
      expect.stringMatching(/^logHandover: GRAPHQL_VALIDATION_FAILED .*createdBy.*LogHandoverInput/),
      "acknowledgeHandover: skipped: it needs Handover, which an earlier step did not make",
    ]);
  });
});

describe("the fuzz judge", () => {
  const stub = (expect: "refuse" | "lenient", answer: Partial<Answer>, written: FuzzResult["written"] = [], exact?: number): FuzzResult => ({
    c: { kind: "mutation", expect, exact, names: ["input.quantity"], site: { path: ["input", "quantity"] } } as unknown as FuzzCase,
    answer: { status: 200, errors: [], data: null, ms: 1, ...answer },
    written,
  });
  const kinds = (r: FuzzResult) => failuresOf(r, true).map((f) => f.kind);

  it("counts a 5xx, INTERNAL_SERVER_ERROR and an error without a code as a 500", () => {
    expect(
      kinds(stub("refuse", { status: 500, errors: [{ message: "x", code: "BAD_USER_INPUT", fields: [{ field: "input.quantity", message: "" }] }] })),
    ).toEqual(["500"]);
    expect(kinds(stub("lenient", { errors: [{ message: "x", code: "INTERNAL_SERVER_ERROR" }] }))).toEqual(["500"]);
    expect(kinds(stub("lenient", { errors: [{ message: "x" }] }))).toEqual(["500"]);
  });

  it("counts a refused value that wrote a row, an accepted invalid value, and a refusal naming another field", () => {
    const refused = { errors: [{ message: "no", code: "NOT_FOUND" }] };
    expect(kinds(stub("refuse", refused, [{ subgraph: "inventory", what: "Lot INSERT", after: {} }]))).toEqual(["written"]);
    expect(kinds(stub("refuse", {}))).toEqual(["accepted"]);
    expect(
      kinds(stub("refuse", { errors: [{ message: "bad", code: "BAD_USER_INPUT", fields: [{ field: "input.unitCost", message: "" }] }] })),
    ).toEqual(["unnamed field"]);
    expect(
      kinds(stub("refuse", { errors: [{ message: 'Variable "$input" got invalid value 1e+308 at "input.quantity"', code: "BAD_USER_INPUT" }] })),
    ).toEqual([]);
  });

  it("derives each entity type's owner from the supergraph (an extending subgraph does not own it)", () => {
    const owners = typeOwners();
    expect(["WorkOrder", "Plant", "Shift", "Location", "Material", "Lot", "Ncr", "Crew"].map((t) => `${t}: ${owners.get(t)}`)).toEqual([
      "WorkOrder: production",
      "Plant: equipment",
      "Shift: shifts",
      "Location: inventory",
      "Material: inventory",
      "Lot: inventory",
      "Ncr: quality",
      "Crew: shifts",
    ]);
  });

  it("tells a local id from a foreign one by the owners of the type and of the mutation", () => {
    const scope = (mutation: string, type: string) => referenceOf("mutation", mutation, type)?.scope;
    expect([
      scope("createLocation", "Plant"),
      scope("logProduction", "Shift"),
      scope("recordInspection", "WorkOrder"),
      scope("checkPmSchedules", "Plant"),
      scope("issueStock", "Lot"),
      scope("clockIn", "Shift"),
    ]).toEqual(["foreign", "foreign", "foreign", "local", "local", "local"]);
    expect(referenceOf("mutation", "createLocation", null)).toBeNull();
  });

  it("refuses a malformed, nil or unknown id everywhere, another subgraph's entities too", () => {
    const expects = (foreign: boolean) =>
      Object.fromEntries(
        leafValues({ typeName: "ID", isEnum: false, name: "plantId", siblings: [], otherTypeId: SOME_ID, foreign }, Date.now())
          .filter((v) => /UUID|entity type/.test(v.cls))
          .map((v) => [v.cls, v.expect]),
      );
    expect(expects(false)).toEqual({ "not a UUID": "refuse", "nil UUID": "refuse", "unknown UUID": "refuse", "id of another entity type": "refuse" });
    expect(expects(true)).toEqual({
      "not a UUID": "refuse",
      "nil UUID": "refuse",
      "unknown UUID": "refuse",
      "id of another entity type": "refuse",
    });
  });

  it("does not count an accepted foreign reference as a failure, but lists it", () => {
    const foreign = { ...stub("lenient", {}, [{ subgraph: "inventory", what: "Location INSERT", after: {} }]) };
    foreign.c = {
      ...foreign.c,
      field: { name: "createLocation" },
      names: ["input.plantId"],
      foreign: { type: "Plant", owner: "equipment", scope: "foreign" },
    } as FuzzCase;
    expect(kinds(foreign)).toEqual([]);
    expect(kinds({ ...foreign, answer: { ...foreign.answer, errors: [{ message: "x", code: "INTERNAL_SERVER_ERROR" }] } })).toEqual(["500"]);
    const conflict = { ...foreign, answer: { ...foreign.answer, errors: [{ message: "state used up", code: "CONFLICT" }] } };
    expect(foreignAccepted([foreign, conflict, stub("lenient", {})])).toEqual([
      "foreign references accepted (issue 12): 1 of 2 sent: createLocation input.plantId (1)",
      "  not reached (CONFLICT: the baseline used up the state): createLocation input.plantId (1)",
    ]);
  });

  it("counts an accepted number stored as another (rounded to the column's scale)", () => {
    const rows = [{ subgraph: "inventory", what: "StockTransaction INSERT", after: { quantity: "0.0000" } }];
    expect(kinds(stub("lenient", {}, rows, 0.00001))).toEqual(["stored otherwise"]);
    expect(kinds(stub("lenient", {}, [{ ...rows[0]!, after: { quantity: "-0.00001" } }], 0.00001))).toEqual([]);
  });
});

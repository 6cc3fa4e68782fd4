// A write whose transaction runs out of time is undone whole and answers BUSY: no statement of it
// runs after its ROLLBACK. One Prisma operation with a nested create is several statements; when
// the timeout struck between them, the rest used to run on the released connection, outside any
// transaction (a stock movement's cost draws were written without their movement, refused only by
// a foreign key). A trigger that sleeps after the parent row's insert makes the timeout strike there.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SubgraphName } from "@mes/db";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { actAs } from "./support/auth.ts";
import { graphql, mustQuery } from "./support/graphql.ts";
import { createPlant, createProduct, createStockedMaterial, createWorkOrder, type PlantFixture } from "./support/fixtures.ts";
import { adminPool, closeAdminPools } from "./support/admin.ts";

const ORG = "7a0e0000-0000-4000-8000-0000000000e1";
const TIMEOUT_MS = 2000;
let stack: TestStack;
let url: string;
let plant: PlantFixture;

beforeAll(async () => {
  stack = await startTestStack({ subgraphConfig: { DB_TRANSACTION_TIMEOUT_MS: TIMEOUT_MS } });
  url = stack.gatewayUrl;
  actAs({ userId: "tt.admin", organizationId: ORG, roles: ["ADMIN"] });
  plant = await createPlant(url, ORG, "TT1", 1);
}, 180_000);

afterAll(async () => {
  await closeAdminPools();
  await stack?.stop();
});

/** While `fn` runs, every insert into `table` of `service` sleeps past the transaction timeout. */
async function withSlowInserts<T>(service: SubgraphName, table: string, fn: () => Promise<T>): Promise<T> {
  const admin = adminPool(stack, service);
  await admin.query(`CREATE OR REPLACE FUNCTION tt_slow() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_sleep(${(TIMEOUT_MS * 1.5) / 1000}); RETURN NEW; END $$`);
  await admin.query(`CREATE TRIGGER tt_slow AFTER INSERT ON "${table}" FOR EACH ROW EXECUTE FUNCTION tt_slow()`);
  try {
    return await fn();
  } finally {
    await admin.query(`DROP TRIGGER tt_slow ON "${table}"`);
  }
}

const count = async (service: SubgraphName, sql: string, params: unknown[] = []) =>
  Number((await adminPool(stack, service).query<{ n: string }>(sql, params)).rows[0]!.n);

describe("a write that runs out of time", () => {
  it("issueStock: nothing of the movement is written, the answer is BUSY, and sending it again issues it once", async () => {
    const productId = await createProduct(url, plant, "TT-P", 1);
    const wo = await createWorkOrder(url, productId, "TT-WO-1", 10);
    const m = { id: (await createStockedMaterial(url, plant, "TT-M", 10)).materialId };
    const ISSUE = `mutation($m: ID!, $w: ID!, $p: ID!) { issueStock(input: { materialId: $m, workOrderId: $w, quantity: 4, plantId: $p }) { quantity } }`;
    const STOCK = `query($m: ID!) { material(id: $m) { onHand } }`;
    const vars = { m: m.id, w: wo.id, p: plant.plantId };
    const movements = () => count("inventory", `SELECT count(*) AS n FROM "StockTransaction" WHERE "materialId" = $1`, [m.id]);
    const draws = () => count("inventory", `SELECT count(*) AS n FROM "LayerConsumption"`);
    const before = { movements: await movements(), draws: await draws() };

    const answer = await withSlowInserts("inventory", "StockTransaction", () => graphql(url, ISSUE, vars));
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: "BUSY", retryable: true });
    expect(answer.errors?.[0]?.message).toMatch(/its transaction was rolled back/);
    // Give a statement that escaped its transaction the time to land, then look.
    await new Promise((r) => setTimeout(r, TIMEOUT_MS));
    expect({ movements: await movements(), draws: await draws() }).toEqual(before);
    expect((await mustQuery(url, STOCK, { m: m.id })).material.onHand).toBe(10);

    await mustQuery(url, ISSUE, vars);
    expect((await mustQuery(url, STOCK, { m: m.id })).material.onHand).toBe(6);
    expect(await movements()).toBe(before.movements + 1);
  }, 60_000);

  it("createCrew: neither the crew nor its members are written", async () => {
    const crews = () => count("shifts", `SELECT count(*) AS n FROM "Crew" WHERE name = 'TT crew'`);
    const members = () => count("shifts", `SELECT count(*) AS n FROM "CrewMember" WHERE "personId" = 'tt.p1'`);
    const CREATE = `mutation($i: CreateCrewInput!) { createCrew(input: $i) { id members { personId } } }`;
    const input = { i: { plantId: plant.plantId, name: "TT crew", members: [{ personId: "tt.p1", displayName: "P One", role: "Operator" }] } };

    const answer = await withSlowInserts("shifts", "Crew", () => graphql(url, CREATE, input));
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: "BUSY", retryable: true });
    await new Promise((r) => setTimeout(r, TIMEOUT_MS));
    expect([await crews(), await members()]).toEqual([0, 0]);

    const { createCrew } = await mustQuery(url, CREATE, input);
    expect(createCrew.members).toEqual([{ personId: "tt.p1" }]);
    expect([await crews(), await members()]).toEqual([1, 1]);
  }, 60_000);
});

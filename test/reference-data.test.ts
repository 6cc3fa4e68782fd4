// Reference data travels as compacted ReferenceChanged events: an owner announces what others keep
// of its entities (tenant, status, window) and nothing else; the newest fact of each entity
// outlives retention, so a follower starting from nothing (a new replica set, a restored database)
// still learns every entity and is never told its position expired.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pruneOutbox } from "@mes/shared";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { actAs } from "./support/auth.ts";
import { createPlant, type PlantFixture } from "./support/fixtures.ts";
import { drain } from "./support/fuzz-fixture.ts";

const ORG = "4efe0000-0000-4000-8000-00000000000a";
actAs({ userId: "rd.admin", organizationId: ORG, roles: ["ADMIN"] });

let stack: TestStack;
let plant: PlantFixture;

beforeAll(async () => {
  stack = await startTestStack();
  plant = await createPlant(stack.gatewayUrl, ORG, "RD1", 2);
  await drain(stack);
}, 120_000);

afterAll(async () => stack?.stop());

const copyIn = async (subgraph: "production" | "inventory", kind: string) =>
  (
    await stack.subgraphs[subgraph].pool.query(
      `SELECT id::text, "organizationId"::text AS org, "plantId"::text AS plant, status FROM "ReferenceEntity" WHERE kind = $1 ORDER BY id`,
      [kind],
    )
  ).rows;

const referenceEvents = async () =>
  Number((await stack.subgraphs.equipment.pool.query(`SELECT count(*) FROM "OutboxEvent" WHERE type = 'ReferenceChanged'`)).rows[0].count);

describe("reference data", () => {
  it("reaches the subgraphs that reference the kind, with tenant and status", async () => {
    const machines = await copyIn("production", "Machine");
    expect(machines.map((m) => m.id).sort()).toEqual([...plant.machineIds].sort());
    expect(machines.every((m) => m.org === ORG && m.plant === plant.plantId && m.status === "IDLE")).toBe(true);
    expect((await copyIn("inventory", "Plant")).map((p) => p.id)).toContain(plant.plantId);
  });

  it("is announced only when what others keep changes", async () => {
    const before = await referenceEvents();
    await stack.subgraphs.equipment.pool.query(`UPDATE "Machine" SET name = 'Renamed' WHERE id = $1`, [plant.machineIds[0]]);
    expect(await referenceEvents()).toBe(before);
    await stack.subgraphs.equipment.pool.query(`UPDATE "Machine" SET state = 'DOWN' WHERE id = $1`, [plant.machineIds[0]]);
    expect(await referenceEvents()).toBe(before + 1);
    await drain(stack);
    expect((await copyIn("production", "Machine")).find((m) => m.id === plant.machineIds[0])?.status).toBe("DOWN");
  });

  it("outlives retention: a follower starting from nothing learns every entity's newest fact", async () => {
    const equipment = stack.subgraphs.equipment.pool;
    expect(await pruneOutbox(equipment, 0)).toBeGreaterThan(0);
    // Only the newest fact of each entity is left (the machine's DOWN, not its first IDLE).
    const kept = (await equipment.query(`SELECT count(*)::int AS n, count(DISTINCT "aggregateId")::int AS d FROM "OutboxEvent"`)).rows[0];
    expect(kept.n).toBe(kept.d);
    const production = stack.subgraphs.production.pool;
    await production.query(`DELETE FROM "ReferenceEntity"`);
    await production.query(`UPDATE "EventCursor" SET position = 0 WHERE consumer LIKE 'production<-equipment:references'`);
    await drain(stack);
    const machines = await copyIn("production", "Machine");
    expect(machines.map((m) => m.id).sort()).toEqual([...plant.machineIds].sort());
    expect(machines.find((m) => m.id === plant.machineIds[0])?.status).toBe("DOWN");
    const follower = stack.subgraphs.production.consumers.map((c) => c.status?.()).find((s) => s?.feed === "production<-equipment:references");
    expect(follower?.ok).toBe(true);
  });
});

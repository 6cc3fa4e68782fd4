// Event followers re-check the tenant: an effect applied from another subgraph's event must touch
// only entities of the event's organization and plant. The write path already refuses such
// references (cross-tenant-writes.test.ts); this plants the event directly in quality's outbox, as
// a faulty or older producer could, and checks that inventory does not hold another plant's lot,
// while the same event for the lot's own plant does.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { actAs } from "./support/auth.ts";
import { mustQuery } from "./support/graphql.ts";
import { createPlant, type PlantFixture } from "./support/fixtures.ts";
import { drain } from "./support/fuzz-fixture.ts";

const ORG = "f0110000-0000-4000-8000-00000000000a";
actAs({ userId: "ft.admin", organizationId: ORG, roles: ["ADMIN"] });

let stack: TestStack;
let plant1: PlantFixture;
let plant2: PlantFixture;
let lotId: string;

beforeAll(async () => {
  stack = await startTestStack();
  const url = stack.gatewayUrl;
  plant1 = await createPlant(url, ORG, "FT1", 1);
  plant2 = await createPlant(url, ORG, "FT2", 1);
  const { createMaterial: m } = await mustQuery(
    url,
    `mutation { createMaterial(input: { code: "FT-MAT", description: "Steel", unitOfMeasure: "KG", reorderPoint: 0, safetyStock: 0 }) { id } }`,
  );
  const { createLocation: l } = await mustQuery(
    url,
    `mutation($p: ID!) { createLocation(input: { plantId: $p, code: "WH", name: "Warehouse" }) { id } }`,
    {
      p: plant2.plantId,
    },
  );
  await mustQuery(
    url,
    `mutation($m: ID!, $l: ID!) { receiveStock(input: { materialId: $m, locationId: $l, lotNumber: "FT-LOT", quantity: 10, unitCost: 1 }) { documentId } }`,
    {
      m: m.id,
      l: l.id,
    },
  );
  const { lots } = await mustQuery(url, `query($p: ID!) { lots(plantId: $p, limit: 5) { items { id } } }`, { p: plant2.plantId });
  lotId = lots.items[0].id;
}, 120_000);

afterAll(async () => stack?.stop());

/** Appends a LotHoldRequested to quality's outbox as if quality had written it. */
async function plantHoldRequest(plantId: string, number: string) {
  await stack.subgraphs.quality.pool.query(
    `INSERT INTO "OutboxEvent" ("organizationId", "plantId", type, "aggregateId", payload, actor)
     VALUES ($1, $2, 'LotHoldRequested', $3, $4, 'planted')`,
    [ORG, plantId, lotId, JSON.stringify({ ncrId: crypto.randomUUID(), number, lotId, reason: `${number}: planted` })],
  );
  await drain(stack);
  const { lot } = await mustQuery(stack.gatewayUrl, `query($id: ID!) { lot(id: $id) { status } }`, { id: lotId });
  return lot.status as string;
}

describe("a followed event naming another plant's entity", () => {
  it("is not applied (the lot of plant 2 stays available after a plant-1 NCR's hold request)", async () => {
    expect(await plantHoldRequest(plant1.plantId, "NCR-X1")).toBe("AVAILABLE");
  });

  it("while the same request from the lot's own plant holds it", async () => {
    expect(await plantHoldRequest(plant2.plantId, "NCR-X2")).toBe("ON_HOLD");
  });
});

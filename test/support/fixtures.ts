import { mustQuery } from "./graphql.ts";

/** Ids of a small plant built through the graph's own mutations. */
export interface PlantFixture {
  organizationId: string;
  plantId: string;
  workCenterId: string;
  machineIds: string[];
}

export async function createPlant(url: string, organizationId: string, code = "P1", machines = 2): Promise<PlantFixture> {
  const { createPlant: plant } = await mustQuery(
    url,
    `mutation($c: String!) { createPlant(input: { code: $c, name: "Plant", timeZone: "Europe/Berlin" }) { id } }`,
    { c: code },
  );
  const { createArea: area } = await mustQuery(url, `mutation($p: ID!) { createArea(input: { plantId: $p, code: "A", name: "Area" }) { id } }`, {
    p: plant.id,
  });
  const { createWorkCenter: wc } = await mustQuery(
    url,
    `mutation($a: ID!) { createWorkCenter(input: { areaId: $a, code: "WC", name: "Work center" }) { id } }`,
    { a: area.id },
  );
  const machineIds: string[] = [];
  for (let i = 1; i <= machines; i++) {
    const { createMachine: m } = await mustQuery(
      url,
      `mutation($w: ID!, $c: String!) { createMachine(input: { workCenterId: $w, code: $c, name: $c, idealCycleSeconds: 30 }) { id } }`,
      { w: wc.id, c: `M-${i}` },
    );
    machineIds.push(m.id);
  }
  return { organizationId, plantId: plant.id, workCenterId: wc.id, machineIds };
}

/** A product with `steps` routing steps on the fixture's work center and the given BOM. */
export async function createProduct(
  url: string,
  f: PlantFixture,
  code: string,
  steps: number,
  bom: { materialId: string; quantityPer: number }[] = [],
  parallelFrom?: number,
) {
  const { createProduct: p } = await mustQuery(url, `mutation($i: CreateProductInput!) { createProduct(input: $i) { id } }`, {
    i: {
      plantId: f.plantId,
      code,
      name: code,
      routing: Array.from({ length: steps }, (_, i) => ({
        sequence: (i + 1) * 10,
        name: `Step ${i + 1}`,
        workCenterId: f.workCenterId,
        cycleTimeSeconds: 60,
        parallel: parallelFrom !== undefined && i + 1 >= parallelFrom,
      })),
      billOfMaterials: bom,
    },
  });
  return p.id as string;
}

export async function createWorkOrder(url: string, productId: string, number: string, quantity: number, dueDate = "2027-06-30T00:00:00Z") {
  const { createWorkOrder: wo } = await mustQuery(
    url,
    `mutation($i: CreateWorkOrderInput!) { createWorkOrder(input: $i) { id operations { id sequence } } }`,
    {
      i: { productId, number, quantity, dueDate },
    },
  );
  return { id: wo.id as string, operations: (wo.operations as { id: string; sequence: number }[]).map((o) => o.id) };
}

/** A material with one lot of `quantity` received into a new location of the fixture's plant. */
export async function createStockedMaterial(url: string, f: PlantFixture, code: string, quantity: number, unitCost = 2.5) {
  const { createMaterial: m } = await mustQuery(
    url,
    `mutation($c: String!) { createMaterial(input: { code: $c, description: "m", unitOfMeasure: "EA" }) { id } }`,
    {
      c: code,
    },
  );
  const { createLocation: l } = await mustQuery(
    url,
    `mutation($p: ID!, $c: String!) { createLocation(input: { plantId: $p, code: $c, name: "WH" }) { id } }`,
    {
      p: f.plantId,
      c: `${code}-WH`,
    },
  );
  await mustQuery(
    url,
    `mutation($m: ID!, $l: ID!, $lot: String!, $q: Float!, $u: Float!) { receiveStock(input: { materialId: $m, locationId: $l, lotNumber: $lot, quantity: $q, unitCost: $u }) { quantity } }`,
    { m: m.id, l: l.id, lot: `${code}-L`, q: quantity, u: unitCost },
  );
  return { materialId: m.id as string, locationId: l.id as string };
}

// Issue 17: lookups by business key (work-order number, product/machine/plant/material code, lot
// number, NCR number) through the gateway, scoped like every other read: another organization's
// key and, for a plant-limited caller, another plant's key answer null, as a missing one does.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDemoData, type DemoPlant } from "@mes/shared";
import { graphql, mustQuery } from "./support/graphql.ts";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { bearer } from "./support/auth.ts";

const demo = buildDemoData();
const LAK = demo.plants.find((p) => p.code === "LAK")!;
const RIV = demo.plants.find((p) => p.code === "RIV")!;
const OTHER_ORG = "0f0f0f0f-0000-4000-8000-0000000000ee";

interface Lookup {
  field: string;
  /** Argument name → GraphQL type. */
  types: Record<string, string>;
  /** The business-key field of the entity, selected next to its id. */
  key: string;
  /** The arguments naming one entity of the plant, and that entity's id and key. */
  of: (p: DemoPlant) => { args: Record<string, string>; id: string; key: string };
  /** Shared by every plant of the organization (a material), so a plant-limited caller sees it. */
  organizationWide?: boolean;
}

const materialOfFirstLot = (p: DemoPlant) => demo.materials.find((m) => m.id === p.lots[0]!.materialId)!;

const LOOKUPS: Lookup[] = [
  {
    field: "workOrderByNumber",
    types: { number: "String!" },
    key: "number",
    of: (p) => ({ args: { number: p.workOrders[0]!.number }, id: p.workOrders[0]!.id, key: p.workOrders[0]!.number }),
  },
  {
    field: "productByCode",
    types: { plantId: "ID!", code: "String!" },
    key: "code",
    of: (p) => ({ args: { plantId: p.id, code: p.products[0]!.code }, id: p.products[0]!.id, key: p.products[0]!.code }),
  },
  {
    field: "machineByCode",
    types: { plantId: "ID!", code: "String!" },
    key: "code",
    of: (p) => ({ args: { plantId: p.id, code: p.machines[0]!.code }, id: p.machines[0]!.id, key: p.machines[0]!.code }),
  },
  {
    field: "plantByCode",
    types: { code: "String!" },
    key: "code",
    of: (p) => ({ args: { code: p.code }, id: p.id, key: p.code }),
  },
  {
    field: "materialByCode",
    types: { code: "String!" },
    key: "code",
    organizationWide: true,
    of: (p) => ({ args: { code: materialOfFirstLot(p).code }, id: materialOfFirstLot(p).id, key: materialOfFirstLot(p).code }),
  },
  {
    field: "lotByNumber",
    types: { materialId: "ID!", lotNumber: "String!" },
    key: "lotNumber",
    of: (p) => ({ args: { materialId: p.lots[0]!.materialId, lotNumber: p.lots[0]!.lotNumber }, id: p.lots[0]!.id, key: p.lots[0]!.lotNumber }),
  },
  {
    field: "ncrByNumber",
    types: { number: "String!" },
    key: "number",
    of: (p) => ({ args: { number: p.ncrs[0]!.number }, id: p.ncrs[0]!.id, key: p.ncrs[0]!.number }),
  },
];

const queryOf = (l: Lookup) =>
  `query(${Object.entries(l.types)
    .map(([name, type]) => `$${name}: ${type}`)
    .join(", ")}) { found: ${l.field}(${Object.keys(l.types)
    .map((name) => `${name}: $${name}`)
    .join(", ")}) { __typename id ${l.key} } }`;

let stack: TestStack;
let admin: { authorization: string };
let otherOrganization: { authorization: string };
let rivOnly: { authorization: string };

/** What the lookup answers the caller: the entity (id and key) or null; any error fails the test. */
async function lookUp(l: Lookup, args: Record<string, string>, caller: { authorization: string }) {
  const { found } = await mustQuery<{ found: ({ id: string } & Record<string, string>) | null }>(stack.gatewayUrl, queryOf(l), args, caller);
  return found && { id: found.id, key: found[l.key] };
}

beforeAll(async () => {
  stack = await startTestStack({ seed: true });
  admin = await bearer(); // the demo organization's administrator, every plant
  otherOrganization = await bearer({ userId: "other.admin", organizationId: OTHER_ORG });
  rivOnly = await bearer({ userId: "riv.admin", plantIds: [RIV.id] });
}, 180_000);
afterAll(async () => stack?.stop());

describe.each(LOOKUPS)("$field", (l) => {
  it("finds the entity by its business key through the gateway", async () => {
    for (const plant of [LAK, RIV]) {
      const { args, id, key } = l.of(plant);
      expect(await lookUp(l, args, admin), `${plant.code}`).toEqual({ id, key });
    }
  });

  it("answers null for a key that names nothing", async () => {
    const { args } = l.of(LAK);
    const keyArg = Object.keys(l.types).find((name) => l.types[name] === "String!")!;
    expect(await lookUp(l, { ...args, [keyArg]: `${args[keyArg]}-NOPE` }, admin)).toBeNull();
  });

  it("answers null for another organization's key", async () => {
    expect(await lookUp(l, l.of(LAK).args, otherOrganization)).toBeNull();
  });

  it(
    l.organizationWide
      ? "shows a plant-limited caller the organization-wide entity"
      : "answers a plant-limited caller null for another plant's entity, and finds its own plant's",
    async () => {
      const lak = l.of(LAK);
      expect(await lookUp(l, lak.args, rivOnly)).toEqual(l.organizationWide ? { id: lak.id, key: lak.key } : null);
      const riv = l.of(RIV);
      expect(await lookUp(l, riv.args, rivOnly)).toEqual({ id: riv.id, key: riv.key });
    },
  );
});

describe("lookups by business key", () => {
  it("resolve fields of other subgraphs on what they find", async () => {
    const wo = LAK.workOrders[0]!;
    const { workOrderByNumber, machineByCode } = await mustQuery(
      stack.gatewayUrl,
      `query($n: String!, $p: ID!, $m: String!) {
        workOrderByNumber(number: $n) { number plant { code } product { code } inspections { totalCount items { id } } }
        machineByCode(plantId: $p, code: $m) { code plant { code } }
      }`,
      { n: wo.number, p: LAK.id, m: LAK.machines[0]!.code },
      admin,
    );
    expect(workOrderByNumber).toMatchObject({
      number: wo.number,
      plant: { code: "LAK" },
      product: { code: LAK.products.find((p) => p.id === wo.productId)!.code },
    });
    expect(Array.isArray(workOrderByNumber.inspections.items)).toBe(true);
    expect(machineByCode).toEqual({ code: LAK.machines[0]!.code, plant: { code: "LAK" } });
  });

  it("refuse a malformed id argument as bad input naming it", async () => {
    for (const l of LOOKUPS.filter((x) => Object.keys(x.types).some((name) => name.endsWith("Id")))) {
      const idArg = Object.keys(l.types).find((name) => name.endsWith("Id"))!;
      const res = await graphql(stack.gatewayUrl, queryOf(l), { ...l.of(LAK).args, [idArg]: "not-a-uuid" }, admin);
      expect(res.errors?.[0]?.extensions?.code, l.field).toBe("BAD_USER_INPUT");
      expect(res.errors?.[0]?.extensions?.fields, l.field).toEqual([{ field: idArg, message: "must be a UUID" }]);
    }
  });
});

import { describe, expect, it } from "vitest";
import { scopedDb, scopeSql, type ModelTenancy } from "./tenancy.ts";

// A stand-in for a Prisma client: $extends returns a new object, as Prisma's does.
const client = () => ({ $extends: (extension: unknown) => ({ extension }) });
const models = new Map<string, ModelTenancy>([
  ["WorkOrder", { organization: true, plant: "required", isPlant: false }],
  ["Material", { organization: true, plant: "none", isPlant: false }],
  ["Location", { organization: true, plant: "optional", isPlant: false }],
  ["Plant", { organization: true, plant: "none", isPlant: true }],
]);
const org = "5ca1e000-0000-4000-8000-000000000001";

describe("scopedDb", () => {
  it("gives callers of one tenant one client, and other tenants their own", () => {
    const db = client();
    const a = scopedDb(db, { organizationId: org, plantIds: ["p1", "p2"] }, models);
    expect(scopedDb(db, { organizationId: org, plantIds: ["p2", "p1"] }, models)).toBe(a);
    const others = [
      scopedDb(db, { organizationId: org, plantIds: ["p1"] }, models),
      scopedDb(db, { organizationId: org, plantIds: null }, models),
      scopedDb(db, { organizationId: org, plantIds: [] }, models),
      scopedDb(db, { organizationId: "another-org", plantIds: ["p1", "p2"] }, models),
      scopedDb(client(), { organizationId: org, plantIds: ["p1", "p2"] }, models),
    ];
    expect(new Set([a, ...others]).size).toBe(6);
  });
});

describe("scopeSql", () => {
  const sql = (plantIds: string[] | null, model: string) => {
    const values: unknown[] = ["first"];
    const condition = scopeSql(scopedDb(client(), { organizationId: org, plantIds }, models), model, values);
    return { condition, values };
  };

  it("filters by organization, and by plants the way the scoped client's filter does", () => {
    expect(sql(["p1"], "WorkOrder")).toEqual({
      condition: `"organizationId" = $2::uuid AND "plantId" = ANY($3::uuid[])`,
      values: ["first", org, ["p1"]],
    });
    expect(sql(["p1"], "Location").condition).toBe(`"organizationId" = $2::uuid AND ("plantId" IS NULL OR "plantId" = ANY($3::uuid[]))`);
    expect(sql(["p1"], "Plant").condition).toBe(`"organizationId" = $2::uuid AND "id" = ANY($3::uuid[])`);
    expect(sql(["p1"], "Material")).toEqual({ condition: `"organizationId" = $2::uuid`, values: ["first", org] });
    // Every plant: the organization only. No plant: nothing of a plant-level table.
    expect(sql(null, "WorkOrder")).toEqual({ condition: `"organizationId" = $2::uuid`, values: ["first", org] });
    expect(sql([], "WorkOrder").values).toEqual(["first", org, []]);
  });

  it("refuses a client that is not scoped, and a model without tenant columns", () => {
    expect(() => scopeSql(client(), "WorkOrder", [])).toThrow(/scopedDb/);
    expect(() => sql(null, "CrewMember")).toThrow(/no tenant columns/);
  });
});

// Row-level security behind the tenancy choke point: raw SQL that forgets the tenant filter,
// run as the services run it (their pool: the mes_app role, the request's tenant in its settings),
// still sees and writes nothing of another tenant. Checked on every subgraph's database: every
// table with an organizationId has the policy, and the role bypasses none of it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SUBGRAPHS } from "@mes/db";
import { requestQueries, type RowTenant } from "@mes/shared";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { actAs } from "./support/auth.ts";
import { createPlant, type PlantFixture } from "./support/fixtures.ts";

const ORG_A = "41500000-0000-4000-8000-00000000000a";
const ORG_B = "41500000-0000-4000-8000-00000000000b";

let stack: TestStack;
let a1: PlantFixture;
let a2: PlantFixture;
let b1: PlantFixture;

beforeAll(async () => {
  stack = await startTestStack();
  actAs({ userId: "rls.a", organizationId: ORG_A, roles: ["ADMIN"] });
  a1 = await createPlant(stack.gatewayUrl, ORG_A, "RA1", 1);
  a2 = await createPlant(stack.gatewayUrl, ORG_A, "RA2", 1);
  actAs({ userId: "rls.b", organizationId: ORG_B, roles: ["ADMIN"] });
  b1 = await createPlant(stack.gatewayUrl, ORG_B, "RB1", 1);
}, 120_000);

afterAll(async () => stack?.stop());

/** Raw SQL through equipment's own pool, in a request scope of `tenant` (undefined: no caller yet). */
const asTenant = async (tenant: RowTenant | undefined, sql: string, values: unknown[] = []) =>
  requestQueries.run({ queries: 0, ...(tenant ? { tenant } : {}) }, () => stack.subgraphs.equipment.pool.query(sql, values));

const machines = async (tenant: RowTenant | undefined) =>
  (await asTenant(tenant, `SELECT id::text FROM "Machine"`)).rows.map((r) => r.id as string).sort();

describe("row-level security", () => {
  it("shows a query without a tenant filter only the caller's organization", async () => {
    expect(await machines({ organizationId: ORG_A, plantIds: null })).toEqual([a1.machineIds[0], a2.machineIds[0]].sort());
    expect(await machines({ organizationId: ORG_B, plantIds: null })).toEqual(b1.machineIds);
  });

  it("and only the caller's plants", async () => {
    expect(await machines({ organizationId: ORG_A, plantIds: [a2.plantId] })).toEqual(a2.machineIds);
    const plants = (await asTenant({ organizationId: ORG_A, plantIds: [a1.plantId] }, `SELECT id::text FROM "Plant"`)).rows.map((r) => r.id);
    expect(plants).toEqual([a1.plantId]);
  });

  it("shows a request whose caller is not known nothing at all", async () => {
    expect(await machines(undefined)).toEqual([]);
  });

  it("refuses to write a row of another tenant, and cannot touch one", async () => {
    const a = { organizationId: ORG_A, plantIds: [a1.plantId] };
    await expect(
      asTenant(a, `INSERT INTO "Area" (id, "organizationId", "plantId", code, name) VALUES (gen_random_uuid(), $1, $2, 'X', 'X')`, [
        ORG_B,
        b1.plantId,
      ]),
    ).rejects.toThrow(/row-level security/);
    await expect(
      asTenant(a, `INSERT INTO "Area" (id, "organizationId", "plantId", code, name) VALUES (gen_random_uuid(), $1, $2, 'X', 'X')`, [
        ORG_A,
        a2.plantId,
      ]),
    ).rejects.toThrow(/row-level security/);
    const updated = await asTenant(a, `UPDATE "Machine" SET name = 'taken' WHERE true`);
    expect(updated.rowCount).toBe(1); // its own machine only
    const deleted = await asTenant(a, `DELETE FROM "MachineStatusChange" WHERE "machineId" = $1`, [b1.machineIds[0]]);
    expect(deleted.rowCount).toBe(0);
  });

  it("covers every table with an organizationId in every subgraph, for a role that bypasses nothing", async () => {
    for (const name of SUBGRAPHS) {
      const pool = stack.subgraphs[name].pool;
      const role = (await pool.query(`SELECT current_user AS role, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`)).rows[0];
      expect(role, name).toEqual({ role: "mes_app", rolsuper: false, rolbypassrls: false });
      const unprotected = (
        await pool.query(`SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = current_schema() AND c.relkind = 'r'
             AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'organizationId' AND NOT a.attisdropped)
             AND (NOT c.relrowsecurity OR NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = 'mes_tenant'))`)
      ).rows.map((r) => r.relname);
      expect(unprotected, name).toEqual([]);
    }
  });
});

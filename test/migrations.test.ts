import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SUBGRAPHS, databaseUrl, dropDatabase, ensureDatabase, runPrisma, schemaPath, type SubgraphName } from "@mes/db";
import { createTestDatabases } from "./support/databases.ts";
import { catalogSnapshot, executeScript } from "./support/catalog.ts";

// A Prisma schema changed without a migration fails here: the database the committed migrations
// build must equal the one the schema describes.
let migrated: Awaited<ReturnType<typeof createTestDatabases>>;
const scratch: string[] = [];

beforeAll(async () => {
  migrated = await createTestDatabases();
});
afterAll(async () => {
  await migrated?.drop();
  for (const db of scratch) await dropDatabase(migrated.adminUrl, db);
});

async function databaseFromSchema(subgraph: SubgraphName, schemaFile: string): Promise<string> {
  const name = `mes_schema_${subgraph}_${process.pid}_${scratch.length}`;
  await dropDatabase(migrated.adminUrl, name);
  await ensureDatabase(migrated.adminUrl, name);
  scratch.push(name);
  const url = databaseUrl(migrated.adminUrl, name);
  // With a driver adapter configured the CLI connects even to diff from empty; it writes nothing.
  const sql = await runPrisma(subgraph, ["migrate", "diff", "--from-empty", "--to-schema-datamodel", schemaFile, "--script"], url);
  // The CLI prints its config banner before the script; the SQL starts at the first statement.
  await executeScript(url, sql.slice(sql.search(/^(--|CREATE)/m)));
  return url;
}

describe("committed migrations match the Prisma schemas", () => {
  for (const subgraph of SUBGRAPHS) {
    it(`${subgraph}: migrations build exactly what its Prisma schema describes`, async () => {
      const fromSchema = await catalogSnapshot(await databaseFromSchema(subgraph, schemaPath(subgraph)));
      const fromMigrations = await catalogSnapshot(migrated.urls[subgraph]);
      expect(fromMigrations.columns?.length).toBeGreaterThan(0);
      expect(fromMigrations, `prisma/${subgraph}/schema has changes without a migration: run prisma migrate dev`).toEqual(fromSchema);
    });
  }

  it("notices a schema change that has no migration", async () => {
    const original = fs.readFileSync(path.join(schemaPath("shifts"), "shifts.prisma"), "utf8");
    const changed = fs.mkdtempSync(path.join(os.tmpdir(), "mes-schema-"));
    fs.copyFileSync(path.join(schemaPath("shifts"), "kit.prisma"), path.join(changed, "kit.prisma"));
    fs.writeFileSync(
      path.join(changed, "shifts.prisma"),
      original.replace("  notes           String\n", "  notes           String\n  priority        Int      @default(0)\n"),
    );
    expect(fs.readFileSync(path.join(changed, "shifts.prisma"), "utf8")).not.toBe(original);
    const fromSchema = await catalogSnapshot(await databaseFromSchema("shifts", changed));
    const fromMigrations = await catalogSnapshot(migrated.urls.shifts);
    expect(fromSchema.columns).toContain("Handover priority int4 NO 0 32 0");
    expect(fromMigrations).not.toEqual(fromSchema);
  });
});

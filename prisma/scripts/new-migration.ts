// `pnpm migration <subgraph> <name>`: writes prisma/<subgraph>/migrations/<timestamp>_<name> for the
// changes in its Prisma schema (prisma/<subgraph>/schema/). Uses a throwaway embedded PostgreSQL, so nothing needs to be running.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { databaseUrl, ensureDatabase, freePort } from "../src/postgres.ts";
import { startEmbeddedPostgres } from "../src/embedded-postgres.ts";
import { migrateDeploy } from "../src/migrations.ts";
import { runPrisma } from "../src/prisma-cli.ts";
import { SUBGRAPHS, isSubgraphName } from "../src/subgraphs.ts";
import { committedMigrations } from "../src/migrations.ts";

const [subgraph, name] = process.argv.slice(2);
if (!subgraph || !isSubgraphName(subgraph) || !name || !/^[a-z0-9_]+$/.test(name)) {
  console.error(`usage: pnpm migration <${SUBGRAPHS.join("|")}> <name_in_snake_case>`);
  process.exit(2);
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mes-migration-"));
fs.chmodSync(tmp, 0o755);
const server = await startEmbeddedPostgres({ dataDir: path.join(tmp, "data"), port: await freePort() });
try {
  await ensureDatabase(server.adminUrl, "scratch");
  const url = databaseUrl(server.adminUrl, "scratch");
  await migrateDeploy(subgraph, url);
  const before = new Set(committedMigrations(subgraph));
  const first = before.size === 0;
  try {
    const out = await runPrisma(subgraph, ["migrate", "dev", "--create-only", "--skip-generate", "--name", name], url);
    if (/already in sync/i.test(out)) console.log(`prisma/${subgraph}/schema has no changes to migrate`);
  } catch (err) {
    // Prisma 6.19's WebAssembly engine can fail while cleaning up ("null pointer passed to rust")
    // after it wrote the migration; the written file is what counts (test/migrations.test.ts checks it).
    if (committedMigrations(subgraph).every((m) => before.has(m))) throw err;
    console.warn(`note: the schema engine reported an error after writing the migration: ${(err as Error).message.split("\n").at(-1)}`);
  }
  for (const m of committedMigrations(subgraph).filter((m) => !before.has(m))) {
    const file = path.join(path.dirname(import.meta.dirname), subgraph, "migrations", m, "migration.sql");
    // With no schema change, `migrate dev --create-only` writes an empty migration; drop it.
    if (/^-- This is an empty migration\.\s*$/.test(fs.readFileSync(file, "utf8"))) {
      fs.rmSync(path.dirname(file), { recursive: true });
      console.log(`prisma/${subgraph}/schema has no changes to migrate`);
    } else {
      // The kit's SQL comes with a new subgraph's first migration; every new table gets the audit trigger.
      const kit = first ? `\n${fs.readFileSync(path.join(path.dirname(import.meta.dirname), "kit.sql"), "utf8")}` : "";
      const attach =
        first || /^CREATE TABLE/m.test(fs.readFileSync(file, "utf8"))
          ? "\n-- Audit every new domain table, and row-level security on it (prisma/kit.sql).\nSELECT mes_attach_audit();\nSELECT mes_attach_rls();\n"
          : "";
      if (kit || attach) fs.appendFileSync(file, `${kit}${attach}`);
      console.log(`wrote prisma/${subgraph}/migrations/${m}/migration.sql`);
    }
  }
} finally {
  await server.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}

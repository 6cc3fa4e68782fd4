// Once per test run: a PostgreSQL server (embedded in a temporary folder, or TEST_DATABASE_URL) and
// one template database per subgraph migrated with `prisma migrate deploy`. Each test file then
// clones its own databases from the templates in milliseconds.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { SUBGRAPHS, databaseUrl, dropDatabase, ensureDatabase, freePort, migrateDeploy } from "@mes/db";
import { startEmbeddedPostgres, type PostgresServer } from "@mes/db/embedded";

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
    templatePrefix: string;
  }
}

export default async function setup(project: TestProject) {
  const started = Date.now();
  let server: PostgresServer | null = null;
  let tmp: string | null = null;
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mes-test-pg-"));
    // As root, PostgreSQL runs as an unprivileged user that must be able to enter this folder.
    fs.chmodSync(tmp, 0o755);
    server = await startEmbeddedPostgres({ dataDir: path.join(tmp, "data"), port: await freePort() });
    adminUrl = server.adminUrl;
  }
  const prefix = `mes_tpl_${process.pid}`;
  await Promise.all(
    SUBGRAPHS.map(async (name) => {
      const db = `${prefix}_${name}`;
      await dropDatabase(adminUrl!, db);
      await ensureDatabase(adminUrl!, db);
      await migrateDeploy(name, databaseUrl(adminUrl!, db));
    }),
  );
  console.log(`[test] PostgreSQL ${server ? "embedded" : "external"}; templates migrated in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  project.provide("pgAdminUrl", adminUrl);
  project.provide("templatePrefix", prefix);

  return async () => {
    await Promise.all(SUBGRAPHS.map((name) => dropDatabase(adminUrl!, `${prefix}_${name}`).catch(() => {})));
    if (server) await server.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  };
}

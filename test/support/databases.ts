import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { SUBGRAPHS, databaseUrl, dropDatabase, ensureDatabase, type SubgraphName } from "@mes/db";

export type DatabaseUrls = Record<SubgraphName, string>;

/** Fresh databases for one test file, cloned from the migrated templates. */
export async function createTestDatabases(subgraphs: readonly SubgraphName[] = SUBGRAPHS) {
  const adminUrl = inject("pgAdminUrl");
  const prefix = inject("templatePrefix");
  const tag = `mes_t_${randomBytes(4).toString("hex")}`;
  const urls = {} as DatabaseUrls;
  // One at a time: PostgreSQL refuses two clones of the same template at once.
  for (const name of subgraphs) {
    await ensureDatabase(adminUrl, `${tag}_${name}`, `${prefix}_${name}`);
    urls[name] = databaseUrl(adminUrl, `${tag}_${name}`);
  }
  return {
    adminUrl,
    urls,
    async drop() {
      for (const name of subgraphs) await dropDatabase(adminUrl, `${tag}_${name}`);
    },
  };
}

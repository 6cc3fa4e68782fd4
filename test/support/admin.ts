import pg from "pg";
import type { SubgraphName } from "@mes/db";
import type { TestStack } from "./stack.ts";

// The services run as mes_app under row-level security; what a test does as the database's
// administrator (DDL, terminating backends, planting rows of any tenant) goes through these.
const pools = new Map<string, pg.Pool>();

/** A pool on the same database as `appPool`, logged in as the administrator (no application role). */
export function adminPoolOf(appPool: pg.Pool): pg.Pool {
  const url = appPool.options.connectionString!;
  let pool = pools.get(url);
  if (!pool) {
    pool = new pg.Pool({ connectionString: url, max: 2 });
    pool.on("error", () => {});
    pools.set(url, pool);
  }
  return pool;
}

export const adminPool = (stack: TestStack, name: SubgraphName): pg.Pool => adminPoolOf(stack.subgraphs[name].pool);

/** Ends the administrator pools (afterAll). */
export async function closeAdminPools(): Promise<void> {
  await Promise.all([...pools.values()].map((p) => p.end().catch(() => {})));
  pools.clear();
}

/** Entities another subgraph owns, as the copy of its reference data would hold them (a subgraph tested alone). */
export async function knownReferences(
  appPool: pg.Pool | string,
  facts: { kind: string; id: string; organizationId: string; plantId?: string | null; status?: string | null }[],
): Promise<void> {
  for (const f of facts)
    await adminPoolOf(typeof appPool === "string" ? new pg.Pool({ connectionString: appPool }) : appPool).query(
      `INSERT INTO "ReferenceEntity" (kind, id, "organizationId", "plantId", status, version) VALUES ($1, $2, $3, $4, $5, 0) ON CONFLICT DO NOTHING`,
      [f.kind, f.id, f.organizationId, f.kind === "Plant" ? f.id : (f.plantId ?? null), f.status ?? null],
    );
}

import fs from "node:fs";
import pg from "pg";
import { runPrisma } from "./prisma-cli.ts";
import { migrationsDir, type SubgraphName } from "./subgraphs.ts";

/** Names of the committed migrations of a subgraph, oldest first. */
export function committedMigrations(subgraph: SubgraphName): string[] {
  if (!fs.existsSync(migrationsDir(subgraph))) return []; // a new subgraph before its first migration
  return fs
    .readdirSync(migrationsDir(subgraph), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

export interface MigrationState {
  applied: string[];
  pending: string[];
  failed: string[];
}

/** Compares the committed migrations with Prisma's `_prisma_migrations` table in the database. */
export async function migrationState(subgraph: SubgraphName, query: pg.Pool | pg.Client): Promise<MigrationState> {
  const committed = committedMigrations(subgraph);
  const { rows: table } = await query.query<{ exists: boolean }>("SELECT to_regclass('public._prisma_migrations') IS NOT NULL AS exists");
  if (!table[0]?.exists) return { applied: [], pending: committed, failed: [] };
  const { rows } = await query.query<{ migration_name: string; finished_at: Date | null; rolled_back_at: Date | null }>(
    "SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations",
  );
  const applied = new Set(rows.filter((r) => r.finished_at && !r.rolled_back_at).map((r) => r.migration_name));
  const failed = rows.filter((r) => !r.finished_at && !r.rolled_back_at).map((r) => r.migration_name);
  return {
    applied: committed.filter((m) => applied.has(m)),
    pending: committed.filter((m) => !applied.has(m)),
    failed,
  };
}

/**
 * Applies pending migrations with `prisma migrate deploy`. The CLI is only started when something
 * is pending: it takes ~11 s even with nothing to do (a timer in the WebAssembly schema engine keeps
 * the process alive), which would slow every warm start.
 */
export async function migrateDeploy(subgraph: SubgraphName, databaseUrl: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  let state: MigrationState;
  try {
    state = await migrationState(subgraph, client);
  } finally {
    await client.end();
  }
  if (state.failed.length > 0) {
    throw new Error(`${subgraph}: migration(s) ${state.failed.join(", ")} failed earlier; resolve with \`prisma migrate resolve\``);
  }
  if (state.pending.length === 0) return [];
  await runPrisma(subgraph, ["migrate", "deploy"], databaseUrl);
  return state.pending;
}

import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";
import { SUBGRAPHS, isSubgraphName } from "./subgraphs.ts";

/**
 * The Prisma CLI config every subgraph shares. The driver adapter makes the CLI use Prisma's
 * WebAssembly schema engine, so `migrate` needs no native engine download (air-gapped plants).
 * `generate` needs no database, so DATABASE_URL is only read when a command connects.
 */
export function defineSubgraphPrismaConfig(subgraph: string | undefined) {
  if (!subgraph || !isSubgraphName(subgraph)) throw new Error(`MES_SUBGRAPH must name a subgraph: ${SUBGRAPHS.join(", ")}`);
  const dir = path.join(import.meta.dirname, "..", subgraph);
  return defineConfig({
    experimental: { adapter: true },
    engine: "js",
    schema: path.join(dir, "schema"),
    migrations: { path: path.join(dir, "migrations") },
    async adapter() {
      const connectionString = process.env.DATABASE_URL;
      if (!connectionString) throw new Error("DATABASE_URL is not set for the Prisma CLI");
      // allowExitOnIdle: without it the idle pool keeps the CLI alive for 10 s after its work is done.
      return new PrismaPg({ ...connectionFields(connectionString), allowExitOnIdle: true });
    },
  });
}

/**
 * Discrete pg settings instead of a connection string: for `migrate dev`'s shadow database the
 * adapter creates `new Pool({ ...config, database })`, and a connectionString would override that
 * `database`, silently using the real database as the shadow one.
 */
export function connectionFields(connectionString: string) {
  const url = new URL(connectionString);
  const sslmode = url.searchParams.get("sslmode");
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : 5432,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.slice(1)) || "postgres",
    ...(sslmode && sslmode !== "disable" ? { ssl: { rejectUnauthorized: sslmode === "verify-full" } } : {}),
  };
}

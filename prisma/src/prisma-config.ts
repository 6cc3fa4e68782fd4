import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";

/**
 * The Prisma CLI config every subgraph shares. The driver adapter makes the CLI use Prisma's
 * WebAssembly schema engine, so `migrate` needs no native engine download (air-gapped plants).
 * `generate` needs no database, so DATABASE_URL is only read when a command connects.
 */
export function defineSubgraphPrismaConfig(dir: string) {
  return defineConfig({
    experimental: { adapter: true },
    engine: "js",
    schema: path.join(dir, "schema.prisma"),
    migrations: { path: path.join(dir, "migrations") },
    async adapter() {
      const connectionString = process.env.DATABASE_URL;
      if (!connectionString) throw new Error("DATABASE_URL is not set for the Prisma CLI");
      // allowExitOnIdle: without it the idle pool keeps the CLI alive for 10 s after its work is done.
      return new PrismaPg({ connectionString, allowExitOnIdle: true });
    },
  });
}

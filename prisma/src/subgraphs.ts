import path from "node:path";

/** The five subgraph services, each owning one PostgreSQL database. */
export const SUBGRAPHS = ["production", "quality", "equipment", "shifts", "inventory"] as const;
export type SubgraphName = (typeof SUBGRAPHS)[number];

/** Default local ports: the gateway takes 4000. */
export const DEFAULT_PORTS: Record<SubgraphName | "gateway", number> = {
  gateway: 4000,
  production: 4001,
  quality: 4002,
  equipment: 4003,
  shifts: 4004,
  inventory: 4005,
};

const prismaRoot = path.resolve(import.meta.dirname, "..");

export function prismaConfigPath(subgraph: SubgraphName): string {
  return path.join(prismaRoot, subgraph, "prisma.config.ts");
}

export function migrationsDir(subgraph: SubgraphName): string {
  return path.join(prismaRoot, subgraph, "migrations");
}

export function isSubgraphName(name: string): name is SubgraphName {
  return (SUBGRAPHS as readonly string[]).includes(name);
}

export function schemaPath(subgraph: SubgraphName): string {
  return path.join(prismaRoot, subgraph, "schema.prisma");
}

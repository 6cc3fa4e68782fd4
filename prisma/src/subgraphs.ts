import path from "node:path";

/**
 * The subgraph registry: the one place that lists the subgraphs. The gateway, the launcher, the
 * tests, codegen, docker-compose.yml and the init SQL all derive their lists from it. Everything
 * else about a subgraph lives in its own folders: `subgraphs/<name>/` (schema.graphql and the
 * definition in src/subgraph.ts) and `prisma/<name>/` (schema and migrations).
 */
export const SUBGRAPH_REGISTRY = {
  production: { port: 4001, follows: [] },
  quality: { port: 4002, follows: [] },
  equipment: { port: 4003, follows: ["production"] },
  shifts: { port: 4004, follows: [] },
  inventory: { port: 4005, follows: ["production", "quality"] },
} as const satisfies Record<string, SubgraphRegistration>;

export interface SubgraphRegistration {
  /** Default local port (the gateway takes 4000). */
  port: number;
  /** Subgraphs whose event feeds this one follows; they start first, and `<NAME>_URL` points at them. */
  follows: readonly string[];
}

export type SubgraphName = keyof typeof SUBGRAPH_REGISTRY;

export const SUBGRAPHS = Object.keys(SUBGRAPH_REGISTRY) as SubgraphName[];

/** Default local ports: the gateway takes 4000. */
export const DEFAULT_PORTS = {
  gateway: 4000,
  ...(Object.fromEntries(SUBGRAPHS.map((n) => [n, SUBGRAPH_REGISTRY[n].port])) as Record<SubgraphName, number>),
};

export function followedFeeds(name: SubgraphName): readonly SubgraphName[] {
  return SUBGRAPH_REGISTRY[name].follows;
}

/**
 * The subgraphs whose feeds a subgraph may read: the ones it follows for their effects, and any
 * other for reference data (a copy of the entities its writes name, see @mes/shared references).
 * Each gets their `<NAME>_URL`; start order (waves) only waits for the followed ones.
 */
export function feedSources(name: SubgraphName): readonly SubgraphName[] {
  return SUBGRAPHS.filter((n) => n !== name);
}

/** The subgraphs in waves: each wave only follows feeds of earlier waves (start order). */
export function startWaves(): SubgraphName[][] {
  const waves: SubgraphName[][] = [];
  const started = new Set<SubgraphName>();
  while (started.size < SUBGRAPHS.length) {
    const wave = SUBGRAPHS.filter((n) => !started.has(n) && followedFeeds(n).every((f) => started.has(f)));
    if (wave.length === 0) throw new Error("The subgraph registry has a cycle of followed feeds");
    for (const n of wave) started.add(n);
    waves.push(wave);
  }
  return waves;
}

/** The environment variable holding a subgraph's GraphQL URL (gateway, and followers of its feed). */
export type UrlVariable<N extends SubgraphName = SubgraphName> = `${Uppercase<N>}_URL`;

export function urlVariable<N extends SubgraphName>(name: N): UrlVariable<N> {
  return `${name.toUpperCase() as Uppercase<N>}_URL`;
}

/** The database a subgraph owns on a shared server (embedded, compose). */
export function databaseName(name: SubgraphName): string {
  return `mes_${name}`;
}

const repoRoot = path.resolve(import.meta.dirname, "..", "..");
const prismaRoot = path.join(repoRoot, "prisma");

export function subgraphDir(subgraph: SubgraphName): string {
  return path.join(repoRoot, "subgraphs", subgraph);
}

/** The subgraph's own schema.graphql (composed with the kit SDL of @mes/shared). */
export function graphqlSchemaPath(subgraph: SubgraphName): string {
  return path.join(subgraphDir(subgraph), "schema.graphql");
}

/** The Prisma CLI config shared by the subgraphs (MES_SUBGRAPH picks one). */
export const PRISMA_CONFIG_PATH = path.join(prismaRoot, "prisma.config.ts");

export function migrationsDir(subgraph: SubgraphName): string {
  return path.join(prismaRoot, subgraph, "migrations");
}

export function isSubgraphName(name: string): name is SubgraphName {
  return (SUBGRAPHS as readonly string[]).includes(name);
}

/** The subgraph's Prisma schema folder: its own <name>.prisma and the kit models (kit.prisma). */
export function schemaPath(subgraph: SubgraphName): string {
  return path.join(prismaRoot, subgraph, "schema");
}

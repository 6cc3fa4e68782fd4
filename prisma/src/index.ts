export {
  SUBGRAPH_REGISTRY,
  SUBGRAPHS,
  DEFAULT_PORTS,
  databaseName,
  followedFeeds,
  feedSources,
  graphqlSchemaPath,
  isSubgraphName,
  migrationsDir,
  PRISMA_CONFIG_PATH,
  schemaPath,
  startWaves,
  subgraphDir,
  urlVariable,
  type SubgraphName,
  type SubgraphRegistration,
  type UrlVariable,
} from "./subgraphs.ts";
export { ensureDatabase, dropDatabase, databaseUrl, freePort } from "./postgres.ts";
export { migrateDeploy, migrationState, committedMigrations, type MigrationState } from "./migrations.ts";
export { runPrisma } from "./prisma-cli.ts";

export { SUBGRAPHS, DEFAULT_PORTS, isSubgraphName, migrationsDir, prismaConfigPath, schemaPath, type SubgraphName } from "./subgraphs.ts";
export { startEmbeddedPostgres, ensureDatabase, dropDatabase, databaseUrl, freePort, type PostgresServer } from "./postgres.ts";
export { migrateDeploy, migrationState, committedMigrations, type MigrationState } from "./migrations.ts";
export { runPrisma } from "./prisma-cli.ts";

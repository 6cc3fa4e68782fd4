import { buildSubgraphSchema } from "@apollo/subgraph";
import pg from "pg";
import type { z } from "zod";
import { graphqlSchemaPath, migrateDeploy, migrationState, schemaPath, urlVariable, type SubgraphName } from "@mes/db";
import { ConfigError, exposesErrorDetails, loadConfig, subgraphEnv, type SubgraphConfig } from "./config.ts";
import { subgraphTypeDefs } from "./schema-kit.ts";
import { createLogger, type Logger } from "./logger.ts";
import { createPool, requestQueries, type QueryStats } from "./db.ts";
import { DEMO_ORGANIZATION_ID } from "./demo-plant.ts";
import { startGraphQLService, stopOnSignals, type ReadinessReport, type RequestContext } from "./server.ts";
import { mountEventFeed, outboxRetention, periodicTask, streamPosition, type EventConsumer, type RawSqlClient } from "./events.ts";
import { followerChecks } from "./event-follower.ts";
import { closeWhenTokenExpires } from "./ws-subscriptions.ts";
import { idempotencyPlugin, pruneIdempotencyKeys } from "./idempotency.ts";
import { operationCostPlugin } from "./operation-cost.ts";
import { LiveEvents } from "./live-events.ts";
import { createTokenVerifier, type Identity } from "./auth.ts";
import { applyAccessRules, type PermissionTable } from "./access.ts";
import { applyInputGuard } from "./input-guard.ts";
import { metricsExposure, registerSubgraphMetrics, ServiceMetrics } from "./metrics.ts";
import { initTracing, shutdownTracing, traceSql } from "./tracing.ts";
import { auditEntryResolvers, auditLogPage, type AuditLogArgs } from "./audit.ts";
import { modelTenancy, scopedDb, tenantOf, type Tenant } from "./tenancy.ts";
import { followerDefaults, feedSettings } from "./event-follower.ts";
import { ReferenceBook } from "./references/book.ts";
import { applyReferenceGuard } from "./references/guard.ts";
import { eventTenantCheck } from "./references/event-tenancy.ts";
import { withTx } from "./tx.ts";
import { ListenConnection } from "./listen-connection.ts";
import { ReadCache } from "./read-cache.ts";
import { readCachePlugin, readCacheRoute, readChangesRoute } from "./read-cache-route.ts";

/** What every subgraph request context has: the request, its verified caller, and live events. */
export interface SubgraphContext extends RequestContext {
  live: LiveEvents;
  /** The caller's organization and plants; `db` in a subgraph's context is already scoped to it. */
  tenant: Tenant;
  /** Reference data of this subgraph's and other subgraphs' entities (tenant, status, shift windows). */
  references: ReferenceBook;
}

// A connection without a valid token sees nothing: its operations are refused before they run,
// and even so its data access is scoped to no organization and no plant.
const NOBODY: Tenant = { organizationId: "00000000-0000-0000-0000-000000000000", plantIds: [] };

/** What a subgraph's consumers and periodic tasks are started with. */
export interface SubgraphDeps<TDb, TSettings> {
  db: TDb;
  config: SubgraphConfig;
  settings: TSettings;
  log: Logger;
  /** The GraphQL URL of a subgraph whose feed this one follows (registry `follows`), if configured. */
  feedUrl(name: SubgraphName): string | undefined;
  /** Reference data of this subgraph's and other subgraphs' entities. */
  references: ReferenceBook;
}

/**
 * What makes one subgraph, registered once: its name (in the registry of @mes/db, which also gives
 * its port and the feeds it follows), resolvers (typed by its generated `Resolvers`), settings,
 * data access and demo data. Its schema is subgraphs/<name>/schema.graphql with the kit SDL.
 */
export interface SubgraphDefinition<
  TDb extends { $disconnect(): Promise<void> },
  TContext extends SubgraphContext,
  TSettings = Record<string, never>,
> {
  name: SubgraphName;
  /** Its own SDL, if not subgraphs/<name>/schema.graphql (tests extend a schema this way). */
  schemaPath?: string;
  /** The subgraph's resolver map; its own module types it with the generated `Resolvers`. */
  resolvers: object;
  /** Its own environment settings, parsed with the service configuration at start (never at import). */
  settings?: z.ZodType<TSettings>;
  /** Its Prisma client over the service's pool, with the service's transaction limits. */
  createDb(pool: pg.Pool, transactionOptions: { timeout: number; maxWait: number }): TDb;
  /** `db` is the tenant-scoped client of the request (see scopedDb). */
  context(base: SubgraphContext, db: TDb, settings: TSettings): TContext;
  /** Models without organizationId, each with why it needs no tenant scope. */
  untenantedModels?: Record<string, string>;
  /** Writes the demo plant's data for this subgraph when its database is empty. */
  seedDemo?(db: TDb, log: Logger): Promise<void>;
  /**
   * Other subgraphs' kinds whose reference data it needs beyond those its mutations' arguments
   * name (those are found in its schema), e.g. "Shift" for shift windows.
   */
  referenceKinds?: readonly string[];
  /** Followers of other subgraphs' event feeds and periodic tasks, started with the service. */
  consumers?(deps: SubgraphDeps<TDb, TSettings>): EventConsumer[];
}

// biome-ignore lint/suspicious/noExplicitAny: a registry of subgraphs of different database and context types
export type AnySubgraphDefinition = SubgraphDefinition<any, any, any>;

/** A subgraph's settings from the environment; a bad value is a ConfigError naming the variable. */
export function subgraphSettings<TSettings>(def: { name: string; settings?: z.ZodType<TSettings> }, env: NodeJS.ProcessEnv = process.env): TSettings {
  return def.settings ? loadConfig(def.name, def.settings, env) : ({} as TSettings);
}

export interface RunningSubgraph<TDb> {
  name: SubgraphName;
  url: string;
  port: number;
  db: TDb;
  pool: pg.Pool;
  queryStats: QueryStats;
  consumers: EventConsumer[];
  live: LiveEvents;
  references: ReferenceBook;
  /** The references each mutation checks, as `argument.path:Kind`, by mutation name. */
  referenceGuard: Map<string, string[]>;
  /** Roles allowed per field with @allow (all mutations), as the schema declares them. */
  permissions: PermissionTable;
  /** Its Prometheus registry (served at /metrics as configured). */
  metrics: ServiceMetrics;
  /** Its read cache; null when READ_CACHE_ENTRIES=0. */
  readCache: ReadCache | null;
  stop(): Promise<void>;
}

/** Migrates, optionally seeds, and serves one subgraph. Used by each service's main and by tests. */
export async function startSubgraph<TDb extends { $disconnect(): Promise<void> }, TContext extends SubgraphContext, TSettings>(
  def: SubgraphDefinition<TDb, TContext, TSettings>,
  config: SubgraphConfig,
  log: Logger = createLogger(def.name, config.LOG_LEVEL),
  settings: TSettings = subgraphSettings(def),
): Promise<RunningSubgraph<TDb>> {
  // Replicas starting together on one database take turns to migrate and seed (a session
  // advisory lock), so the second one finds the work done instead of failing on it.
  const startup = await startupLock(config.DATABASE_URL);
  if (config.MIGRATE_ON_START) {
    try {
      const applied = await migrateDeploy(def.name, config.DATABASE_URL);
      if (applied.length) log.info({ applied }, "migrations applied");
    } catch (err) {
      await startup.release();
      throw err;
    }
  }
  const { pool, stats } = createPool(
    config.DATABASE_URL,
    config.DB_POOL_MAX,
    `mes-${def.name}`,
    config.DB_STATEMENT_TIMEOUT_MS,
    config.DB_ROLE || null,
  );
  pool.on("error", (err) => log.warn({ err }, "idle database connection failed"));
  traceSql(pool, def.name, new URL(config.DATABASE_URL).pathname.slice(1));
  const db = def.createDb(pool, { timeout: config.DB_TRANSACTION_TIMEOUT_MS, maxWait: config.DB_TRANSACTION_MAX_WAIT_MS });
  const models = modelTenancy(schemaPath(def.name), def.untenantedModels ?? {});
  const authenticate = createTokenVerifier(config);
  // The process's one LISTEN connection: live events (outbox) and the read cache (mes_changed).
  const listener = new ListenConnection({ connectionString: config.DATABASE_URL, applicationName: "mes-live-events", log });
  const live = new LiveEvents(pool, listener, log, config.SUBSCRIPTIONS_MAX);
  try {
    try {
      // The demo data is the demo organization's: row-level security holds the seed to it.
      const demoTenant = { queries: 0, tenant: { organizationId: DEMO_ORGANIZATION_ID, plantIds: null } };
      if (config.SEED_DEMO && def.seedDemo) await requestQueries.run(demoTenant, () => def.seedDemo!(db, log));
    } finally {
      await startup.release();
    }
    // Every subgraph serves its audit trail the same way: `<name>AuditLog` on its scoped client.
    const own = def.resolvers as { Query?: object };
    const resolvers = {
      ...own,
      ...auditEntryResolvers,
      Query: {
        ...own.Query,
        [`${def.name}AuditLog`]: (_: unknown, args: AuditLogArgs, ctx: { db: never }) => auditLogPage(ctx.db, args),
        eventStreamPosition: () => streamPosition(pool),
      },
    };
    const schema = buildSubgraphSchema({
      typeDefs: subgraphTypeDefs(def.name, def.schemaPath ?? graphqlSchemaPath(def.name)),
      resolvers: resolvers as never,
    });
    // Migrated and seeded by now: the tables the book reads are there.
    const book = await ReferenceBook.open(pool, config.REFERENCE_WAIT_MS);
    await checkRowSecurity(pool);
    const readCache = config.READ_CACHE_ENTRIES
      ? await ReadCache.open(
          pool,
          listener,
          { maxEntries: config.READ_CACHE_ENTRIES, maxBytes: config.READ_CACHE_MB * 1024 * 1024, clockMs: config.READ_CACHE_CLOCK_MS },
          log,
        )
      : null;
    // Innermost: references are checked after the caller and the input's form (wrapped below).
    const referenceGuard = applyReferenceGuard(schema, book);
    applyInputGuard(schema); // before access rules, which then wrap it: who may call is checked first
    const permissions = applyAccessRules(schema);
    const requestContext = (base: RequestContext) => {
      const tenant = base.identity ? tenantOf(base.identity as Identity) : NOBODY;
      return def.context({ ...base, live, tenant, references: book }, scopedDb(db as never, tenant, models) as TDb, settings);
    };
    // Feed followers, once started: each one's health and lag is a readiness check.
    const followers: EventConsumer[] = [];
    const metrics = new ServiceMetrics(def.name);
    registerSubgraphMetrics(metrics, { pool, poolMax: config.DB_POOL_MAX, queryStats: stats, consumers: () => followers, live, readCache });
    const readiness = async (): Promise<ReadinessReport> => {
      const checks: ReadinessReport["checks"] = followerChecks(followers);
      try {
        const state = await migrationState(def.name, pool);
        checks.database = { ok: true };
        checks.migrations = state.pending.length === 0 ? { ok: true } : { ok: false, detail: `pending: ${state.pending.join(", ")}` };
      } catch (err) {
        checks.database = { ok: false, detail: (err as Error).message };
      }
      return { ready: Object.values(checks).every((c) => c.ok), checks };
    };
    const server = await startGraphQLService<TContext>({
      name: def.name,
      graph: { schema },
      host: config.HOST,
      port: config.PORT,
      shutdownGraceMs: Math.max(1000, config.SHUTDOWN_TIMEOUT_MS - 2000),
      shutdownDelayMs: config.SHUTDOWN_DELAY_MS,
      bodyLimit: config.BODY_LIMIT,
      exposeErrorDetails: exposesErrorDetails(config),
      log,
      readiness,
      authenticate,
      context: requestContext,
      websocket: {
        context: (base, _req, socket) => {
          closeWhenTokenExpires(socket, base.identity?.expiresAt);
          return requestContext(base);
        },
      },
      routes: (app) => mountEventFeed(app, pool, config.EVENT_FEED_TOKEN, live),
      ...(readCache ? { readCache: readCacheRoute(readCache, log, metrics), readChanges: readChangesRoute(readCache, log) } : {}),
      metrics: { registry: metrics, exposure: metricsExposure(config) },
      plugins: [
        operationCostPlugin({
          maxCost: config.QUERY_MAX_COST,
          maxDepth: config.QUERY_MAX_DEPTH,
          defaultListSize: config.QUERY_DEFAULT_LIST_SIZE,
          maxListSize: 100,
        }),
        idempotencyPlugin(pool, log),
        ...(readCache ? [readCachePlugin(readCache)] : []),
      ],
    });
    await live.start();
    const feedUrl = (name: SubgraphName) => config[urlVariable(name)];
    // Followers the subgraph starts re-check that what an event names is of the event's tenant.
    const ownConsumers = followerDefaults.run({ tenantCheck: eventTenantCheck(book) }, () =>
      def.consumers?.({ db, config, settings, log, feedUrl, references: book }),
    );
    const referencedKinds = new Set([...[...referenceGuard.values()].flat().map((r) => r.split(":")[1]!), ...(def.referenceKinds ?? [])]);
    const copies = book.follow({
      subgraph: def.name,
      kinds: referencedKinds,
      feedUrl,
      transaction: (fn) => withTx(db as unknown as { $transaction(...args: never[]): unknown }, (tx) => fn(tx as unknown as RawSqlClient)),
      feed: feedSettings(config),
      log,
    });
    const consumers = [
      ...(ownConsumers ?? []),
      ...copies,
      outboxRetention(pool, config.OUTBOX_RETENTION_HOURS, log),
      idempotencyRetention(pool, config.IDEMPOTENCY_RETENTION_HOURS, log),
    ];
    followers.push(...consumers);
    return {
      name: def.name,
      url: server.url,
      port: server.port,
      db,
      pool,
      queryStats: stats,
      consumers,
      live,
      references: book,
      referenceGuard,
      permissions,
      metrics,
      readCache,
      // Requests in flight finish first (they may need followers' tables and the pool), then the
      // followers finish the event in hand, then live events and the database go.
      async stop() {
        live.endWaits(); // feed requests held for news answer now, so draining does not wait for them
        await server.stop();
        await Promise.all(consumers.map((c) => c.stop()));
        await live.stop();
        await db.$disconnect();
        await pool.end();
      },
    };
  } catch (err) {
    await startup.release();
    await live.stop().catch(() => {});
    await db.$disconnect().catch(() => {});
    await pool.end().catch(() => {});
    throw err;
  }
}

/** Entry point of a subgraph process: configuration from the environment, clean stop on signals. */
export async function runSubgraphMain<TDb extends { $disconnect(): Promise<void> }, TContext extends SubgraphContext, TSettings>(
  def: SubgraphDefinition<TDb, TContext, TSettings>,
): Promise<void> {
  // The service's and the subgraph's own settings are checked together: every bad value is named at once.
  const problems: string[] = [];
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.message.split("\n").slice(1));
      return undefined;
    }
  };
  const config = attempt(() => loadConfig(def.name, subgraphEnv));
  const settings = attempt(() => subgraphSettings(def));
  if (!config || settings === undefined || problems.length) {
    console.error(`${def.name}: invalid configuration\n${problems.join("\n")}`);
    process.exit(2);
  }
  const log = createLogger(def.name, config.LOG_LEVEL);
  try {
    // Before anything opens a connection: the pool's SQL spans are set up with it.
    if (initTracing(def.name, config)) log.info("tracing on: spans are exported (OTEL_* variables)");
    const running = await startSubgraph(def, config, log, settings);
    stopOnSignals(
      log,
      async () => {
        await running.stop();
        await shutdownTracing();
      },
      config.SHUTDOWN_TIMEOUT_MS,
    );
  } catch (err) {
    log.fatal({ err }, `${def.name} failed to start`);
    process.exit(1);
  }
}

/** Prunes idempotency keys past their retention at start and every hour. */
function idempotencyRetention(pool: pg.Pool, retentionHours: number, log: Logger): EventConsumer {
  return periodicTask(
    async () => {
      const n = await pruneIdempotencyKeys(pool, retentionHours);
      if (n) log.info({ pruned: n, retentionHours }, "idempotency keys past retention deleted");
    },
    3_600_000,
    log,
    "pruning idempotency keys",
    { runAtStart: true },
  );
}

// Any constant works; the same for every replica of one database.
const STARTUP_LOCK = 0x4d455353;

/** Holds a session advisory lock on the database until released (idempotent release). */
async function startupLock(databaseUrl: string): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: "mes-startup" });
  await client.connect();
  await client.query("SELECT pg_advisory_lock($1)", [STARTUP_LOCK]);
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      await client.query("SELECT pg_advisory_unlock($1)", [STARTUP_LOCK]).catch(() => {});
      await client.end().catch(() => {});
    },
  };
}

/** Refuses to serve when statements would bypass row-level security (superuser or BYPASSRLS role). */
async function checkRowSecurity(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query<{ role: string; bypass: boolean }>(
    "SELECT current_user AS role, rolsuper OR rolbypassrls AS bypass FROM pg_roles WHERE rolname = current_user",
  );
  if (rows[0]?.bypass)
    throw new Error(
      `statements run as ${rows[0].role}, which bypasses row-level security: set DB_ROLE to the application role (mes_app, created by the migrations) or log in as a member of it`,
    );
}

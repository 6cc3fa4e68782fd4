import { z } from "zod";
import { SUBGRAPHS, urlVariable, type SubgraphName, type UrlVariable } from "@mes/db";
import { authConfigProblems, authEnv } from "./auth.ts";
import { metricsEnv } from "./metrics.ts";
import { tracingEnv } from "./tracing.ts";

/** `<NAME>_URL` of every registered subgraph, optional: a follower finds the feeds it follows there. */
function feedUrlVariables() {
  return Object.fromEntries(SUBGRAPHS.map((n) => [urlVariable(n), z.url({ error: `must be the ${n} subgraph's GraphQL URL` }).optional()])) as {
    [K in SubgraphName as UrlVariable<K>]: z.ZodOptional<z.ZodURL>;
  };
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Parses environment variables with a zod schema. A missing or bad value stops the service at
 * start with one line per problem naming the variable, instead of failing later.
 */
export function loadConfig<T extends z.ZodType>(service: string, schema: T, env: NodeJS.ProcessEnv = process.env): z.infer<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join(".") || "(environment)"}: ${issue.message}`);
  throw new ConfigError(`${service}: invalid configuration\n${lines.join("\n")}`);
}

const booleanFlag = z.enum(["true", "false", "1", "0"], { error: 'must be "true" or "false"' }).transform((v) => v === "true" || v === "1");

const port = (fallback?: number) => {
  const p = z.coerce.number({ error: "must be a port number" }).int("must be a whole number").min(1).max(65535);
  return fallback === undefined ? p : p.default(fallback);
};

const postgresUrl = z
  .string({ error: "is required: the PostgreSQL URL of this service's own database, e.g. postgresql://user:password@localhost:5432/mes_production" })
  .refine((v) => /^postgres(ql)?:\/\/.+/.test(v), "must be a postgresql:// URL");

/** Settings every service shares. */
export const serviceEnv = {
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  // Loopback by default; containers set 0.0.0.0.
  HOST: z.string().min(1).default("127.0.0.1"),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'must look like "1mb" or "512kb"')
    .default("1mb"),
  // How long a stop may take (finish requests in flight, close subscriptions) before the process exits anyway.
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(15_000),
  // On SIGTERM a service first only turns not-ready for this long, still answering (each answer
  // telling the client to close its connection), so load balancers stop sending before it stops
  // accepting: a request sent on a kept-alive connection just then is not cut.
  SHUTDOWN_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  // Stack traces and internal messages in error responses, for a developer's own machine only.
  DEBUG_ERRORS: booleanFlag.optional(),
  ...authEnv,
  // /metrics (see metrics.ts) and OpenTelemetry tracing (standard OTEL_* variables, see tracing.ts).
  ...metricsEnv,
  ...tracingEnv,
};

/** Whether error responses may carry stack traces and internals: NODE_ENV=development with DEBUG_ERRORS=true. */
export function exposesErrorDetails(config: { NODE_ENV: string; DEBUG_ERRORS?: boolean | undefined }): boolean {
  return config.NODE_ENV === "development" && config.DEBUG_ERRORS === true;
}

/** Every service verifies tokens itself: exactly one key source, and no HS256 in production. */
export function withAuthCheck<T extends z.ZodObject>(schema: T) {
  return schema.superRefine((config, ctx) => {
    for (const message of authConfigProblems(config as never)) ctx.addIssue({ code: "custom", message, path: [] });
  });
}

export const subgraphEnv = withAuthCheck(
  z.object({
    ...serviceEnv,
    PORT: port(),
    DATABASE_URL: postgresUrl,
    DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
    MIGRATE_ON_START: booleanFlag.default(true),
    SEED_DEMO: booleanFlag.default(false),
    // GraphQL URLs of the subgraphs whose events this one follows (their /events feed), by registry name.
    ...feedUrlVariables(),
    EVENT_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(250),
    // How long a write naming another subgraph's entity that its copy does not know yet waits for
    // the copy to catch up (an entity created a moment ago there) before it is refused as unknown.
    // The role statements run as (SET ROLE on each connection; row-level security applies to it, so
    // it must be neither superuser nor the tables' owner). Empty: the login role as it is, for a
    // deployment that logs in as a member of mes_app directly.
    DB_ROLE: z
      .string()
      .regex(/^([a-z_][a-z0-9_]{0,62})?$/, "must be a role name (lower-case letters, digits, _) or empty")
      .default("mes_app"),
    REFERENCE_WAIT_MS: z.coerce.number().int().min(0).max(60_000).default(3000),
    // How long outbox events stay for late subscribers and followers (default a week).
    OUTBOX_RETENTION_HOURS: z.coerce
      .number()
      .min(1, "must be at least 1 hour")
      .max(24 * 366)
      .default(168),
    // What one request may ask of this subgraph (it may be called directly, not only by the gateway):
    // fields resolved, lists counted by their length (see operation-cost.ts), and nesting depth.
    QUERY_MAX_COST: z.coerce.number().int().min(10).max(10_000_000).default(100_000),
    QUERY_MAX_DEPTH: z.coerce.number().int().min(2).max(100).default(20),
    QUERY_DEFAULT_LIST_SIZE: z.coerce.number().int().min(1).max(1000).default(20),
    // The longest one SQL statement may run before PostgreSQL cancels it.
    DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
    // The longest one write's transaction may stay open (Prisma's interactive transaction timeout);
    // past it the write is rolled back whole and answers BUSY. And how long it may wait for a connection.
    DB_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
    DB_TRANSACTION_MAX_WAIT_MS: z.coerce.number().int().min(100).max(600_000).default(2_000),
    // Subscriptions one subgraph process serves at most (gateways share theirs; direct clients count too).
    SUBSCRIPTIONS_MAX: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
    // How long an Idempotency-Key is remembered: a retry within it gets the first answer (default a day).
    IDEMPOTENCY_RETENTION_HOURS: z.coerce
      .number()
      .min(1, "must be at least 1 hour")
      .max(24 * 31)
      .default(24),
    // The read cache (read-cache.ts): answers kept per visibility key until the database announces
    // a change to what they read. READ_CACHE_ENTRIES=0 turns it off.
    READ_CACHE_ENTRIES: z.coerce.number().int().min(0).max(1_000_000).default(5000),
    READ_CACHE_MB: z.coerce.number().int().min(1).max(65_536).default(64),
    // How long an answer that used the clock (the current shift, durations up to now) is kept.
    READ_CACHE_CLOCK_MS: z.coerce.number().int().min(0).max(3_600_000).default(1000),
    // Shared by the services only: lets a follower read another subgraph's /events feed.
    EVENT_FEED_TOKEN: z
      .string({ error: "is required: a random secret shared by the subgraphs for their internal /events feeds" })
      .min(24, "must be at least 24 characters"),
  }),
);
export type SubgraphConfig = z.infer<typeof subgraphEnv>;

export { booleanFlag, port, postgresUrl };

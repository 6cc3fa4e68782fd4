import { AsyncLocalStorage, AsyncResource } from "node:async_hooks";
import fs from "node:fs";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";

/** Counts SQL statements sent through a pool, so tests and logs can see N+1 patterns. */
export interface QueryStats {
  queries: number;
}

/** Who a request's writes are attributed to in the audit trail (see the mes_audit() trigger). */
export interface AuditSession {
  actor: string;
  requestId: string;
  organizationId: string;
  /** The mutation being executed; set by the access rules before its resolver runs. */
  operation?: string;
}

/** What the pool knows of the request a statement belongs to. */
export interface RequestScope extends QueryStats {
  audit?: AuditSession;
  /** The mutation's Idempotency-Key row, marked committed inside its transaction (see withTx). */
  idempotency?: { id: bigint; committed: boolean };
}

/**
 * The current request: the server opens a scope per GraphQL request, logs its SQL count (so an
 * N+1 shows in the logs), and the pool sets its audit session on the connection before a statement.
 */
export const requestQueries = new AsyncLocalStorage<RequestScope>();

export interface InstrumentedPool {
  pool: pg.Pool;
  stats: QueryStats;
}

type AuditedClient = pg.PoolClient & { mesAuditKey?: string };
const NO_AUDIT_SESSION = ["", "", "", ""];

const SET_AUDIT_SESSION = `SELECT set_config('mes.actor', $1, false), set_config('mes.request_id', $2, false),
  set_config('mes.organization_id', $3, false), set_config('mes.operation', $4, false)`;

/**
 * SQL_CAPTURE=<file>: the first statement of each distinct SQL text is appended to the file (JSON
 * lines with its values), so `pnpm bench` can EXPLAIN what the services really send.
 */
function sqlCapture(file: string | undefined): ((args: unknown[]) => void) | null {
  if (!file) return null;
  const seen = new Set<string>();
  return (args) => {
    const first = args[0] as string | { text?: string; values?: unknown[] };
    const text = typeof first === "string" ? first : first?.text;
    if (!text || seen.has(text) || seen.size >= 500) return;
    seen.add(text);
    const values = typeof first === "string" ? args[1] : (first.values ?? args[1]);
    fs.appendFileSync(file, `${JSON.stringify({ text, values })}\n`);
  };
}

export function createPool(connectionString: string, max: number, applicationName: string, statementTimeoutMs?: number): InstrumentedPool {
  const capture = sqlCapture(process.env.SQL_CAPTURE);
  const stats: QueryStats = { queries: 0 };
  const pool = new pg.Pool({
    connectionString,
    max,
    application_name: applicationName,
    idleTimeoutMillis: 30_000,
    ...(statementTimeoutMs ? { statement_timeout: statementTimeoutMs } : {}),
  });
  // A client handed over by another request's release must run in the asking request's context,
  // or its statements would be counted (and audited) as the other request's.
  const connect = pool.connect.bind(pool) as (cb?: (...args: unknown[]) => void) => unknown;
  (pool as unknown as { connect: typeof connect }).connect = (cb) => (cb ? connect(AsyncResource.bind(cb)) : connect());
  pool.on("connect", (client: AuditedClient) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.mesAuditKey = NO_AUDIT_SESSION.join("\u0000");
    // Every statement, pooled or inside a transaction, goes through a client's query().
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      stats.queries += 1;
      capture?.(args);
      const scope = requestQueries.getStore();
      if (scope) scope.queries += 1;
      // Session settings for the audit trigger, sent only when they differ from the connection's.
      const audit = scope?.audit;
      const values = audit ? [audit.actor, audit.requestId, audit.organizationId, audit.operation ?? ""] : NO_AUDIT_SESSION;
      const key = values.join("\u0000");
      const submittable = typeof (args[0] as { submit?: unknown } | undefined)?.submit === "function";
      if (key === client.mesAuditKey || submittable) return query(...args);
      client.mesAuditKey = key;
      // The statement waits for the settings (pg no longer wants two queries in flight per client).
      const set = (query(SET_AUDIT_SESSION, values) as Promise<unknown>).catch((err: unknown) => {
        client.mesAuditKey = undefined;
        throw err;
      });
      const callback = args.at(-1);
      if (typeof callback === "function") {
        set.then(
          () => query(...args),
          (err: unknown) => (callback as (e: unknown) => void)(err),
        );
        return undefined;
      }
      return set.then(() => query(...args));
    };
  });
  return { pool, stats };
}

/** The Prisma driver adapter over our own pool (one pool per service, shared with health checks). */
export function prismaAdapter(pool: pg.Pool): PrismaPg {
  return new PrismaPg(pool);
}

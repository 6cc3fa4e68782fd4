import { AsyncLocalStorage, AsyncResource } from "node:async_hooks";
import fs from "node:fs";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { noteStatement, type StatementReads } from "./statement-reads.ts";

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

/** Whose rows a statement may see and write under row-level security (prisma/kit.sql mes_row_visible). */
export interface RowTenant {
  organizationId: string;
  /** null: every plant of the organization. */
  plantIds: readonly string[] | null;
}

/** What the pool knows of the request a statement belongs to. */
export interface RequestScope extends QueryStats {
  audit?: AuditSession;
  /**
   * The tenant row-level security lets the scope's statements see. A scope without one (a request
   * before its caller is known, or an anonymous one) sees nothing; work outside any scope (the
   * feed, retention, periodic tasks) runs as the service itself ('system').
   */
  tenant?: RowTenant;
  /** The mutation's Idempotency-Key row, marked committed inside its transaction (see withTx). */
  idempotency?: { id: bigint; committed: boolean };
  /** What the request's statements read, kept when its answer may be cached (read-cache.ts). */
  reads?: StatementReads;
  /** The request asked for the time (clockNow in clock.ts): its answer ages with the clock. */
  clock?: boolean;
  /** Bounded uses of the request's clock (requestClock().bounded) that have not said until when they hold. */
  clockPending?: number;
  /** The earliest instant (epoch ms) a bounded use of the clock said its answer holds until. */
  clockHorizon?: number;
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

// Parameters, never SQL built from strings: the audit session and the row-level security tenant.
const SET_AUDIT_SESSION = `SELECT set_config('mes.actor', $1, false), set_config('mes.request_id', $2, false),
  set_config('mes.organization_id', $3, false), set_config('mes.operation', $4, false),
  set_config('mes.scope', $5, false), set_config('mes.tenant_organization', $6, false), set_config('mes.tenant_plants', $7, false)`;

const TRANSACTION_END = /^\s*(ROLLBACK|COMMIT|END|ABORT)\b/i;

/** The row-level security settings of a statement: [scope, organization, plants]. */
export function rowSecuritySettings(scope: RequestScope | undefined): [string, string, string] {
  if (!scope) return ["system", "", ""];
  if (!scope.tenant) return ["tenant", "", ""];
  return ["tenant", scope.tenant.organizationId, scope.tenant.plantIds ? scope.tenant.plantIds.join(",") : "*"];
}

/** The role the services' statements run as (prisma/kit.sql): row-level security applies to it. */
export const APPLICATION_ROLE = "mes_app";

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

export function createPool(
  connectionString: string,
  max: number,
  applicationName: string,
  statementTimeoutMs?: number,
  role: string | null = APPLICATION_ROLE,
): InstrumentedPool {
  const capture = sqlCapture(process.env.SQL_CAPTURE);
  const stats: QueryStats = { queries: 0 };
  const pool = new pg.Pool({
    connectionString,
    max,
    application_name: applicationName,
    idleTimeoutMillis: 30_000,
    ...(statementTimeoutMs ? { statement_timeout: statementTimeoutMs } : {}),
    // Every session runs as the application role from its start (a missing role fails the
    // connection loudly); startSubgraph checks that it bypasses no row-level security.
    ...(role ? { options: `-c role=${role}` } : {}),
  });
  // A client handed over by another request's release must run in the asking request's context,
  // or its statements would be counted (and audited) as the other request's.
  const connect = pool.connect.bind(pool) as (cb?: (...args: unknown[]) => void) => unknown;
  (pool as unknown as { connect: typeof connect }).connect = (cb) => (cb ? connect(AsyncResource.bind(cb)) : connect());
  pool.on("connect", (client: AuditedClient) => {
    // A checked-out client between statements (e.g. inside a transaction) has no pool listener: when
    // PostgreSQL ends the session (restart), its 'error' would crash the process (found by
    // test/chaos.test.ts). Its holder's next statement fails anyway; the pool drops the client.
    client.on("error", () => {});
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.mesAuditKey = undefined; // a new session has none of the settings: the first statement sets them
    // Every statement, pooled or inside a transaction, goes through a client's query().
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      stats.queries += 1;
      capture?.(args);
      const scope = requestQueries.getStore();
      if (scope) scope.queries += 1;
      // A transaction's end may undo settings changed inside it (a rollback reverts even session
      // settings): forget what the session holds, so the next statement sets them again; and send
      // the end itself as it is (a settings statement in an aborted transaction would fail it).
      const text = typeof args[0] === "string" ? args[0] : (args[0] as { text?: unknown } | undefined)?.text;
      if (scope?.reads && typeof text === "string") noteStatement(scope.reads, text);
      if (typeof text === "string" && TRANSACTION_END.test(text)) {
        client.mesAuditKey = undefined;
        return query(...args);
      }
      // Session settings for the audit trigger, sent only when they differ from the connection's.
      // Who made a change matters to the audit trigger only: a read's statements carry no audit
      // session, so the settings of one tenant's reads stay the same from request to request and
      // a pooled connection needs no set_config round trip for each (found by profiling).
      const audit = scope?.audit?.operation ? scope.audit : undefined;
      const values = [
        ...(audit ? [audit.actor, audit.requestId, audit.organizationId, audit.operation ?? ""] : NO_AUDIT_SESSION),
        ...rowSecuritySettings(scope),
      ];
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

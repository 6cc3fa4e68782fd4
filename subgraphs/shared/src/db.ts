import { AsyncLocalStorage } from "node:async_hooks";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";

/** Counts SQL statements sent through a pool, so tests and logs can see N+1 patterns. */
export interface QueryStats {
  queries: number;
}

/**
 * SQL statements of the current request: the server opens a scope per GraphQL request and logs
 * the count with it, so an N+1 shows in the logs. (A statement that waited for a free pool
 * connection may be counted in the request that released it.)
 */
export const requestQueries = new AsyncLocalStorage<QueryStats>();

export interface InstrumentedPool {
  pool: pg.Pool;
  stats: QueryStats;
}

export function createPool(connectionString: string, max: number, applicationName: string): InstrumentedPool {
  const stats: QueryStats = { queries: 0 };
  const pool = new pg.Pool({ connectionString, max, application_name: applicationName, idleTimeoutMillis: 30_000 });
  pool.on("connect", (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    // Every statement, pooled or inside a transaction, goes through a client's query().
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      stats.queries += 1;
      const scope = requestQueries.getStore();
      if (scope) scope.queries += 1;
      return query(...args);
    };
  });
  return { pool, stats };
}

/** The Prisma driver adapter over our own pool (one pool per service, shared with health checks). */
export function prismaAdapter(pool: pg.Pool): PrismaPg {
  return new PrismaPg(pool);
}

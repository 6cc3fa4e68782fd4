import type { ITXClientDenyList } from "@prisma/client/runtime/client";
import { requestQueries } from "./db.ts";
import type { RawSqlClient } from "./events.ts";
import { markCommitted } from "./idempotency.ts";

/**
 * The client of one interactive transaction of a subgraph's Prisma client `Db`: what domain modules
 * take, so that a whole mutation (rows, events, audit) commits together or not at all.
 */
export type Tx<Db> = Omit<Db, ITXClientDenyList>;

/** Options of an interactive transaction. */
export interface TxOptions {
  maxWait?: number;
  timeout?: number;
  isolationLevel?: "ReadUncommitted" | "ReadCommitted" | "RepeatableRead" | "Serializable";
}

interface TransactionCapable {
  $transaction(...args: never[]): unknown;
}

/**
 * Runs `fn` in one interactive transaction of `db` (a subgraph's client, tenant-scoped or not).
 * The one place that bridges Prisma's overloaded `$transaction` signature to `Tx<Db>`.
 */
export async function withTx<Db extends TransactionCapable, T>(db: Db, fn: (tx: Tx<Db>) => Promise<T>, options?: TxOptions): Promise<T> {
  const run = db.$transaction as unknown as (fn: (tx: Tx<Db>) => Promise<T>, options?: TxOptions) => Promise<T>;
  // A mutation sent with an Idempotency-Key records in its own transaction that it took effect, so
  // a retry after a crash between commit and answer never applies it twice (see idempotency.ts).
  const scope = requestQueries.getStore();
  const idempotency = scope?.idempotency;
  const result = await run.call(
    db,
    async (tx) => {
      if (idempotency) await markCommitted(tx as unknown as RawSqlClient, idempotency.id);
      return fn(tx);
    },
    options,
  );
  if (idempotency) idempotency.committed = true;
  return result;
}

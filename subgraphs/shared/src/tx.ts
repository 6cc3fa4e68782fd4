import type { ITXClientDenyList } from "@prisma/client/runtime/client";

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
export function withTx<Db extends TransactionCapable, T>(db: Db, fn: (tx: Tx<Db>) => Promise<T>, options?: TxOptions): Promise<T> {
  const run = db.$transaction as unknown as (fn: (tx: Tx<Db>) => Promise<T>, options?: TxOptions) => Promise<T>;
  return run.call(db, fn, options);
}

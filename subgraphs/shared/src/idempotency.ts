import { createHash } from "node:crypto";
import type { ApolloServerPlugin, GraphQLResponse } from "@apollo/server";
import { GraphQLError } from "graphql";
import type pg from "pg";
import { requestQueries } from "./db.ts";
import type { RawSqlClient } from "./events.ts";
import type { Logger } from "./logger.ts";
import type { RequestContext } from "./server.ts";

// Idempotent mutations. An integrator or a tablet on flaky Wi-Fi sends `Idempotency-Key: <key>`
// with a mutation; a repeat with the same key and the same request (from the same user of the same
// organization) gets the first answer and has no second effect; the same key with another request
// is refused with CONFLICT. A header rather than an input field: every mutation gets it without a
// schema change, GraphQL clients set headers per request, and the gateway forwards it.
// Keys live in the subgraph's own database (table IdempotencyKey), so they hold across replicas.
//
// States: pending (reserved by the request executing it), committed (its transaction committed:
// withTx marks it inside the transaction), done (the answer is stored). A key whose request failed
// without effect is deleted, so the retry runs again.

const KEY = /^[\x21-\x7e]{1,255}$/;
const WAIT_FOR_FIRST_MS = 10_000;

export function idempotencyConflict(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "CONFLICT", reason: "IDEMPOTENCY_KEY" } });
}

/**
 * Marks the request's key committed inside the transaction that applies the mutation (the row
 * stays locked until that transaction ends). No row: a retry took the key over after this request
 * stalled (STALE_PENDING_MS), so applying it now could apply it twice: refuse.
 */
export async function markCommitted(tx: RawSqlClient, id: bigint): Promise<void> {
  const marked = await tx.$executeRaw`UPDATE "IdempotencyKey" SET status = 'committed' WHERE id = ${id} AND status IN ('pending', 'committed')`;
  if (marked === 0) throw idempotencyConflict("A retry with this Idempotency-Key took over after this request stalled; nothing was applied");
}

/**
 * A key still pending this long belongs to a request that died before its transaction (kill -9,
 * PostgreSQL restart): nothing took effect, and without this every retry would wait forever
 * (found by test/chaos.test.ts). Far above Prisma's interactive-transaction limits (5 s).
 */
const STALE_PENDING_MS = 30_000;

interface KeyRow {
  id: string;
  fingerprint: string;
  status: "pending" | "committed" | "done";
  response: unknown;
  ageMs: number;
}

const errorResponse = (error: GraphQLError): GraphQLResponse => ({
  http: { status: 200, headers: new Map() as never },
  body: { kind: "single", singleResult: { errors: [{ message: error.message, extensions: error.extensions }] } },
});

const replay = (stored: unknown): GraphQLResponse => ({
  http: { status: 200, headers: new Map([["idempotent-replay", "true"]]) as never },
  body: { kind: "single", singleResult: stored as never },
});

/**
 * The Apollo plugin of a subgraph: reserves the key before the mutation runs, answers repeats from
 * the stored answer, and stores the answer (or frees the key when nothing took effect).
 */
export function idempotencyPlugin(pool: pg.Pool, log: Logger): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart({ request, contextValue }) {
      const key = request.http?.headers.get("idempotency-key");
      if (!key) return {};
      let reserved: { id: bigint } | null = null;
      return {
        async responseForOperation({ operation }) {
          if (operation.operation !== "mutation" || !contextValue.identity) return null;
          if (!KEY.test(key)) {
            return errorResponse(
              new GraphQLError("Idempotency-Key must be 1 to 255 visible ASCII characters", {
                extensions: { code: "BAD_USER_INPUT", fields: [{ field: "Idempotency-Key", message: "must be 1 to 255 visible ASCII characters" }] },
              }),
            );
          }
          const { organizationId, userId } = contextValue.identity;
          const fingerprint = createHash("sha256")
            .update(JSON.stringify([request.query ?? "", request.operationName ?? null, request.variables ?? {}]))
            .digest("hex");
          const reserve = async () => {
            const inserted = await pool.query<{ id: string }>(
              `INSERT INTO "IdempotencyKey" ("organizationId", actor, key, fingerprint, status) VALUES ($1, $2, $3, $4, 'pending')
               ON CONFLICT ("organizationId", actor, key) DO NOTHING RETURNING id::text AS id`,
              [organizationId, userId, key, fingerprint],
            );
            if (!inserted.rows[0]) return false;
            reserved = { id: BigInt(inserted.rows[0].id) };
            const scope = requestQueries.getStore();
            if (scope) scope.idempotency = { id: reserved.id, committed: false };
            return true;
          };
          if (await reserve()) return null; // first time: run it
          // A repeat: wait for the first to finish, then answer as it did.
          const deadline = Date.now() + WAIT_FOR_FIRST_MS;
          for (;;) {
            const { rows } = await pool.query<KeyRow>(
              `SELECT id::text AS id, fingerprint, status, response, (extract(epoch FROM now() - "createdAt") * 1000)::float8 AS "ageMs"
                 FROM "IdempotencyKey" WHERE "organizationId" = $1 AND actor = $2 AND key = $3`,
              [organizationId, userId, key],
            );
            const row = rows[0];
            if (!row) return null; // the first one failed without effect and freed the key: run it
            if (row.fingerprint !== fingerprint) {
              return errorResponse(idempotencyConflict("This Idempotency-Key was used for a different request; use a new key for a new request"));
            }
            if (row.status === "done") return replay(row.response);
            if (row.status === "pending" && row.ageMs > STALE_PENDING_MS) {
              // A live owner inside its transaction holds the row: this waits, then finds it committed.
              const freed = await pool.query(`DELETE FROM "IdempotencyKey" WHERE id = $1 AND status = 'pending'`, [row.id]);
              if (freed.rowCount && (await reserve())) return null; // its owner is gone: run it under this request
              continue;
            }
            if (Date.now() > deadline) {
              return errorResponse(
                row.status === "committed"
                  ? idempotencyConflict(
                      "The request with this Idempotency-Key took effect but its answer was not recorded; read the current state instead of retrying",
                    )
                  : idempotencyConflict("The request with this Idempotency-Key is still running; retry in a moment"),
              );
            }
            await new Promise((r) => setTimeout(r, 50));
          }
        },
        async willSendResponse({ response }) {
          if (!reserved) return;
          const id = reserved.id;
          reserved = null;
          const committed = requestQueries.getStore()?.idempotency?.committed ?? false;
          const result = response.body.kind === "single" ? response.body.singleResult : null;
          try {
            if (!committed && (!result || result.errors?.length)) {
              // Nothing took effect: free the key so that a retry runs again.
              await pool.query(`DELETE FROM "IdempotencyKey" WHERE id = $1 AND status = 'pending'`, [id.toString()]);
            } else {
              await pool.query(`UPDATE "IdempotencyKey" SET status = 'done', response = $2 WHERE id = $1`, [id.toString(), JSON.stringify(result)]);
            }
          } catch (err) {
            log.error({ err, idempotencyKeyId: id.toString() }, "recording the answer of an idempotent mutation failed");
          }
        },
      };
    },
  };
}

/** Deletes idempotency keys older than the retention (a retry after that runs again). */
export async function pruneIdempotencyKeys(pool: pg.Pool, retentionHours: number): Promise<number> {
  const { rowCount } = await pool.query(`DELETE FROM "IdempotencyKey" WHERE "createdAt" < now() - make_interval(hours => $1)`, [retentionHours]);
  return rowCount ?? 0;
}

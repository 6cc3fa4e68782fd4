// Hive Gateway in front of the MES subgraphs: the one configuration the project keeps for it, used
// by the bench (`pnpm bench`) and by test/hive-gateway.test.ts, explained in docs/fronting.md.
// Run: hive-gateway supergraph gateway/supergraph.graphql -c test/bench/gateway.config.mjs
import { defineConfig } from "@graphql-hive/gateway";

// The caller's token: from the Authorization header of an HTTP request, or from the connection
// parameters of a graphql-ws client (Hive Gateway merges those into context.headers).
const callerToken = ({ request, context }) => request.headers.get("authorization") ?? context?.headers?.authorization ?? undefined;

export const gatewayConfig = defineConfig({
  // Every subgraph verifies the caller's token itself (tenancy, roles, audit): pass it on, with the
  // request id (one id in every service's logs) and an Idempotency-Key (retried mutations apply once).
  propagateHeaders: {
    fromClientToSubgraphs: (payload) => ({
      authorization: callerToken(payload),
      "x-request-id": payload.request.headers.get("x-request-id") ?? undefined,
      "idempotency-key": payload.request.headers.get("idempotency-key") ?? undefined,
    }),
  },
  // Subscriptions go to the subgraphs over graphql-ws on their /graphql path (they serve no SSE),
  // one socket per caller token: the subgraph filters events by the tenant of the connection's token.
  transportEntries: {
    "*.http": {
      options: {
        subscriptions: {
          kind: "ws",
          location: "/graphql",
          options: { connectionParams: { authorization: "{context.headers.authorization}" } },
        },
      },
    },
  },
  logging: process.env.HIVE_LOG_LEVEL ?? "error",
});

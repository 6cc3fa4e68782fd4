// Hive Gateway as a benchmark peer: its defaults, plus passing the caller's Authorization header on.
import { defineConfig } from "@graphql-hive/gateway";

export const gatewayConfig = defineConfig({
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get("authorization") ?? "" }),
  },
  logging: "error",
});

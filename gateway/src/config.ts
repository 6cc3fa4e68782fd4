import { z } from "zod";
import { booleanFlag, port, serviceEnv, withAuthCheck } from "@mes/shared";
import { DEFAULT_PORTS, SUBGRAPHS, urlVariable, type SubgraphName, type UrlVariable } from "@mes/db";
import { SUPERGRAPH_PATH } from "./composition.ts";
import { TRUSTED_DOCUMENTS_MODES } from "./trusted-documents.ts";

const subgraphUrl = (name: SubgraphName) =>
  z
    .url({ error: `must be the subgraph's GraphQL URL, e.g. http://127.0.0.1:${DEFAULT_PORTS[name]}/graphql` })
    .default(`http://127.0.0.1:${DEFAULT_PORTS[name]}/graphql`);

/** `<NAME>_URL` of every registered subgraph. */
const subgraphUrlVariables = Object.fromEntries(SUBGRAPHS.map((n) => [urlVariable(n), subgraphUrl(n)])) as {
  [K in SubgraphName as UrlVariable<K>]: ReturnType<typeof subgraphUrl>;
};

export const gatewayEnv = withAuthCheck(
  z.object({
    ...serviceEnv,
    PORT: port(DEFAULT_PORTS.gateway),
    SUPERGRAPH_PATH: z.string().min(1).default(SUPERGRAPH_PATH),
    ...subgraphUrlVariables,
    SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
    SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().min(1).max(10_000).default(100),
    /** Per user (token subject) on all their sockets together, so one account cannot fill the gateway. */
    SUBSCRIPTIONS_PER_USER: z.coerce.number().int().min(1).max(1_000_000).default(500),
    SUBSCRIPTIONS_PER_ORGANIZATION: z.coerce.number().int().min(1).max(1_000_000).default(5000),
    SUBSCRIPTIONS_MAX: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
    /** How often a quiet subscription stream brings its resume position up to its subgraph's event stream. */
    SUBSCRIPTION_POSITION_REFRESH_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
    /** Events waiting for one subscriber before it is closed as too slow. */
    SUBSCRIPTION_QUEUE_MAX: z.coerce.number().int().min(1).max(1_000_000).default(1000),
    /** The GraphQL IDE and introspection; on by default except in production. */
    ENABLE_IDE: booleanFlag.optional(),
    /** Browser origins allowed to call the graph (comma-separated); none by default. */
    CORS_ORIGINS: z
      .string()
      .default("")
      .transform((v) =>
        v
          .split(",")
          .map((o) => o.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.url({ error: "CORS_ORIGINS must be a comma-separated list of origins like https://mes.example.com" }))),
    // Limits for what one operation may ask of the graph (refused before any subgraph is called).
    QUERY_MAX_DEPTH: z.coerce.number().int().min(2).max(100).default(15),
    QUERY_MAX_ALIASES: z.coerce.number().int().min(0).max(1000).default(30),
    QUERY_MAX_COST: z.coerce.number().int().min(10).max(1_000_000).default(20_000),
    // How long a list without a limit argument is assumed to be when counting an operation's cost.
    QUERY_DEFAULT_LIST_SIZE: z.coerce.number().int().min(1).max(1000).default(20),
    QUERY_MAX_TOKENS: z.coerce.number().int().min(100).max(100_000).default(5000),
    // Requests and subscription starts per user and per organization (token buckets; 0 per second: no limit).
    // Generous by default: a person or a dashboard never meets them; a runaway script does.
    RATE_LIMIT_USER_PER_SECOND: z.coerce.number().min(0).max(1_000_000).default(200),
    RATE_LIMIT_USER_BURST: z.coerce.number().int().min(1).max(10_000_000).default(2000),
    RATE_LIMIT_ORGANIZATION_PER_SECOND: z.coerce.number().min(0).max(1_000_000).default(2000),
    RATE_LIMIT_ORGANIZATION_BURST: z.coerce.number().int().min(1).max(10_000_000).default(20_000),
    /** Whole answers the gateway keeps per visibility key, fresh by the subgraphs' change notices (0: none). */
    ANSWER_CACHE_ENTRIES: z.coerce.number().int().min(0).max(1_000_000).default(5000),
    ANSWER_CACHE_MB: z.coerce.number().min(1).max(65_536).default(128),
    /** How long a kept answer that used the clock (e.g. "overdue") may be served. */
    ANSWER_CACHE_CLOCK_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
    /** off | allow | enforce; by default enforce in production when TRUSTED_DOCUMENTS_PATH is set, allow elsewhere, off without one. */
    TRUSTED_DOCUMENTS: z.enum(TRUSTED_DOCUMENTS_MODES).optional(),
    /** The JSON manifest of trusted documents: { "<sha256 of the document>": "<document>" } (or Apollo's manifest format). */
    TRUSTED_DOCUMENTS_PATH: z.string().min(1).optional(),
  }),
);
export type GatewayConfig = z.infer<typeof gatewayEnv>;

export function subgraphUrls(config: GatewayConfig): Record<SubgraphName, string> {
  return Object.fromEntries(SUBGRAPHS.map((n) => [n, config[urlVariable(n)]])) as Record<SubgraphName, string>;
}

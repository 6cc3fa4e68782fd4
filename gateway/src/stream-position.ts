import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import type { GraphQLSchema } from "graphql";
import { parseCursor, type Logger, type RequestContext } from "@mes/shared";

const QUERY = "query EventStreamPosition { eventStreamPosition }";

/**
 * Whether the subgraphs serve the kit's `eventStreamPosition` field. It is @inaccessible (each
 * subgraph has its own position, so clients cannot ask the graph for it): look in the supergraph.
 */
export function hasStreamPosition(schema: GraphQLSchema): boolean {
  return Boolean(schema.getQueryType()?.getFields().eventStreamPosition);
}

/**
 * Asks one subgraph, as the caller (its token, through the subgraph's data source), for the cursor
 * of its newest event: subscribing `after` it delivers every event from that moment on. Throws when
 * the subgraph cannot be reached (the caller retries); null when it answers without a position
 * (e.g. a subgraph of an older version), so the stream subscribes from "now" as before.
 */
export function streamPositionOf(source: GraphQLDataSource, log: Logger) {
  return async (caller: RequestContext): Promise<bigint | null> => {
    const headers = new Headers({ "x-request-id": caller.requestId });
    if (caller.identity) headers.set("authorization", `Bearer ${caller.identity.token}`);
    // Kind GraphQLDataSourceRequestKind.HEALTH_CHECK (the enum is not exported): not a client operation.
    const answer = await source.process({
      kind: "health check",
      request: { query: QUERY, http: { headers, url: "", method: "POST" } },
      context: caller,
    } as unknown as GraphQLDataSourceProcessOptions);
    const position = parseCursor((answer.data as { eventStreamPosition?: unknown } | null | undefined)?.eventStreamPosition);
    if (position !== null) return position;
    const errors = answer.errors ?? [];
    if (errors.some((e) => e.extensions?.code === "SUBGRAPH_UNAVAILABLE")) throw new Error(errors[0]!.message);
    log.warn({ errors }, "a subgraph answered without its event stream position; subscribing from now");
    return null;
  };
}

import { GraphQLError, type GraphQLFormattedError } from "graphql";

/**
 * A subgraph's errors (JSON over graphql-ws) as errors the gateway can send on: same message, code
 * and other extensions. Their locations are in the subgraph's operation, not the client's: left out.
 */
export function upstreamErrors(errors: readonly GraphQLFormattedError[]): GraphQLError[] {
  return errors.map(
    (e) => new GraphQLError(e.message, { ...(e.extensions ? { extensions: e.extensions } : {}), ...(e.path ? { path: e.path } : {}) }),
  );
}

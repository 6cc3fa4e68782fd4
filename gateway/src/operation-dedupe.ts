import { GraphQLError } from "graphql";
import type { ApolloServerPlugin, GraphQLResponse } from "@apollo/server";
import { visibilityKey, type RequestContext } from "@mes/shared";

type Single = { kind: "single"; singleResult: Record<string, unknown> };

/**
 * Identical queries that arrive while the first is still running are answered with a copy of its
 * result instead of being planned, fetched and shaped again, between callers who may see the same
 * (the visibility key: organization, plants, roles): a plant's dashboards on many screens, signed
 * in as different people, ask the same thing at the same moment. Callers with different keys
 * never share; mutations and subscriptions never do.
 */
export function inflightQueryDedupe(): ApolloServerPlugin<RequestContext> {
  const inflight = new Map<string, Promise<Single | null>>();
  return {
    async requestDidStart() {
      let key: string | null = null;
      let settle: ((body: Single | null) => void) | null = null;
      return {
        async responseForOperation(ctx): Promise<GraphQLResponse | null> {
          const identity = ctx.contextValue.identity;
          // No operation when the document's operations cannot be told apart: nothing to share.
          const operation = ctx.operation as typeof ctx.operation | undefined;
          if (operation?.operation !== "query" || !identity) return null;
          key = JSON.stringify([visibilityKey(identity), ctx.source, ctx.operationName ?? null, ctx.request.variables ?? null]);
          const running = inflight.get(key);
          if (running) {
            const body = await running;
            if (body)
              return { http: ctx.response.http, body: { kind: "single", singleResult: structuredClone(body.singleResult) } } as GraphQLResponse;
            return null; // the first one failed unexpectedly: run this one itself
          }
          inflight.set(key, new Promise((resolve) => (settle = resolve)));
          return null;
        },
        async willSendResponse(ctx) {
          if (!settle || !key) return;
          inflight.delete(key);
          const body = ctx.response.body as unknown as Single;
          settle(body.kind === "single" ? body : null);
        },
      };
    },
  };
}

/**
 * A document whose operation cannot be chosen (several operations and no operationName, or an
 * operationName it does not contain) is the caller's mistake: HTTP 400 naming it, before the
 * gateway would fail to plan it (which Apollo Server answers with a 500).
 */
export function operationMustResolve(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(ctx) {
          if (ctx.operation) return;
          const names = ctx.document.definitions.flatMap((d) => (d.kind === "OperationDefinition" ? [d.name?.value ?? "(anonymous)"] : []));
          const message = ctx.request.operationName
            ? `Unknown operation named "${ctx.request.operationName}"; the document has ${names.join(", ") || "none"}`
            : `Must provide operationName: the document has ${names.length} operations (${names.join(", ")})`;
          throw new GraphQLError(message, { extensions: { code: "OPERATION_RESOLUTION_FAILURE", http: { status: 400 } } });
        },
      };
    },
  };
}

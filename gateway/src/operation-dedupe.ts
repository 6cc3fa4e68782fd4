import { GraphQLError } from "graphql";
import type { ApolloServerPlugin, GraphQLResponse } from "@apollo/server";
import { visibilityKey, type RequestContext } from "@mes/shared";
import { FreshShare } from "./fresh-share.ts";

type Single = { kind: "single"; singleResult: Record<string, unknown> };

/**
 * Identical queries are answered with a copy of one execution's result instead of being planned,
 * fetched and shaped again, between callers who may see the same (the visibility key: organization,
 * plants, roles): a plant's dashboards on many screens, signed in as different people, ask the same
 * thing at the same moment. Callers with different keys never share; mutations and subscriptions
 * never do. A caller never gets an execution that began before it arrived (FreshShare), so a read
 * sent after a write's answer reflects the write (read-your-writes), whichever replica wrote.
 */
export function inflightQueryDedupe(): ApolloServerPlugin<RequestContext> {
  const share = new FreshShare<Single | null>();
  return {
    async requestDidStart() {
      let settle: ((body: Single | null) => void) | null = null;
      return {
        async responseForOperation(ctx): Promise<GraphQLResponse | null> {
          const identity = ctx.contextValue.identity;
          // No operation when the document's operations cannot be told apart: nothing to share.
          const operation = ctx.operation as typeof ctx.operation | undefined;
          if (operation?.operation !== "query" || !identity) return null;
          const key = JSON.stringify([visibilityKey(identity), ctx.source, ctx.operationName ?? null, ctx.request.variables ?? null]);
          // This request leads when the share calls its work: it executes, and its answer settles the run.
          let lead: () => void = () => {};
          const leading = new Promise<"lead">((resolve) => (lead = () => resolve("lead")));
          const run = share.run(key, () => {
            lead();
            return new Promise<Single | null>((resolve) => (settle = resolve));
          });
          if ((await Promise.race([leading, run])) === "lead") return null;
          const body = await run;
          if (body) return { http: ctx.response.http, body: { kind: "single", singleResult: structuredClone(body.singleResult) } } as GraphQLResponse;
          return null; // the shared run failed unexpectedly: run this one itself
        },
        async willSendResponse(ctx) {
          if (!settle) return;
          const body = ctx.response.body as unknown as Single;
          settle(body.kind === "single" ? body : null);
          settle = null;
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

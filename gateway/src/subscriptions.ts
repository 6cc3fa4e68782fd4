import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { Kind, parse, print, visit, type DocumentNode, type ExecutionResult, type FieldNode, type OperationDefinitionNode } from "graphql";
import { executeQueryPlan, buildOperationContext, type GraphQLDataSource } from "@apollo/gateway";
import { QueryPlanner, type FetchNode, type PlanNode, type QueryPlan } from "@apollo/query-planner";
import { Supergraph, operationFromDocument } from "@apollo/federation-internals";
import type { Logger, RequestContext } from "@mes/shared";

/** The primary fetch is answered from the event in hand, under a name no subgraph has. */
const EVENT_SOURCE = "__subscription_event";
const CURSOR_ALIAS = "__mesCursor";
const AFTER_VARIABLE = "__mesAfter";

interface Upstream {
  query: string;
  variables: Record<string, unknown>;
  resumable: boolean;
}

/**
 * Rewrites the primary subscription for the owning subgraph so the gateway can resume it: the root
 * field also selects its `cursor`, and its `after` argument comes from a variable the gateway sets
 * to the last cursor it delivered. Fields without both stay as they are (not resumable).
 */
export function resumableOperation(primary: FetchNode, clientVariables: Record<string, unknown>, rootHasCursor: boolean): Upstream {
  const variables = Object.fromEntries((primary.variableUsages ?? []).map((name) => [name, clientVariables[name]]));
  if (!rootHasCursor) return { query: primary.operation, variables, resumable: false };
  let initialAfter: unknown = null;
  const doc = visit(parse(primary.operation), {
    OperationDefinition(node: OperationDefinitionNode) {
      const root = node.selectionSet.selections[0] as FieldNode;
      const given = root.arguments?.find((a) => a.name.value === "after");
      if (given) initialAfter = given.value.kind === Kind.VARIABLE ? variables[given.value.name.value] : given.value.kind === Kind.STRING ? given.value.value : null;
      const args = (root.arguments ?? []).filter((a) => a.name.value !== "after");
      const rewritten: FieldNode = {
        ...root,
        arguments: [...args, { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: "after" }, value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: AFTER_VARIABLE } } }],
        selectionSet: { kind: Kind.SELECTION_SET, selections: [...(root.selectionSet?.selections ?? []), { kind: Kind.FIELD, alias: { kind: Kind.NAME, value: CURSOR_ALIAS }, name: { kind: Kind.NAME, value: "cursor" } }] },
      };
      return {
        ...node,
        variableDefinitions: [...(node.variableDefinitions ?? []), { kind: Kind.VARIABLE_DEFINITION, variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: AFTER_VARIABLE } }, type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: "ID" } } }],
        selectionSet: { ...node.selectionSet, selections: [rewritten] },
      };
    },
  });
  return { query: print(doc), variables: { ...variables, [AFTER_VARIABLE]: initialAfter }, resumable: true };
}

export interface SubscriptionCounters {
  active: number;
  delivered: number;
  upstreamReconnects: number;
}

/**
 * Federated subscriptions on the stock gateway's building blocks: the query planner splits a
 * subscription into its primary part (subscribed at the owning subgraph over graphql-ws) and the
 * rest; each event runs through executeQueryPlan, so fields of other subgraphs are fetched and the
 * response is shaped exactly as a query's would be.
 */
export class FederatedSubscriptions {
  readonly supergraph: Supergraph;
  readonly apiSchema;
  readonly schema;
  private readonly supergraphSchema;
  private readonly planner: QueryPlanner;
  readonly counters: SubscriptionCounters = { active: 0, delivered: 0, upstreamReconnects: 0 };

  constructor(
    supergraphSdl: string,
    private readonly urls: Record<string, string>,
    private readonly dataSource: (name: string) => GraphQLDataSource,
    private readonly log: Logger,
  ) {
    this.supergraph = Supergraph.build(supergraphSdl);
    this.apiSchema = this.supergraph.apiSchema();
    this.schema = this.apiSchema.toGraphQLJSSchema();
    this.supergraphSchema = this.supergraph.schema.toGraphQLJSSchema();
    this.planner = new QueryPlanner(this.supergraph);
  }

  subscribe(document: DocumentNode, variables: Record<string, unknown>, operationName: string | undefined, context: RequestContext): AsyncIterableIterator<ExecutionResult> {
    const operation = operationFromDocument(this.apiSchema, document, { operationName });
    const plan = this.planner.buildQueryPlan(operation);
    const node = plan.node as { kind: string; primary: FetchNode; rest?: PlanNode } | undefined;
    if (node?.kind !== "Subscription") throw new Error("not a subscription operation");
    const rootField = (this.schema.getSubscriptionType()?.getFields() ?? {})[(operation.selectionSet.selections()[0] as { element: { name: string } }).element.name];
    const upstream = resumableOperation(node.primary, variables, !!rootField && "cursor" in ((rootField.type as unknown as { ofType?: { getFields?: () => object } }).ofType?.getFields?.() ?? {}));
    const restPlan: QueryPlan = {
      kind: "QueryPlan",
      node: node.rest ? { kind: "Sequence", nodes: [{ ...node.primary, serviceName: EVENT_SOURCE }, node.rest] } : { ...node.primary, serviceName: EVENT_SOURCE },
    };
    const operationContext = buildOperationContext({ schema: this.schema, operationDocument: document, operationName });
    const url = this.urls[node.primary.serviceName]!.replace(/^http/, "ws");
    const self = this;

    const queue: ExecutionResult[] = [];
    let waiting: ((r: IteratorResult<ExecutionResult>) => void) | null = null;
    let closed = false;
    let failure: unknown = null;
    let lastCursor = upstream.variables[AFTER_VARIABLE] ?? null;
    let client: Client | null = null;
    let unsubscribe: (() => void) | null = null;
    let chain = Promise.resolve();
    this.counters.active += 1;

    const deliver = (result: ExecutionResult) => {
      if (closed) return;
      self.counters.delivered += 1;
      if (waiting) {
        const w = waiting;
        waiting = null;
        w({ value: result, done: false });
      } else {
        queue.push(result);
      }
    };
    const resolveEvent = async (data: Record<string, unknown>) => {
      const serviceMap = { [EVENT_SOURCE]: { process: async () => ({ data }) } as unknown as GraphQLDataSource, ...Object.fromEntries(Object.keys(this.urls).map((n) => [n, this.dataSource(n)])) };
      const requestContext = {
        request: { query: print(document), variables, operationName }, context, logger: this.log, operationName,
        document, metrics: { captureTraces: false }, cache: undefined, overallCachePolicy: undefined,
      } as unknown as Parameters<typeof executeQueryPlan>[2];
      return executeQueryPlan(restPlan, serviceMap, requestContext, operationContext, this.supergraphSchema, this.apiSchema);
    };

    const connect = (attempt: number) => {
      if (closed) return;
      client = createClient({
        url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true,
        connectionParams: { requestId: context.requestId },
      });
      unsubscribe = client.subscribe<Record<string, unknown>>(
        { query: upstream.query, variables: upstream.resumable ? { ...upstream.variables, [AFTER_VARIABLE]: lastCursor } : upstream.variables },
        {
          next: (value) => {
            attempt = 0;
            if (value.errors?.length && !value.data) {
              deliver({ errors: value.errors as unknown as ExecutionResult["errors"] });
              return;
            }
            const data = value.data!;
            const root = Object.values(data)[0] as Record<string, unknown> | undefined;
            // Resolve events one after another, so they reach the client in their order.
            chain = chain.then(async () => {
              const result = await resolveEvent(data);
              if (root?.[CURSOR_ALIAS] != null) lastCursor = root[CURSOR_ALIAS];
              deliver(result as ExecutionResult);
            }).catch((err) => self.log.error({ err }, "resolving a subscription event failed"));
          },
          error: (err) => {
            void client?.dispose();
            if (closed) return;
            if (!upstream.resumable) {
              failure = err;
              close();
              return;
            }
            // The subgraph went away: come back with the last cursor delivered, so nothing is lost or repeated.
            self.counters.upstreamReconnects += 1;
            const delay = Math.min(100 * 2 ** attempt, 5000);
            self.log.warn({ service: node.primary.serviceName, attempt, delay }, "subscription upstream lost; resubscribing from the last cursor");
            setTimeout(() => connect(attempt + 1), delay).unref();
          },
          complete: () => {
            if (!closed && upstream.resumable) setTimeout(() => connect(attempt + 1), 100).unref();
            else close();
          },
        },
      );
    };
    const close = () => {
      if (closed) return;
      closed = true;
      self.counters.active -= 1;
      unsubscribe?.();
      void client?.dispose();
      if (waiting) waiting({ value: undefined, done: true });
    };
    connect(0);

    return {
      async next() {
        if (queue.length) return { value: queue.shift()!, done: false };
        if (failure) throw failure;
        if (closed) return { value: undefined, done: true };
        return new Promise((resolve) => (waiting = resolve));
      },
      async return() {
        close();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}

import { print, type DocumentNode, type ExecutionResult } from "graphql";
import { executeQueryPlan, buildOperationContext, type GraphQLDataSource } from "@apollo/gateway";
import { QueryPlanner, type FetchNode, type PlanNode, type QueryPlan } from "@apollo/query-planner";
import { Supergraph, operationFromDocument } from "@apollo/federation-internals";
import { badUserInput, parseCursor, type Logger, type RequestContext } from "@mes/shared";
import { ClientStream, type Corkable } from "./client-stream.ts";
import type { ResolveEvent } from "./shared-stream.ts";
import { StreamFamily } from "./stream-family.ts";
import { UpstreamSockets } from "./upstream-sockets.ts";
import { resumableOperation, streamIdentity } from "./resumable-operation.ts";
import { hasStreamPosition, streamPositionOf } from "./stream-position.ts";
import { newCounters, type SubscriptionCounters } from "./subscription-counters.ts";

export { resumableOperation } from "./resumable-operation.ts";
export { upstreamErrors } from "./upstream-errors.ts";
export type { SubscriptionCounters } from "./subscription-counters.ts";

/** The primary fetch is answered from the event in hand, under a name no subgraph has. */
const EVENT_SOURCE = "__subscription_event";

export interface SubscriptionLimits {
  /** Live events waiting for one client before it is closed as too slow. */
  maxQueuedEvents: number;
  /** How often a quiet stream brings its resume position up to its subgraph's (default a minute; 0: never). */
  positionRefreshMs?: number;
  /**
   * Paging of catching-up clients (default 200): one more than 5 pages behind its catching-up
   * group reads on by itself, a page at a time.
   */
  catchUpPage?: number;
}

const AFTER_PROBLEM = "after must be the cursor of an earlier event (the cursor field of an event; digits only)";

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
  /** The streams of each subscription (operation, variables, tenant scope), whatever cursor its clients resume from. */
  private readonly families = new Map<string, StreamFamily>();
  private readonly sockets = new UpstreamSockets();
  private readonly withStreamPosition: boolean;
  readonly counters: SubscriptionCounters = newCounters();

  constructor(
    supergraphSdl: string,
    private readonly urls: Record<string, string>,
    private readonly dataSource: (name: string) => GraphQLDataSource,
    private readonly log: Logger,
    private readonly limits: SubscriptionLimits = { maxQueuedEvents: 1000 },
  ) {
    this.supergraph = Supergraph.build(supergraphSdl);
    this.apiSchema = this.supergraph.apiSchema();
    this.schema = this.apiSchema.toGraphQLJSSchema();
    this.supergraphSchema = this.supergraph.schema.toGraphQLJSSchema();
    this.planner = new QueryPlanner(this.supergraph);
    this.withStreamPosition = hasStreamPosition(this.supergraphSchema);
  }

  /** Upstream sockets open now (one per subgraph and caller token in use). */
  get upstreamSockets(): number {
    return this.sockets.size;
  }

  /**
   * `scope` separates callers that must not share a stream (their tenant: organization and plants);
   * `onSlow` is called when this client has fallen too far behind (the server closes its socket);
   * `transport` is the client's connection, written once per shared event.
   */
  subscribe(
    document: DocumentNode,
    variables: Record<string, unknown>,
    operationName: string | undefined,
    context: RequestContext,
    scope = "",
    onSlow?: () => void,
    transport?: Corkable,
  ): AsyncIterableIterator<ExecutionResult> {
    const operation = operationFromDocument(this.apiSchema, document, { operationName });
    const plan = this.planner.buildQueryPlan(operation);
    const node = plan.node as { kind: string; primary: FetchNode; rest?: PlanNode } | undefined;
    if (node?.kind !== "Subscription") throw new Error("not a subscription operation");
    const rootName = (operation.selectionSet.selections()[0] as unknown as { element: { name: string } }).element.name;
    const rootType = this.schema.getSubscriptionType()?.getFields()?.[rootName]?.type as unknown as
      | { ofType?: { getFields?: () => object } }
      | undefined;
    const { after: givenAfter, ...upstream } = resumableOperation(node.primary, variables, "cursor" in (rootType?.ofType?.getFields?.() ?? {}));
    // Refused here as the subgraph would, without opening anything upstream.
    const after = givenAfter == null ? null : parseCursor(String(givenAfter));
    if (givenAfter != null && after === null) throw badUserInput(AFTER_PROBLEM, [{ field: "after", message: AFTER_PROBLEM }]);
    const resolveEvent = this.eventResolver(document, variables, operationName, node);

    const service = node.primary.serviceName;
    const feed = {
      url: this.urls[service]!.replace(/^http/, "ws"),
      operation: upstream,
      sockets: this.sockets,
      streamPosition: this.withStreamPosition ? streamPositionOf(this.dataSource(service), this.log) : null,
      positionRefreshMs: this.limits.positionRefreshMs ?? 60_000,
      counters: this.counters,
      log: this.log,
    };
    const identity = streamIdentity(document, operationName, variables);
    const key = JSON.stringify([scope, identity.document, operationName ?? null, identity.variables]);
    let family = this.families.get(key);
    if (!family) {
      const page = this.limits.catchUpPage ?? 200;
      const created: StreamFamily = new StreamFamily(
        {
          stream: { ...feed, resolveEvent },
          ownPaceAfter: page * 5,
          page: { pauseAt: page, resumeAt: Math.floor(page / 4) },
          quietCheckMs: feed.positionRefreshMs,
          onEmpty: () => {
            if (this.families.get(key) === created) this.families.delete(key);
          },
        },
        context,
      );
      family = created;
      this.families.set(key, family);
    }
    const streams = family;
    const client: ClientStream = new ClientStream(
      {
        maxQueuedEvents: this.limits.maxQueuedEvents,
        counters: this.counters,
        resolve: (event) => resolveEvent(event, context),
        ...(onSlow ? { onSlow } : {}),
        ...(transport ? { transport } : {}),
        onFinish: () => streams.remove(client),
        onCaughtUpEventRead: () => streams.eventRead(client),
      },
      after,
    );
    // Live from now, or from a cursor: catching up first (not resumable: live only).
    streams.add(client, context, upstream.resumable ? after : null);
    return client;
  }

  /** Resolves one event of this subscription: the rest of the plan, with the event as the primary fetch's answer. */
  private eventResolver(
    document: DocumentNode,
    variables: Record<string, unknown>,
    operationName: string | undefined,
    node: { primary: FetchNode; rest?: PlanNode },
  ): ResolveEvent {
    const restPlan: QueryPlan = {
      kind: "QueryPlan",
      node: node.rest
        ? { kind: "Sequence", nodes: [{ ...node.primary, serviceName: EVENT_SOURCE }, node.rest] }
        : { ...node.primary, serviceName: EVENT_SOURCE },
    };
    const operationContext = buildOperationContext({ schema: this.schema, operationDocument: document, operationName });
    // Built once per subscription; per event only the event itself changes.
    const subgraphSources = Object.fromEntries(Object.keys(this.urls).map((n) => [n, this.dataSource(n)]));
    const request = { query: print(document), variables, operationName };
    return async (data, context) => {
      // Entity fetches carry the stream's current caller, whose token the subgraphs verify.
      const requestContext = {
        request,
        context,
        logger: this.log,
        operationName,
        document,
        metrics: { captureTraces: false },
      } as unknown as Parameters<typeof executeQueryPlan>[2];
      const serviceMap = { ...subgraphSources, [EVENT_SOURCE]: { process: async () => ({ data }) } as unknown as GraphQLDataSource };
      return executeQueryPlan(
        restPlan,
        serviceMap,
        requestContext,
        operationContext,
        this.supergraphSchema,
        this.apiSchema,
      ) as Promise<ExecutionResult>;
    };
  }

  /** Closes every upstream (the gateway is stopping; its clients are gone). */
  close(): void {
    this.families.clear();
    this.sockets.dispose();
  }
}

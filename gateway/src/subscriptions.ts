import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import {
  GraphQLError,
  Kind,
  parse,
  print,
  visit,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type GraphQLFormattedError,
  type OperationDefinitionNode,
} from "graphql";
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
    OperationDefinition(node: OperationDefinitionNode): OperationDefinitionNode {
      const root = node.selectionSet.selections[0] as FieldNode;
      const given = root.arguments?.find((a) => a.name.value === "after");
      // The planner prints an ID literal of digits (a cursor) as an Int: "42" arrives as 42.
      if (given)
        initialAfter =
          given.value.kind === Kind.VARIABLE
            ? variables[given.value.name.value]
            : given.value.kind === Kind.STRING || given.value.kind === Kind.INT
              ? given.value.value
              : null;
      // The client's own `after` variable is replaced by the gateway's; an unused variable is invalid.
      const replaced = given?.value.kind === Kind.VARIABLE ? given.value.name.value : null;
      if (replaced) delete variables[replaced];
      const args = (root.arguments ?? []).filter((a) => a.name.value !== "after");
      const rewritten: FieldNode = {
        ...root,
        arguments: [
          ...args,
          {
            kind: Kind.ARGUMENT,
            name: { kind: Kind.NAME, value: "after" },
            value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: AFTER_VARIABLE } },
          },
        ],
        selectionSet: {
          kind: Kind.SELECTION_SET,
          selections: [
            ...(root.selectionSet?.selections ?? []),
            { kind: Kind.FIELD, alias: { kind: Kind.NAME, value: CURSOR_ALIAS }, name: { kind: Kind.NAME, value: "cursor" } },
          ],
        },
      };
      return {
        ...node,
        variableDefinitions: [
          ...(node.variableDefinitions ?? []).filter((d) => d.variable.name.value !== replaced),
          {
            kind: Kind.VARIABLE_DEFINITION,
            variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: AFTER_VARIABLE } },
            type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: "ID" } },
          },
        ],
        selectionSet: { ...node.selectionSet, selections: [rewritten] },
      };
    },
  });
  return { query: print(doc), variables: { ...variables, [AFTER_VARIABLE]: initialAfter }, resumable: true };
}

/**
 * A subgraph's errors (JSON over graphql-ws) as errors the gateway can send on: same message, code
 * and other extensions. Their locations are in the subgraph's operation, not the client's: left out.
 */
export function upstreamErrors(errors: readonly GraphQLFormattedError[]): GraphQLError[] {
  return errors.map(
    (e) => new GraphQLError(e.message, { ...(e.extensions ? { extensions: e.extensions } : {}), ...(e.path ? { path: e.path } : {}) }),
  );
}

export interface SubscriptionCounters {
  /** Client subscriptions open now. */
  active: number;
  /** Upstream subscriptions at subgraphs open now (identical client subscriptions share one). */
  upstreams: number;
  /** Events delivered to clients. */
  delivered: number;
  upstreamReconnects: number;
  /** Clients closed for not reading their events. */
  slowClientsClosed: number;
}

/** One client's view of a stream: its own queue, closed when it cannot keep up. */
interface Listener {
  deliver(result: ExecutionResult): void;
  end(error?: unknown): void;
}

export interface SubscriptionLimits {
  /** Events waiting for one client before it is closed as too slow. */
  maxQueuedEvents: number;
}

/**
 * One upstream subscription at the owning subgraph, shared by every client that asked for the same
 * operation with the same variables (and scope), resolved once per event and fanned out.
 */
class SharedStream {
  readonly listeners = new Set<Listener>();
  private client: Client | null = null;
  private unsubscribe: (() => void) | null = null;
  private chain = Promise.resolve();
  private closed = false;
  private lastCursor: unknown;
  /**
   * The caller whose token the upstream subscription and the entity fetches use: of the clients
   * sharing this stream (one tenant scope), the one whose token expires last, so a long-lived stream
   * keeps working as tablets reconnect with fresh tokens.
   */
  private context: RequestContext;

  constructor(
    private readonly url: string,
    private readonly upstream: Upstream,
    private readonly resolveEvent: (data: Record<string, unknown>, context: RequestContext) => Promise<ExecutionResult>,
    private readonly counters: SubscriptionCounters,
    private readonly log: Logger,
    private readonly onClose: () => void,
    context: RequestContext,
  ) {
    this.context = context;
    this.lastCursor = upstream.variables[AFTER_VARIABLE] ?? null;
    counters.upstreams += 1;
    this.connect(0);
  }

  private connect(attempt: number): void {
    if (this.closed) return;
    const client = createClient({
      url: this.url,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: true,
      // Read at each (re)connect: the subgraph verifies the freshest token of this stream's clients.
      connectionParams: () => ({ requestId: this.context.requestId, authorization: `Bearer ${this.context.identity?.token ?? ""}` }),
    });
    this.client = client;
    const variables = this.upstream.resumable ? { ...this.upstream.variables, [AFTER_VARIABLE]: this.lastCursor } : this.upstream.variables;
    this.unsubscribe = client.subscribe<Record<string, unknown>>(
      { query: this.upstream.query, variables },
      {
        next: (value) => {
          attempt = 0;
          if (value.errors?.length && !value.data) {
            // The subgraph refused the subscription (e.g. a bad cursor): tell the clients and end,
            // rather than resubscribe when it completes and be refused again.
            this.broadcast({ errors: upstreamErrors(value.errors) });
            this.close();
            return;
          }
          const data = value.data!;
          const root = Object.values(data)[0] as Record<string, unknown> | undefined;
          // One event after another, so clients get them in their order.
          this.chain = this.chain
            .then(async () => {
              const result = await this.resolveEvent(data, this.context);
              if (root?.[CURSOR_ALIAS] != null) this.lastCursor = root[CURSOR_ALIAS];
              this.broadcast(result);
            })
            .catch((err) => this.log.error({ err }, "resolving a subscription event failed"));
        },
        error: (err) => {
          void client.dispose();
          if (this.closed) return;
          // GraphQL errors (the subgraph refused the operation) go to the clients; retrying would not help.
          if (Array.isArray(err)) {
            this.broadcast({ errors: upstreamErrors(err as GraphQLFormattedError[]) });
            this.close();
            return;
          }
          if (!this.upstream.resumable) {
            this.close(err);
            return;
          }
          // The subgraph went away: come back from the last cursor delivered, nothing lost or repeated.
          this.counters.upstreamReconnects += 1;
          const delay = Math.min(100 * 2 ** attempt, 5000);
          this.log.warn({ url: this.url, attempt, delay }, "subscription upstream lost; resubscribing from the last cursor");
          setTimeout(() => this.connect(attempt + 1), delay).unref();
        },
        complete: () => {
          if (!this.closed && this.upstream.resumable) setTimeout(() => this.connect(attempt + 1), 100).unref();
          else this.close();
        },
      },
    );
  }

  /** A client joins: its credentials take over if they outlive the current ones. */
  join(context: RequestContext): void {
    const expiry = (c: RequestContext) => c.identity?.expiresAt ?? Number.MAX_SAFE_INTEGER;
    if (expiry(context) > expiry(this.context)) this.context = context;
  }

  private broadcast(result: ExecutionResult): void {
    for (const listener of this.listeners) listener.deliver(result);
  }

  remove(listener: Listener): void {
    this.listeners.delete(listener);
    // Upstream closed when the last client leaves.
    if (this.listeners.size === 0) this.close();
  }

  close(error?: unknown): void {
    if (this.closed) return;
    this.closed = true;
    this.counters.upstreams -= 1;
    this.unsubscribe?.();
    void this.client?.dispose();
    for (const listener of [...this.listeners]) listener.end(error);
    this.onClose();
  }
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
  private readonly streams = new Map<string, SharedStream>();
  readonly counters: SubscriptionCounters = { active: 0, upstreams: 0, delivered: 0, upstreamReconnects: 0, slowClientsClosed: 0 };

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
  }

  /**
   * `scope` separates callers that must not share a stream (their tenant: organization and plants);
   * `onSlow` is called when this client has fallen too far behind (the server closes its socket).
   */
  subscribe(
    document: DocumentNode,
    variables: Record<string, unknown>,
    operationName: string | undefined,
    context: RequestContext,
    scope = "",
    onSlow?: () => void,
  ): AsyncIterableIterator<ExecutionResult> {
    const operation = operationFromDocument(this.apiSchema, document, { operationName });
    const plan = this.planner.buildQueryPlan(operation);
    const node = plan.node as { kind: string; primary: FetchNode; rest?: PlanNode } | undefined;
    if (node?.kind !== "Subscription") throw new Error("not a subscription operation");
    const rootName = (operation.selectionSet.selections()[0] as unknown as { element: { name: string } }).element.name;
    const rootType = this.schema.getSubscriptionType()?.getFields()?.[rootName]?.type as unknown as
      | { ofType?: { getFields?: () => object } }
      | undefined;
    const upstream = resumableOperation(node.primary, variables, "cursor" in (rootType?.ofType?.getFields?.() ?? {}));
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
    const resolveEvent = async (data: Record<string, unknown>, context: RequestContext) => {
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

    // Identical live subscriptions share one upstream; one resuming from a cursor has its own.
    const shareable = upstream.variables[AFTER_VARIABLE] == null;
    const key = shareable ? JSON.stringify([scope, print(document), operationName ?? null, variables]) : null;
    let stream = key ? this.streams.get(key) : undefined;
    if (!stream) {
      const url = this.urls[node.primary.serviceName]!.replace(/^http/, "ws");
      const created: SharedStream = new SharedStream(
        url,
        upstream,
        resolveEvent,
        this.counters,
        this.log,
        () => {
          if (key && this.streams.get(key) === created) this.streams.delete(key);
        },
        context,
      );
      stream = created;
      if (key) this.streams.set(key, stream);
    } else {
      stream.join(context);
    }
    return this.listen(stream, onSlow);
  }

  private listen(stream: SharedStream, onSlow?: () => void): AsyncIterableIterator<ExecutionResult> {
    const queue: ExecutionResult[] = [];
    let waiting: ((r: IteratorResult<ExecutionResult>) => void) | null = null;
    let failure: unknown = null;
    let done = false;
    const counters = this.counters;
    const max = this.limits.maxQueuedEvents;
    counters.active += 1;
    const finish = () => {
      if (done) return;
      done = true;
      counters.active -= 1;
      stream.remove(listener);
      if (waiting) waiting({ value: undefined, done: true });
    };
    const listener: Listener = {
      deliver(result) {
        if (done) return;
        counters.delivered += 1;
        if (waiting) {
          const w = waiting;
          waiting = null;
          w({ value: result, done: false });
        } else if (queue.length >= max) {
          // It cannot keep up: stop holding events for it rather than stall or grow without bound.
          counters.slowClientsClosed += 1;
          finish();
          onSlow?.();
        } else {
          queue.push(result);
        }
      },
      end(error) {
        failure = error ?? null;
        finish();
      },
    };
    stream.listeners.add(listener);
    return {
      async next() {
        if (queue.length) return { value: queue.shift()!, done: false };
        if (failure) throw failure;
        if (done) return { value: undefined, done: true };
        return new Promise((resolve) => (waiting = resolve));
      },
      async return() {
        finish();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}

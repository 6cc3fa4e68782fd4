// The floor of a query: what its subgraph fetches cost when called directly, along the query
// plan's critical path (a sequence adds up, parallel branches take the slowest). The plan is the
// one @apollo/query-planner makes (as every gateway here does); each fetch is recorded once with
// its real variables and representations, then replayed against its subgraph to time it.
import { Supergraph, operationFromDocument } from "@apollo/federation-internals";
import { QueryPlanner, type PlanNode } from "@apollo/query-planner";
import { RemoteGraphQLDataSource, buildOperationContext, executeQueryPlan } from "@apollo/gateway";
import { parse } from "graphql";

export async function criticalPathFloor(supergraphSdl: string, query: string, variables: Record<string, unknown>, headers: Record<string, string>) {
  const supergraph = Supergraph.build(supergraphSdl);
  const api = supergraph.apiSchema();
  const document = parse(query);
  const plan = new QueryPlanner(supergraph).buildQueryPlan(operationFromDocument(api, document as never));
  const recorded = new Map<string, { url: string; body: string }>();
  class Recording extends RemoteGraphQLDataSource {
    override willSendRequest({
      request,
    }: {
      request: { query?: string; variables?: unknown; http?: { headers: { set(k: string, v: string): void } } };
    }) {
      for (const [k, v] of Object.entries(headers)) request.http?.headers.set(k, v);
      recorded.set(request.query!, { url: this.url!, body: JSON.stringify({ query: request.query, variables: request.variables }) });
    }
  }
  const serviceMap = Object.fromEntries([...supergraph.subgraphs().values()].map((s) => [s.name, new Recording({ url: s.url })]));
  const requestContext = { request: { query, variables }, context: {}, logger: console, metrics: { captureTraces: false } } as never;
  const result = (await executeQueryPlan(
    plan,
    serviceMap,
    requestContext,
    buildOperationContext({ schema: api.toGraphQLJSSchema(), operationDocument: document as never }),
    supergraph.schema.toGraphQLJSSchema(),
    api,
  )) as { errors?: unknown[] };
  if (result.errors?.length) throw new Error(`floor: the plan failed: ${JSON.stringify(result.errors).slice(0, 500)}`);

  if (process.env.BENCH_DUMP) (await import("node:fs")).writeFileSync(process.env.BENCH_DUMP, JSON.stringify([...recorded.values()]));
  const p50 = new Map<string, number>();
  for (const [operation, { url, body }] of recorded) {
    const send = () => fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body }).then((r) => r.text());
    for (let i = 0; i < 20; i++) await send();
    const times: number[] = [];
    for (let i = 0; i < 100; i++) {
      const t = performance.now();
      await send();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    p50.set(operation, times[50]!);
    if (process.env.BENCH_VERBOSE) console.log(`  ${times[50]!.toFixed(2).padStart(7)} ms  ${url}  ${operation.replace(/\s+/g, " ").slice(0, 110)}`);
  }
  const cost = (node: PlanNode | undefined): number => {
    if (!node) return 0;
    switch (node.kind) {
      case "Fetch":
        return p50.get(node.operation) ?? 0;
      case "Sequence":
        return node.nodes.reduce((s, n) => s + cost(n), 0);
      case "Parallel":
        return Math.max(0, ...node.nodes.map(cost));
      case "Flatten":
        return cost(node.node);
      case "Condition":
        return Math.max(cost(node.ifClause), cost(node.elseClause));
      default:
        return 0;
    }
  };
  return { fetches: recorded.size, criticalPathMs: cost(plan.node as PlanNode | undefined) };
}

import { context, SpanKind, trace } from "@opentelemetry/api";
import { endSpan, tracer, tracingEnabled } from "@mes/shared";

/**
 * Runs one subgraph fetch in a client span "subgraph <name>" (tracing on), so the traceparent the
 * data source sends names it and the subgraph's spans nest under it.
 */
export async function inSubgraphSpan<T>(subgraph: string, operationName: string | undefined, fn: () => Promise<T>): Promise<T> {
  if (!tracingEnabled()) return fn();
  const span = tracer("gateway").startSpan(`subgraph ${subgraph}`, {
    kind: SpanKind.CLIENT,
    attributes: { "mes.subgraph": subgraph, ...(operationName ? { "graphql.operation.name": operationName } : {}) },
  });
  try {
    const result = await context.with(trace.setSpan(context.active(), span), fn);
    endSpan(span);
    return result;
  } catch (err) {
    endSpan(span, err);
    throw err;
  }
}

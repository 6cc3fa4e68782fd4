import { randomBytes } from "node:crypto";
import type http from "node:http";
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Context,
  type Span,
  type SpanContext,
  type TextMapGetter,
} from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { detectResources, envDetector, resourceFromAttributes } from "@opentelemetry/resources";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SpanExporter,
} from "@opentelemetry/sdk-trace";
import type pg from "pg";
import { z } from "zod";

/**
 * The standard OpenTelemetry variables this project reads (the OTLP exporter reads its own
 * OTEL_EXPORTER_OTLP_* headers, timeout and certificates itself). Tracing is off unless an
 * exporter is asked for: no exporter, no spans recorded, no cost.
 */
export const tracingEnv = {
  OTEL_SDK_DISABLED: z.enum(["true", "false"], { error: 'must be "true" or "false"' }).optional(),
  OTEL_TRACES_EXPORTER: z.enum(["otlp", "console", "none"], { error: 'must be "otlp", "console" or "none"' }).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ error: "must be the OTLP/HTTP base URL, e.g. http://jaeger:4318" }).optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url({ error: "must be the OTLP/HTTP traces URL, e.g. http://jaeger:4318/v1/traces" }).optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(["http/json"], { error: 'only "http/json" is supported (OTLP over HTTP with JSON bodies)' }).optional(),
  OTEL_TRACES_SAMPLER: z
    .enum(["always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio"])
    .optional(),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
};

export type TracingConfig = { [K in keyof typeof tracingEnv]?: z.infer<(typeof tracingEnv)[K]> };

/** Which exporter the configuration asks for; "off" when none (the default). */
export function tracingMode(env: TracingConfig): "off" | "otlp" | "console" {
  if (env.OTEL_SDK_DISABLED === "true") return "off";
  if (env.OTEL_TRACES_EXPORTER === "none") return "off";
  if (env.OTEL_TRACES_EXPORTER) return env.OTEL_TRACES_EXPORTER;
  return env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? "otlp" : "off";
}

/** OTEL_TRACES_SAMPLER as the specification names them; the default follows the caller's decision, else samples all. */
export function samplerFrom(env: TracingConfig): Sampler {
  const ratio = env.OTEL_TRACES_SAMPLER_ARG ?? 1;
  switch (env.OTEL_TRACES_SAMPLER) {
    case "always_on":
      return new AlwaysOnSampler();
    case "always_off":
      return new AlwaysOffSampler();
    case "traceidratio":
      return new TraceIdRatioBasedSampler(ratio);
    case "parentbased_always_off":
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case "parentbased_traceidratio":
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

let provider: TracerProvider | null = null;
const w3c = new W3CTraceContextPropagator();

/**
 * Starts tracing for this process when the configuration asks for an exporter (or a test passes
 * one). Once per process: every service started in it (a test stack) shares the provider, and
 * each service's spans carry its name as their instrumentation scope.
 */
export function initTracing(service: string, env: TracingConfig, opts: { exporter?: SpanExporter } = {}): boolean {
  if (provider) return true;
  const mode = opts.exporter ? "test" : tracingMode(env);
  if (mode === "off") return false;
  const exporter = opts.exporter ?? (mode === "console" ? new ConsoleSpanExporter() : new OTLPTraceExporter());
  provider = new TracerProvider({
    sampler: samplerFrom(env),
    resource: resourceFromAttributes({ "service.name": env.OTEL_SERVICE_NAME ?? `mes-${service}` }).merge(
      detectResources({ detectors: [envDetector] }),
    ),
    spanProcessors: [opts.exporter ? new SimpleSpanProcessor({ exporter }) : new BatchSpanProcessor({ exporter })],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(w3c);
  return true;
}

export function tracingEnabled(): boolean {
  return provider !== null;
}

/** Sends the spans still buffered (at a clean stop). */
export async function shutdownTracing(): Promise<void> {
  await provider?.shutdown().catch(() => {});
}

export const tracer = (service: string) => trace.getTracer(`mes-${service}`);

/** The W3C traceparent header of a span: version-traceid-spanid-flags. */
export function traceparentOf(sc: SpanContext): string {
  return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 0xff).toString(16).padStart(2, "0")}`;
}

const headerGetter: TextMapGetter<http.IncomingHttpHeaders> = {
  keys: (h) => Object.keys(h),
  get: (h, key) => h[key],
};

/** The caller's trace context (W3C traceparent), or the root when it sent none or a bad one. */
export function extractContext(headers: http.IncomingHttpHeaders): Context {
  return w3c.extract(ROOT_CONTEXT, headers, headerGetter);
}

/**
 * The span of one request to this service, child of the caller's traceparent. With tracing off
 * it records nothing: it carries the caller's trace id (or a fresh one), so logs of every service
 * a request touched still share one traceId and the subgraphs receive it.
 */
export function startRequestSpan(service: string, name: string, headers: http.IncomingHttpHeaders): { span: Span; context: Context } {
  const parent = extractContext(headers);
  if (provider) {
    const span = tracer(service).startSpan(name, { kind: SpanKind.SERVER }, parent);
    return { span, context: trace.setSpan(parent, span) };
  }
  const remote = trace.getSpanContext(parent);
  const span = trace.wrapSpanContext({
    traceId: remote?.traceId ?? randomBytes(16).toString("hex"),
    spanId: randomBytes(8).toString("hex"),
    traceFlags: TraceFlags.NONE,
  });
  return { span, context: trace.setSpan(ROOT_CONTEXT, span) };
}

/** Ends a span, marking it failed when `err` is given. */
export function endSpan(span: Span, err?: unknown): void {
  if (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
  }
  span.end();
}

/**
 * Writes the traceparent of the active span (tracing on), else of `fallback` (the request's span
 * when tracing is off and no context is kept), into outgoing headers.
 */
export function injectTraceparent(set: (name: string, value: string) => void, fallback?: Span): void {
  const sc = trace.getActiveSpan()?.spanContext() ?? fallback?.spanContext();
  if (sc && trace.isSpanContextValid(sc)) set("traceparent", traceparentOf(sc));
}

/** The traceparent of the active span, recorded with an event so its effects join the trace; null when off. */
export function currentTraceparent(): string | null {
  const span = trace.getActiveSpan();
  return span?.isRecording() ? traceparentOf(span.spanContext()) : null;
}

/**
 * Runs an event follower's work on one event in a span that continues the trace of the request that
 * caused the event (its stored traceparent); without tracing it just runs `fn`.
 */
export async function withEventSpan<T>(
  service: string,
  name: string,
  traceparent: string | null | undefined,
  attributes: Record<string, string>,
  fn: () => Promise<T>,
): Promise<T> {
  if (!provider) return fn();
  const parent = traceparent ? w3c.extract(ROOT_CONTEXT, { traceparent }, headerGetter) : ROOT_CONTEXT;
  const span = tracer(service).startSpan(name, { kind: SpanKind.CONSUMER, attributes }, parent);
  try {
    const result = await context.with(trace.setSpan(parent, span), fn);
    endSpan(span);
    return result;
  } catch (err) {
    endSpan(span, err);
    throw err;
  }
}

/** A span name for a SQL statement: its first keyword, e.g. "SELECT", "INSERT". */
export function sqlSpanName(text: string): string {
  const verb = /^\s*(?:WITH\b[\s\S]*?\)\s*)?([A-Za-z]+)/.exec(text)?.[1]?.toUpperCase();
  return verb ? `pg ${verb}` : "pg query";
}

type QueryFn = (...args: unknown[]) => unknown;

/**
 * A span per SQL statement of the pool (Prisma's and our own), child of whatever is active: the
 * statement text without its values (no personal data), never the result. Only with tracing on.
 */
export function traceSql(pool: pg.Pool, service: string, database: string): void {
  if (!provider) return;
  const t = tracer(service);
  pool.on("connect", (client) => {
    const query = client.query.bind(client) as QueryFn;
    (client as unknown as { query: QueryFn }).query = (...args: unknown[]) => {
      const first = args[0] as string | { text?: string; submit?: unknown } | undefined;
      if (typeof first === "object" && typeof first?.submit === "function") return query(...args);
      const text = typeof first === "string" ? first : (first?.text ?? "");
      const span = t.startSpan(sqlSpanName(text), {
        kind: SpanKind.CLIENT,
        attributes: { "db.system.name": "postgresql", "db.namespace": database, "db.query.text": text.slice(0, 2000) },
      });
      const last = args.at(-1);
      if (typeof last === "function") {
        args[args.length - 1] = (err: unknown, res: unknown) => {
          endSpan(span, err ?? undefined);
          (last as (e: unknown, r: unknown) => void)(err, res);
        };
        return context.with(trace.setSpan(context.active(), span), () => query(...args));
      }
      const result = context.with(trace.setSpan(context.active(), span), () => query(...args)) as Promise<unknown>;
      result.then(
        () => endSpan(span),
        (err: unknown) => endSpan(span, err),
      );
      return result;
    };
  });
}

export type { Span } from "@opentelemetry/api";
export { InMemorySpanExporter, type ReadableSpan } from "@opentelemetry/sdk-trace";

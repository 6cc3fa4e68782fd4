import { GraphQLError, Kind, type ASTNode, type GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import type { ServerOptions } from "graphql-ws";
import type { z } from "zod";
import type { Logger } from "./logger.ts";
import { literalArgumentPath, variableArgumentPath } from "./argument-paths.ts";

/** The stable `extensions.code` values clients can rely on. */
export const ErrorCode = {
  BAD_USER_INPUT: "BAD_USER_INPUT",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  FORBIDDEN: "FORBIDDEN",
  UNAUTHENTICATED: "UNAUTHENTICATED",
  /** The database could not finish it in time or without a conflict; its transaction was rolled back: try again. */
  BUSY: "BUSY",
  INTERNAL_SERVER_ERROR: "INTERNAL_SERVER_ERROR",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface FieldProblem {
  field: string;
  message: string;
}

export function badUserInput(message: string, fields?: FieldProblem[]): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT, ...(fields ? { fields } : {}) } });
}

export function notFound(entity: string, id: string): GraphQLError {
  return new GraphQLError(`${entity} ${id} was not found`, { extensions: { code: ErrorCode.NOT_FOUND, entity, id } });
}

export function conflict(message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.CONFLICT, ...extra } });
}

export function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.FORBIDDEN } });
}

export function unauthenticated(message = "Authentication is required"): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.UNAUTHENTICATED } });
}

/** More problems than this in one input are counted, not listed: the answer stays readable. */
const MAX_LISTED_PROBLEMS = 20;

/** BAD_USER_INPUT naming every problem with its path (`input.routing.0.name`), as clients expect it. */
export function invalidInput(what: string, fields: FieldProblem[]): GraphQLError {
  const listed = fields.slice(0, MAX_LISTED_PROBLEMS);
  const more = fields.length - listed.length;
  const summary = listed.map((f) => `${f.field}: ${f.message}`).join("; ") + (more ? `; and ${more} more` : "");
  return badUserInput(`Invalid ${what}: ${summary}`, listed);
}

/** Validates mutation input; every problem is reported at once, with the path of the field. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown, argName = "input"): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields = result.error.issues.map((issue) => ({
    field: [argName, ...issue.path].join("."),
    message: issue.message,
  }));
  throw invalidInput(argName, fields);
}

interface PrismaKnownError {
  code: string;
  meta?: {
    modelName?: string;
    target?: unknown;
    field_name?: string;
    driverAdapterError?: { cause?: { constraint?: { fields?: string[]; index?: string }; originalMessage?: string } };
  };
}

function isPrismaKnownError(err: unknown): err is PrismaKnownError {
  return (
    typeof err === "object" && err !== null && typeof (err as { code?: unknown }).code === "string" && /^P\d{4}$/.test((err as { code: string }).code)
  );
}

function uniqueFields(meta: PrismaKnownError["meta"]): string {
  const cause = meta?.driverAdapterError?.cause;
  const constraint = cause?.constraint;
  // Under row-level security PostgreSQL leaves the key out of the error's detail; the constraint's
  // name (Prisma's <Model>_<field>_<field>_key), in its message, still says which fields.
  const index = constraint?.index ?? cause?.originalMessage?.match(/unique constraint "([^"]+)"/)?.[1];
  const fromIndex = index?.match(/^[A-Za-z0-9]+_(.+)_key$/)?.[1]?.split("_");
  const fromAdapter = constraint?.fields ?? fromIndex;
  const fields = (Array.isArray(meta?.target) ? (meta.target as string[]) : fromAdapter)?.map((f) => f.replace(/"/g, ""));
  // The tenant columns are part of every unique key; the user cares about the rest.
  return fields?.filter((f) => f !== "organizationId" && f !== "plantId").join(", ") || "key";
}

// Prisma's codes for a transaction that timed out, could not start in time (no free connection),
// or ended before one of its statements ran; a write conflict or deadlock; too many connections.
// Not a socket timeout (P1008) or a lost connection: a COMMIT in flight may have happened.
const BUSY_PRISMA_CODES = new Set(["P2028", "P1018", "P2034", "P2037"]);
// PostgreSQL's: serialization failure, deadlock, statement timeout (query_canceled), lock not available.
const BUSY_SQLSTATES = new Set(["40001", "40P01", "57014", "55P03"]);

/** The SQLSTATE a driver adapter error carries, wherever Prisma left it. */
function sqlState(err: unknown): string | undefined {
  const e = err as { cause?: { originalCode?: unknown }; meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } };
  const code = e.meta?.driverAdapterError?.cause?.originalCode ?? e.cause?.originalCode;
  return typeof code === "string" ? code : undefined;
}

/**
 * A write that could not finish because the database was too busy (its transaction timed out or
 * met a deadlock): it was rolled back whole, so the caller may send it again as it was.
 */
function busyError(err: unknown): GraphQLError | null {
  if (typeof err !== "object" || err === null) return null;
  const prismaCode = (err as { code?: unknown }).code;
  const state = sqlState(err);
  if (!(typeof prismaCode === "string" && BUSY_PRISMA_CODES.has(prismaCode)) && !(state && BUSY_SQLSTATES.has(state))) return null;
  // "Its transaction": checkPmSchedules commits one per schedule, so orders of earlier schedules stay
  // (sending it again is still safe: one order per schedule generation).
  return new GraphQLError(
    "The database could not finish this in time (busy, or a conflicting change); its transaction was rolled back: send it again",
    {
      extensions: { code: ErrorCode.BUSY, retryable: true },
    },
  );
}

/** Turns database errors a user can cause into the matching GraphQL error; others stay internal. */
export function fromDatabaseError(err: unknown): GraphQLError | null {
  const busy = busyError(err);
  if (busy) return busy;
  if (!isPrismaKnownError(err)) return null;
  const model = err.meta?.modelName ?? "record";
  switch (err.code) {
    case "P2002":
      return conflict(`A ${model} with this ${uniqueFields(err.meta)} already exists`);
    case "P2025":
      return new GraphQLError(`The ${model} to change was not found`, { extensions: { code: ErrorCode.NOT_FOUND } });
    case "P2003":
      return badUserInput(`A referenced ${model} does not exist`);
    // Values the column cannot hold: a guard or zod schema missed a bound; still the caller's input.
    case "P2000":
      return badUserInput(`A value is too long for the ${model}`);
    case "P2020":
      return badUserInput(`A value is out of the range the ${model} can store`);
    default:
      return null;
  }
}

// Extensions that may carry internals (a subgraph's stack trace, a failed fetch's URL and body).
const INTERNAL_EXTENSIONS = ["stacktrace", "exception", "response"];

function withoutInternals(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const extensions = formatted.extensions;
  if (!extensions || !INTERNAL_EXTENSIONS.some((k) => k in extensions)) return formatted;
  return { ...formatted, extensions: Object.fromEntries(Object.entries(extensions).filter(([k]) => !INTERNAL_EXTENSIONS.includes(k))) };
}

interface ErrorLike {
  message?: string;
  nodes?: readonly ASTNode[];
  originalError?: unknown;
  extensions?: Record<string, unknown>;
}

/** The error and what it wraps (`originalError`), outermost first. */
function causes(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  for (let e = error as ErrorLike | undefined; e && typeof e === "object" && chain.length < 5; e = e.originalError as ErrorLike | undefined)
    chain.push(e);
  return chain;
}

const LITERAL_KINDS = new Set<string>([Kind.STRING, Kind.INT, Kind.FLOAT, Kind.BOOLEAN, Kind.ENUM, Kind.LIST, Kind.OBJECT]);
const VARIABLE_PROBLEM = /^Variable "\$([_A-Za-z]\w*)" got invalid value [\s\S]*?(?: at "([^"]+)")?$/;

/**
 * A value GraphQL itself refused (a scalar's parse, a variable's coercion) as BAD_USER_INPUT with
 * `fields` naming the argument path, like zod and the input guard name theirs. A literal refused
 * by a scalar is a validation error to GraphQL; to the caller it is bad input like any other.
 */
function asInputProblem(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError | null {
  const code = formatted.extensions?.code;
  if (formatted.extensions?.fields || (code !== "GRAPHQL_VALIDATION_FAILED" && code !== ErrorCode.BAD_USER_INPUT)) return null;
  const [outer, ...inner] = causes(error);
  const node = outer?.nodes?.[0];
  const body = node?.loc?.source.body;
  if (node && LITERAL_KINDS.has(node.kind)) {
    // A literal: Apollo reports the scalar's refusal as a validation error, graphql-ws as it is.
    const refused = [outer!, ...inner].reverse().find((e) => e.extensions?.code === ErrorCode.BAD_USER_INPUT && e.message);
    if (!refused || !node.loc || !body) return null;
    const path = literalArgumentPath(body, node.loc.start);
    const message = refused.message!;
    return {
      message: path ? `Invalid ${path}: ${message}` : message,
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: ErrorCode.BAD_USER_INPUT, ...(path ? { fields: [{ field: path, message }] } : {}) },
    };
  }
  const reason = inner.find((e) => e.message && formatted.message.endsWith(`; ${e.message}`))?.message;
  const problem = reason && VARIABLE_PROBLEM.exec(formatted.message.slice(0, -(reason.length + 2)));
  if (!problem || node?.kind !== Kind.VARIABLE_DEFINITION || !body) return null;
  const [, variable, at] = problem as unknown as [string, string, string | undefined];
  // "i.routing[0].name" of variable $i used as `input` is the argument path input.routing.0.name.
  const within = (at ?? variable).slice(variable.length).replace(/\[(\d+)\]/g, ".$1");
  const field = `${variableArgumentPath(body, variable) ?? variable}${within}`;
  // Our scalar's own words, without what graphql put around them ("Expected type ...").
  const message = [...inner].reverse().find((e) => e.extensions?.code === ErrorCode.BAD_USER_INPUT && e.message)?.message ?? reason;
  return { ...formatted, extensions: { ...formatted.extensions, fields: [{ field, message }] } };
}

/**
 * Apollo `formatError`: errors meant for the caller (any code but INTERNAL_SERVER_ERROR, including
 * those a subgraph sent the gateway) pass through with their message and extensions; values
 * GraphQL refused name their argument; database errors a user caused are translated; anything else
 * becomes INTERNAL_SERVER_ERROR without its message (which may hold SQL or internals) unless
 * `exposeInternals` (NODE_ENV=development with DEBUG_ERRORS=true). The server logs the original.
 */
export function formatError(exposeInternals: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const input = asInputProblem(formatted, error);
    if (input) return exposeInternals ? input : withoutInternals(input);
    const code = formatted.extensions?.code;
    if (typeof code === "string" && code !== ErrorCode.INTERNAL_SERVER_ERROR) return exposeInternals ? formatted : withoutInternals(formatted);
    const refusal = requestRefusal(formatted, error);
    if (refusal) return refusal;
    const translated = fromDatabaseError(unwrapResolverError(error));
    if (translated) {
      return { message: translated.message, locations: formatted.locations, path: formatted.path, extensions: translated.extensions };
    }
    if (exposeInternals) return { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.INTERNAL_SERVER_ERROR } };
    return {
      message: "Internal server error; the request id in the response header x-request-id finds it in the logs",
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}

/**
 * Apollo Server's refusals of a malformed request that carry an HTTP 4xx status but no code (a
 * persisted query whose hash is not its text's, an unsupported persisted-query version): the
 * caller's mistake, said as it is with code BAD_REQUEST, not hidden as an internal error.
 */
function requestRefusal(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError | null {
  const status = (error as { extensions?: { http?: { status?: unknown } } } | null)?.extensions?.http?.status;
  if (typeof status !== "number" || status < 400 || status >= 500) return null;
  return { message: formatted.message, extensions: { code: "BAD_REQUEST" } };
}

/**
 * The code Apollo Server would give a request error that graphql-ws reports without one: a
 * variable's value refused (BAD_USER_INPUT), or a document that does not validate (neither wraps
 * a thrown error nor has a path in the result, unlike a failure while resolving).
 */
function requestErrorCode(error: ErrorLike): string | undefined {
  if (error.nodes?.[0]?.kind === Kind.VARIABLE_DEFINITION) return ErrorCode.BAD_USER_INPUT;
  if (!error.originalError && !(error as { path?: unknown }).path) return "GRAPHQL_VALIDATION_FAILED";
  return undefined;
}

/**
 * graphql-ws hooks that answer subscription errors as formatError answers HTTP ones (graphql-ws
 * would otherwise send any error's raw message) and log the unexpected ones in full.
 */
export function wsErrorFormatting(exposeInternals: boolean, log: Logger): Pick<ServerOptions, "onNext" | "onError"> {
  const format = formatError(exposeInternals);
  const formatAll = (errors: readonly unknown[]) =>
    errors.map((error) => {
      const json = typeof (error as GraphQLError).toJSON === "function" ? (error as GraphQLError).toJSON() : (error as GraphQLFormattedError);
      const code = json.extensions?.code ?? requestErrorCode(error as ErrorLike);
      const formatted = format({ ...json, extensions: { ...json.extensions, code: code ?? ErrorCode.INTERNAL_SERVER_ERROR } }, error);
      if (formatted.extensions?.code === ErrorCode.INTERNAL_SERVER_ERROR) log.error({ err: unwrapResolverError(error) }, "subscription failed");
      return formatted;
    });
  return {
    onNext: (_ctx, _id, _payload, _args, result) => (result.errors?.length ? { ...result, errors: formatAll(result.errors) } : undefined),
    onError: (_ctx, _id, _payload, errors) => formatAll(errors),
  };
}

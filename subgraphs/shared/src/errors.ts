import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import type { z } from "zod";

/** The stable `extensions.code` values clients can rely on. */
export const ErrorCode = {
  BAD_USER_INPUT: "BAD_USER_INPUT",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  FORBIDDEN: "FORBIDDEN",
  UNAUTHENTICATED: "UNAUTHENTICATED",
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

/** Validates mutation input; every problem is reported at once, with the path of the field. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown, argName = "input"): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields = result.error.issues.map((issue) => ({
    field: [argName, ...issue.path].join("."),
    message: issue.message,
  }));
  const summary = fields.map((f) => `${f.field}: ${f.message}`).join("; ");
  throw badUserInput(`Invalid ${argName}: ${summary}`, fields);
}

interface PrismaKnownError {
  code: string;
  meta?: { modelName?: string; target?: unknown; field_name?: string; driverAdapterError?: { cause?: { constraint?: { fields?: string[] } } } };
}

function isPrismaKnownError(err: unknown): err is PrismaKnownError {
  return (
    typeof err === "object" && err !== null && typeof (err as { code?: unknown }).code === "string" && /^P\d{4}$/.test((err as { code: string }).code)
  );
}

function uniqueFields(meta: PrismaKnownError["meta"]): string {
  const fromAdapter = meta?.driverAdapterError?.cause?.constraint?.fields;
  const fields = (Array.isArray(meta?.target) ? (meta.target as string[]) : fromAdapter)?.map((f) => f.replace(/"/g, ""));
  // The tenant columns are part of every unique key; the user cares about the rest.
  return fields?.filter((f) => f !== "organizationId" && f !== "plantId").join(", ") || "key";
}

/** Turns database errors a user can cause into the matching GraphQL error; others stay internal. */
export function fromDatabaseError(err: unknown): GraphQLError | null {
  if (!isPrismaKnownError(err)) return null;
  const model = err.meta?.modelName ?? "record";
  switch (err.code) {
    case "P2002":
      return conflict(`A ${model} with this ${uniqueFields(err.meta)} already exists`);
    case "P2025":
      return new GraphQLError(`The ${model} to change was not found`, { extensions: { code: ErrorCode.NOT_FOUND } });
    case "P2003":
      return badUserInput(`A referenced ${model} does not exist`);
    default:
      return null;
  }
}

const CLIENT_CODES = new Set<string>([
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.NOT_FOUND,
  ErrorCode.CONFLICT,
  ErrorCode.FORBIDDEN,
  ErrorCode.UNAUTHENTICATED,
  // Apollo Server's own request errors.
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
  "OPERATION_RESOLUTION_FAILURE",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
]);

/**
 * Apollo `formatError`: errors meant for the user pass through; database errors a user caused are
 * translated; anything else becomes INTERNAL_SERVER_ERROR without its message (which may hold SQL
 * or internals) unless `exposeInternals` (development). The original is logged by the server.
 */
export function formatError(exposeInternals: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const code = formatted.extensions?.code;
    if (typeof code === "string" && CLIENT_CODES.has(code)) return formatted;
    const translated = fromDatabaseError(original);
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

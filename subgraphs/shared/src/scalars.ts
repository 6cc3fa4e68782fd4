import { GraphQLError, GraphQLScalarType, Kind, type GraphQLSchema, type ValueNode } from "graphql";
import { DateResolver, DateTimeResolver, JSONResolver } from "graphql-scalars";
import { ErrorCode } from "./errors.ts";

/** The years a DateTime or Date may name: a typo like 0205 or 20250 is refused, not stored. */
export const DATE_WINDOW = { minYear: 1900, maxYear: 2199 } as const;

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME_EXAMPLE = "2025-03-01T06:00:00Z or 2025-03-01T07:00:00+01:00";

function refuse(message: string, node?: ValueNode): GraphQLError {
  return new GraphQLError(message, { ...(node ? { nodes: node } : {}), extensions: { code: ErrorCode.BAD_USER_INPUT } });
}

/** A value as it may appear in a message: quoted, cut short, control characters escaped. */
export function shown(value: unknown): string {
  const text = typeof value === "string" ? value : String(value);
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Why year-month-day is not a date in the window, or null. */
function calendarProblem(year: number, month: number, day: number, given: string): string | null {
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return `${shown(given)} is not a calendar date`;
  if (year < DATE_WINDOW.minYear || year > DATE_WINDOW.maxYear)
    return `${shown(given)} is outside the years ${DATE_WINDOW.minYear}–${DATE_WINDOW.maxYear} this system accepts`;
  return null;
}

/** Why a value is not a DateTime this graph accepts, or null. */
export function dateTimeProblem(value: unknown): string | null {
  if (typeof value !== "string") return `DateTime must be a string like ${DATE_TIME_EXAMPLE}`;
  const m = DATE_TIME.exec(value);
  if (!m) {
    if (DATE.test(value)) return `${shown(value)} is a date without a time: a DateTime needs a time and a time zone, e.g. ${DATE_TIME_EXAMPLE}`;
    if (/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value))
      return `${shown(value)} has no time zone: end it with Z (UTC) or an offset like +01:00`;
    return `${shown(value)} is not an ISO 8601 date-time: expected e.g. ${DATE_TIME_EXAMPLE}`;
  }
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const zone = m[8]!;
  if (hour > 23 || minute > 59 || second > 59) return `${shown(value)} is not a time of day`;
  if (zone.length > 1 && (Number(zone.slice(1, 3)) > 23 || Number(zone.slice(4, 6)) > 59)) return `${shown(value)} has no valid time zone offset`;
  return calendarProblem(year, month, day, value);
}

/** Why a value is not a Date (YYYY-MM-DD) this graph accepts, or null. */
export function dateProblem(value: unknown): string | null {
  if (typeof value !== "string") return "Date must be a string like 2025-03-01";
  const m = DATE.exec(value);
  if (!m) return `${shown(value)} is not a date: expected YYYY-MM-DD, e.g. 2025-03-01`;
  const [year, month, day] = m.slice(1, 4).map(Number) as [number, number, number];
  return calendarProblem(year, month, day, value);
}

/**
 * A graphql-scalars scalar made strict: its own check first (with a message naming the problem and
 * code BAD_USER_INPUT), then graphql-scalars' parsing and serialization. The description is left to
 * the SDL (kit.graphql).
 */
function strict(base: GraphQLScalarType, problem: (value: unknown) => string | null): GraphQLScalarType {
  const config = base.toConfig();
  const parse = (value: unknown, node?: ValueNode) => {
    const why = problem(value);
    if (why) throw refuse(why, node);
    return config.parseValue!(value);
  };
  return new GraphQLScalarType({
    ...config,
    description: undefined,
    parseValue: (value) => parse(value),
    // A literal that is not a string (a number, an object) is refused as "must be a string".
    parseLiteral: (node) => parse(node.kind === Kind.STRING ? node.value : node, node),
  });
}

export const StrictDateTime = strict(DateTimeResolver, dateTimeProblem);
export const StrictDate = strict(DateResolver, dateProblem);

/** Resolvers for the scalars every subgraph schema declares. */
export const scalarResolvers = { DateTime: StrictDateTime, Date: StrictDate, JSON: JSONResolver };

/**
 * Makes the DateTime and Date of a schema someone else built (the gateway's API schema) parse
 * strictly: a bad date is then refused before any subgraph is called.
 */
export function useStrictScalars(schema: GraphQLSchema): void {
  for (const strictType of [StrictDateTime, StrictDate]) {
    // Not instanceof: that schema may be built with another copy of graphql (CommonJS and ESM).
    const type = schema.getType(strictType.name) as GraphQLScalarType | undefined;
    if (type && typeof type.parseLiteral === "function" && typeof type.serialize === "function") {
      type.parseValue = strictType.parseValue;
      type.parseLiteral = strictType.parseLiteral;
    }
  }
}

/** Prisma Decimal (or null) to a GraphQL Float; quantities fit well within double precision. */
export function decimalToNumber(value: { toNumber(): number } | number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  return typeof value === "number" ? value : value.toNumber();
}

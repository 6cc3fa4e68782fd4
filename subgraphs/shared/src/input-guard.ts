import {
  defaultFieldResolver,
  type GraphQLArgument,
  type GraphQLInputObjectType,
  type GraphQLInputType,
  type GraphQLList,
  type GraphQLNonNull,
  type GraphQLObjectType,
  type GraphQLSchema,
} from "graphql";
import { invalidInput, type FieldProblem } from "./errors.ts";

/** Longer strings are refused whatever the field; each field's own (tighter) limit stays in zod. */
export const MAX_STRING_LENGTH = 100_000;
/** Larger numbers fit no quantity, price or limit a plant has, and no Decimal column of ours. */
export const MAX_FLOAT_MAGNITUDE = 1e15;

// A high surrogate not followed by a low one, or a low one not preceded by a high one: not Unicode.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be stored as text (PostgreSQL refuses NUL and invalid Unicode), or null. */
export function stringProblem(value: string): string | null {
  if (value.length > MAX_STRING_LENGTH) return `must be at most ${MAX_STRING_LENGTH} characters`;
  if (value.includes("\u0000")) return "must not contain the NUL character (U+0000)";
  if (LONE_SURROGATE.test(value)) return "must not contain a lone UTF-16 surrogate (it is not valid Unicode)";
  return null;
}

export function floatProblem(value: number): string | null {
  if (!Number.isFinite(value)) return "must be a finite number";
  if (Math.abs(value) > MAX_FLOAT_MAGNITUDE) return `must be between -${MAX_FLOAT_MAGNITUDE} and ${MAX_FLOAT_MAGNITUDE}`;
  return null;
}

/** Checks one coerced argument value at a path, adding what is wrong to `problems`. */
type Check = (value: unknown, path: string, problems: FieldProblem[]) => void;

const checkString: Check = (value, path, problems) => {
  const message = typeof value === "string" ? stringProblem(value) : null;
  if (message) problems.push({ field: path, message });
};

const NIL_UUID = "00000000-0000-0000-0000-000000000000";

/** An id names something: not blank, not the nil UUID (which no row has), and storable text. */
const checkId: Check = (value, path, problems) => {
  if (typeof value === "string" && value.trim() === "") problems.push({ field: path, message: "must not be empty: give an id or leave it out" });
  else if (value === NIL_UUID) problems.push({ field: path, message: "is the nil id, which names nothing" });
  else checkString(value, path, problems);
};

const checkFloat: Check = (value, path, problems) => {
  const message = typeof value === "number" ? floatProblem(value) : null;
  if (message) problems.push({ field: path, message });
};

// JSON and _Any (entity representations) hold any value: every string and key in it must be storable.
const checkDeep: Check = (value, path, problems) => {
  const walk = (v: unknown, at: string, depth: number): void => {
    if (typeof v === "string") checkString(v, at, problems);
    else if (depth > 32 || v === null || typeof v !== "object" || v instanceof Date) return;
    else if (Array.isArray(v)) for (const [i, item] of v.entries()) walk(item, `${at}.${i}`, depth + 1);
    else
      for (const [key, item] of Object.entries(v)) {
        checkString(key, `${at}.${key}`, problems);
        walk(item, `${at}.${key}`, depth + 1);
      }
  };
  walk(value, path, 0);
};

// Parsed into Date objects (checked by their scalars); no string reaches a resolver.
const DATE_SCALARS = new Set(["DateTime", "Date"]);

// Told apart by tag, not instanceof: the schema may come from another copy of graphql (CommonJS or ESM).
const kind = (type: unknown): string | undefined => (type as { [Symbol.toStringTag]?: string })[Symbol.toStringTag];

/** The check of values of a type, or null when none of its values can hold a string or a float. */
function checkOf(type: GraphQLInputType, objects: Map<GraphQLInputObjectType, Check | null>): Check | null {
  const typeKind = kind(type);
  if (typeKind === "GraphQLNonNull") return checkOf((type as GraphQLNonNull<GraphQLInputType>).ofType, objects);
  if (typeKind === "GraphQLList") {
    const item = checkOf((type as GraphQLList<GraphQLInputType>).ofType, objects);
    if (!item) return null;
    return (value, path, problems) => {
      if (!Array.isArray(value)) item(value, path, problems);
      else for (const [i, v] of value.entries()) if (v != null) item(v, `${path}.${i}`, problems);
    };
  }
  if (typeKind === "GraphQLScalarType") {
    const name = (type as { name: string }).name;
    if (name === "ID") return checkId;
    if (name === "String") return checkString;
    if (name === "Float") return checkFloat;
    if (name === "Int" || name === "Boolean" || DATE_SCALARS.has(name)) return null;
    return checkDeep;
  }
  if (typeKind !== "GraphQLInputObjectType") return null; // an enum
  const inputType = type as GraphQLInputObjectType;
  if (objects.has(inputType)) return objects.get(inputType)!;
  // Input types may refer to themselves: the check looks its fields' checks up when it runs.
  const fields: [string, Check][] = [];
  const check: Check = (value, path, problems) => {
    if (value === null || typeof value !== "object") return;
    for (const [name, fieldCheck] of fields) {
      const v = (value as Record<string, unknown>)[name];
      if (v != null) fieldCheck(v, `${path}.${name}`, problems);
    }
  };
  objects.set(inputType, check);
  for (const field of Object.values(inputType.getFields())) {
    const fieldCheck = checkOf(field.type, objects);
    if (fieldCheck) fields.push([field.name, fieldCheck]);
  }
  if (!fields.length) objects.set(inputType, null);
  return fields.length ? check : null;
}

function argumentChecks(args: readonly GraphQLArgument[], objects: Map<GraphQLInputObjectType, Check | null>): [string, Check][] {
  return args.flatMap((arg) => {
    const check = checkOf(arg.type, objects);
    return check ? [[arg.name, check] as [string, Check]] : [];
  });
}

/** Throws BAD_USER_INPUT naming every argument path that holds a value no column can store. */
function guard(checks: [string, Check][], args: Record<string, unknown>): void {
  let problems: FieldProblem[] | null = null;
  for (const [name, check] of checks) {
    const value = args[name];
    if (value == null) continue;
    problems ??= [];
    check(value, name, problems);
  }
  if (problems?.length) throw invalidInput([...new Set(problems.map((p) => p.field.split(".")[0]))].join(", "), problems);
}

/**
 * Applies the input guard to a subgraph's executable schema, at start (like applyAccessRules):
 * before any resolver (or subscription) of a field runs, every String and ID in its arguments
 * (in nested input objects and lists too, whether written inline or sent as variables) must be
 * storable text: no NUL, no lone surrogate, at most MAX_STRING_LENGTH characters; every Float
 * finite and within MAX_FLOAT_MAGNITUDE. Fields whose arguments cannot hold either are left
 * unwrapped, so the guard costs nothing where it has nothing to check.
 * Returns how many fields it guards.
 */
export function applyInputGuard(schema: GraphQLSchema): number {
  const objects = new Map<GraphQLInputObjectType, Check | null>();
  let guarded = 0;
  for (const type of Object.values(schema.getTypeMap())) {
    if (kind(type) !== "GraphQLObjectType" || type.name.startsWith("__")) continue;
    for (const field of Object.values((type as GraphQLObjectType).getFields())) {
      const checks = argumentChecks(field.args, objects);
      if (!checks.length) continue;
      guarded += 1;
      if (field.subscribe) {
        // A subscription's arguments are checked once, when it starts; its events need no check.
        const subscribe = field.subscribe;
        field.subscribe = (source, args, ctx, info) => {
          guard(checks, args);
          return subscribe(source, args, ctx, info);
        };
        continue;
      }
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, ctx, info) => {
        guard(checks, args);
        return resolve(source, args, ctx, info);
      };
    }
  }
  return guarded;
}

import fs from "node:fs";
import { Supergraph } from "@apollo/federation-internals";
import {
  astFromValue,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isLeafType,
  isNonNullType,
  print,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
} from "graphql";
import type { SubgraphName } from "@mes/db";
import { SUPERGRAPH_PATH } from "../../gateway/src/composition.ts";
import { SOME_UUID } from "./schema-walk.ts";

const DATE_SCALARS = new Set(["DateTime", "Date"]);

/**
 * A value of an input type that GraphQL coerces (not necessarily one a resolver accepts): required
 * fields, plus optional DateTime/Date ones (so their checks are reached too); one item per list.
 */
export function sampleValue(type: GraphQLInputType, name = ""): unknown {
  if (isNonNullType(type)) return sampleValue(type.ofType, name);
  if (isListType(type)) return [sampleValue(type.ofType, name)];
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).filter(
      (f) => (isNonNullType(f.type) && f.defaultValue === undefined) || DATE_SCALARS.has(getNamedType(f.type).name),
    );
    return Object.fromEntries(fields.map((f) => [f.name, sampleValue(f.type, f.name)]));
  }
  switch (type.name) {
    case "ID":
      return SOME_UUID;
    case "Int":
      return 1;
    case "Float":
      return 1.5;
    case "Boolean":
      return false;
    case "DateTime":
      return new Date(Date.now() + 3_600_000).toISOString();
    case "Date":
      return new Date().toISOString().slice(0, 10);
    case "JSON":
      return {};
    default:
      return name.toLowerCase().includes("time") ? "06:00" : `X-${name || "value"}`;
  }
}

/** Every scalar in a field's arguments as sampleValue fills them: its path (`input.routing.0.name`) and type. */
export interface Leaf {
  path: (string | number)[];
  scalar: string;
}

export function leavesOf(field: GraphQLField<unknown, unknown>, args: Record<string, unknown>): Leaf[] {
  const leaves: Leaf[] = [];
  const walk = (type: GraphQLInputType, value: unknown, path: (string | number)[]) => {
    if (isNonNullType(type)) return walk(type.ofType, value, path);
    if (isListType(type)) {
      for (const [i, v] of (value as unknown[]).entries()) walk(type.ofType, v, [...path, i]);
      return;
    }
    if (isInputObjectType(type)) {
      for (const f of Object.values(type.getFields()))
        if (f.name in (value as object)) walk(f.type, (value as Record<string, unknown>)[f.name], [...path, f.name]);
      return;
    }
    if (!isEnumType(type)) leaves.push({ path, scalar: type.name });
  };
  for (const arg of field.args) if (arg.name in args) walk(arg.type, args[arg.name], [arg.name]);
  return leaves;
}

/** The arguments of a field filled by sampleValue: its required ones and any DateTime/Date ones. */
export function argumentsOf(field: GraphQLField<unknown, unknown>): Record<string, unknown> {
  const args = field.args.filter((a) => (isNonNullType(a.type) && a.defaultValue === undefined) || DATE_SCALARS.has(getNamedType(a.type).name));
  return Object.fromEntries(args.map((a) => [a.name, sampleValue(a.type, a.name)]));
}

/** A copy of `args` with `value` at `path`. */
export function withValueAt(args: Record<string, unknown>, path: (string | number)[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(args);
  let at: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  at[path.at(-1)!] = value;
  return copy;
}

/** One operation calling `field` with `args`, as variables (named like the arguments) or written inline. */
export function operationOf(
  root: "query" | "mutation",
  field: GraphQLField<unknown, unknown>,
  args: Record<string, unknown>,
  inline = false,
): { query: string; variables?: Record<string, unknown> } {
  const used = field.args.filter((a) => a.name in args);
  // __typename only: the same operation must also run at the subgraph that owns the field alone.
  const selection = isLeafType(getNamedType(field.type)) ? "" : "{ __typename }";
  if (inline) {
    const written = used.map((a) => `${a.name}: ${print(astFromValue(args[a.name], a.type)!)}`);
    return { query: `${root} { ${field.name}${written.length ? `(${written.join(", ")})` : ""} ${selection} }` };
  }
  const defs = used.map((a) => `$${a.name}: ${a.type.toString()}`);
  const passed = used.map((a) => `${a.name}: $${a.name}`);
  return {
    query: `${root}${defs.length ? `(${defs.join(", ")})` : ""} { ${field.name}${passed.length ? `(${passed.join(", ")})` : ""} ${selection} }`,
    variables: args,
  };
}

/** The subgraph that resolves each root field ("Mutation.createProduct" -> "production"), from the supergraph. */
export function rootFieldOwners(): Map<string, SubgraphName> {
  const owners = new Map<string, SubgraphName>();
  for (const subgraph of Supergraph.build(fs.readFileSync(SUPERGRAPH_PATH, "utf8")).subgraphs().values()) {
    for (const [kind, typeName] of [
      ["query", "Query"],
      ["mutation", "Mutation"],
    ] as const) {
      for (const f of subgraph.schema.schemaDefinition.rootType(kind)?.fields() ?? []) {
        if (!f.name.startsWith("_")) owners.set(`${typeName}.${f.name}`, subgraph.name as SubgraphName);
      }
    }
  }
  return owners;
}

/** The root fields of a type with their filled arguments and scalar leaves. */
export function rootFieldsOf(type: GraphQLObjectType | null | undefined) {
  return Object.values(type?.getFields() ?? {}).map((field) => {
    const args = argumentsOf(field);
    return { field, args, leaves: leavesOf(field, args) };
  });
}

import fs from "node:fs";
import { Supergraph } from "@apollo/federation-internals";
import {
  buildASTSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from "graphql";
import { SUPERGRAPH_PATH } from "../../gateway/src/composition.ts";

/** The graph's API schema, as the gateway serves it (from the committed supergraph). */
export function apiSchema(): GraphQLSchema {
  // Rebuilt from its AST with this package's graphql (federation-internals may load another copy).
  return buildASTSchema(Supergraph.build(fs.readFileSync(SUPERGRAPH_PATH, "utf8")).apiSchema().toAST());
}

export const SOME_UUID = "00000000-0000-4000-8000-00000000abcd";

/** A literal of the type, filling only required input fields: enough to pass GraphQL validation. */
export function literalOf(type: GraphQLInputType, ids: (name: string) => string = () => SOME_UUID, name = ""): string {
  if (isNonNullType(type)) return literalOf(type.ofType, ids, name);
  if (isListType(type)) return `[${literalOf(type.ofType, ids, name)}]`;
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).filter((f) => isNonNullType(f.type) && f.defaultValue === undefined);
    return `{ ${fields.map((f) => `${f.name}: ${literalOf(f.type, ids, f.name)}`).join(", ")} }`;
  }
  switch (type.name) {
    case "ID":
      return JSON.stringify(ids(name));
    case "Int":
      return "1";
    case "Float":
      return "1.5";
    case "Boolean":
      return "false";
    case "DateTime":
      return JSON.stringify(new Date(Date.now() + 3_600_000).toISOString());
    case "Date":
      return JSON.stringify(new Date().toISOString().slice(0, 10));
    case "JSON":
      return "{}";
    default:
      return JSON.stringify(name.toLowerCase().includes("time") ? "06:00" : `X-${name || "value"}`);
  }
}

/** `name(requiredArg: literal, ...)` for a field, with optional arguments left out unless given. */
export function callOf(field: GraphQLField<unknown, unknown>, ids?: (name: string) => string, extra: Record<string, string> = {}): string {
  const args = field.args
    .filter((a) => (isNonNullType(a.type) && a.defaultValue === undefined) || extra[a.name] !== undefined)
    .map((a) => `${a.name}: ${extra[a.name] ?? literalOf(a.type, ids, a.name)}`);
  return args.length ? `${field.name}(${args.join(", ")})` : field.name;
}

/**
 * A selection of a type's leaf fields (and, `depth` levels down, of its object fields'), skipping
 * fields that need arguments: enough to see what data a caller gets back.
 */
export function selectionOf(type: GraphQLOutputType, depth = 1): string {
  const named = getNamedType(type);
  if (isScalarType(named) || isEnumType(named)) return "";
  if (!isObjectType(named)) return "{ __typename }";
  const parts: string[] = ["__typename"];
  for (const f of Object.values(named.getFields())) {
    if (f.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined)) continue;
    const inner = getNamedType(f.type);
    if (isScalarType(inner) || isEnumType(inner)) parts.push(f.name);
    else if (depth > 0 && isObjectType(inner)) parts.push(`${f.name} ${selectionOf(f.type, depth - 1)}`);
  }
  return `{ ${parts.join(" ")} }`;
}

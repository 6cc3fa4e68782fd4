import { Supergraph } from "@apollo/federation-internals";
import { SUBGRAPHS, graphqlSchemaPath } from "@mes/db";
import { subgraphTypeDefs } from "@mes/shared";
import { Kind, buildASTSchema, visit, type ASTNode, type DocumentNode, type GraphQLSchema } from "graphql";
import { describe, expect, it } from "vitest";
import { composeSupergraph } from "../gateway/src/composition.ts";

// Issue 17: the graph explains itself to a plant user. Every type, field, argument, input field and
// enum value of the composed API schema has a description worth reading, written for the plant
// (not an internal note about which service adds what), and a field declared in several subgraphs
// says the same thing everywhere (else composition silently picks one).

const MIN_LENGTH = 10;
const BUILT_IN_SCALARS = new Set(["String", "Int", "Float", "Boolean", "ID"]);
const FEDERATION_INTERNAL = /^(_Service|_Entity|_Any|_entities|_service|link__|join__|federation__)/;
const INTERNAL_NOTE = [
  /\b(contributes|subgraphs?)\b/i,
  /\b(production|quality|equipment|shifts|inventory)\s+(knows|owns|adds|contributes|serves|keeps)\b/i,
  /\bowned by (production|quality|equipment|shifts|inventory)\b/i,
];

// Each subgraph's SDL as the gateway composes it, to name the files to fix and compare shared elements.
const documents = new Map<string, DocumentNode>(SUBGRAPHS.map((name) => [name, subgraphTypeDefs(name, graphqlSchemaPath(name))]));

interface Element {
  coordinate: string;
  description: string | undefined;
}

/** Every describable element of the API schema: named types, fields, arguments, input fields, enum values. */
function elementsOf(schema: GraphQLSchema): Element[] {
  const out: Element[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith("__") || BUILT_IN_SCALARS.has(type.name) || FEDERATION_INTERNAL.test(type.name)) continue;
    out.push({ coordinate: type.name, description: type.description ?? undefined });
    const config = type.toConfig() as {
      fields?: Record<string, { description?: string | null; args?: Record<string, { description?: string | null }> }>;
      values?: Record<string, { description?: string | null }>;
    };
    for (const [fieldName, field] of Object.entries(config.fields ?? {})) {
      if (FEDERATION_INTERNAL.test(fieldName)) continue;
      const coordinate = `${type.name}.${fieldName}`;
      out.push({ coordinate, description: field.description ?? undefined });
      for (const [argName, arg] of Object.entries(field.args ?? {})) {
        out.push({ coordinate: `${coordinate}(${argName}:)`, description: arg.description ?? undefined });
      }
    }
    for (const [valueName, value] of Object.entries(config.values ?? {})) {
      out.push({ coordinate: `${type.name}.${valueName}`, description: value.description ?? undefined });
    }
  }
  return out;
}

/** Which subgraphs declare a type or field, so a failure names the files to fix. */
function declaredIn(coordinate: string): string[] {
  const [typeName, rest] = coordinate.split(".") as [string, string | undefined];
  const member = rest?.replace(/\(.*$/, "");
  return SUBGRAPHS.filter((name) =>
    documents.get(name)!.definitions.some((def) => {
      if (!("name" in def) || def.name?.value !== typeName) return false;
      if (!member) return true;
      if (def.kind === Kind.ENUM_TYPE_DEFINITION || def.kind === Kind.ENUM_TYPE_EXTENSION) {
        return def.values?.some((v) => v.name.value === member) ?? false;
      }
      return "fields" in def && (def.fields ?? []).some((f) => f.name.value === member);
    }),
  );
}

/** The non-empty descriptions one subgraph's SDL gives, by coordinate (types, fields, arguments, enum values). */
function describedElementsOf(doc: DocumentNode): [string, string][] {
  const out: [string, string][] = [];
  const path: string[] = [];
  const described = (node: ASTNode) => ("description" in node && node.description?.value.trim()) || "";
  const enter = (node: ASTNode & { name: { value: string } }) => {
    path.push(node.name.value);
    const text = described(node);
    if (text) out.push([path.length > 2 ? `${path[0]}.${path[1]}(${path[2]}:)` : path.join("."), text]);
  };
  const leave = () => {
    path.pop();
  };
  const named = { enter, leave };
  visit(doc, {
    ObjectTypeDefinition: named,
    ObjectTypeExtension: named,
    InterfaceTypeDefinition: named,
    InputObjectTypeDefinition: named,
    EnumTypeDefinition: named,
    EnumTypeExtension: named,
    ScalarTypeDefinition: named,
    UnionTypeDefinition: named,
    FieldDefinition: named,
    InputValueDefinition: named,
    EnumValueDefinition: named,
    DirectiveDefinition: { enter: () => false },
  });
  return out;
}

function problemOf(description: string | undefined): string | null {
  const text = description?.trim() ?? "";
  if (!text) return "no description";
  if (text.length < MIN_LENGTH) return `too short (${JSON.stringify(text)})`;
  if (INTERNAL_NOTE.some((re) => re.test(text))) return `an internal note (${JSON.stringify(text.slice(0, 80))})`;
  return null;
}

describe("the composed graph describes itself", () => {
  it("every type, field, argument, input field and enum value has a description a plant user understands", () => {
    // Composed now, as the gateway does, so the test needs no `pnpm codegen` first.
    const api = buildASTSchema(Supergraph.build(composeSupergraph()).apiSchema().toAST());
    const elements = elementsOf(api);
    const problems = elements.flatMap((e) => {
      const problem = problemOf(e.description);
      return problem ? [`${e.coordinate} [${declaredIn(e.coordinate).join(", ")}]: ${problem}`] : [];
    });
    const described = elements.length - problems.length;
    const percent = ((100 * described) / elements.length).toFixed(1);
    console.log(`[descriptions] ${described} of ${elements.length} elements described (${percent} %)`);
    expect(problems, `${problems.length} element(s) to describe (${percent} % done):\n${problems.join("\n")}`).toEqual([]);
  });

  it("an element declared in several subgraphs has the same description in each", () => {
    // Composition keeps one of differing descriptions (the most frequent) and only hints at it.
    const seen = new Map<string, Map<string, string[]>>();
    for (const [name, doc] of documents) {
      for (const [coordinate, description] of describedElementsOf(doc)) {
        const texts = seen.get(coordinate) ?? new Map<string, string[]>();
        texts.set(description, [...(texts.get(description) ?? []), name]);
        seen.set(coordinate, texts);
      }
    }
    const inconsistent = [...seen].flatMap(([coordinate, texts]) =>
      texts.size > 1 ? [`${coordinate}: ${[...texts].map(([text, names]) => `${names.join(", ")}: ${JSON.stringify(text)}`).join(" | ")}`] : [],
    );
    const advice = "describe it where it is owned (not @external, not a stub) and copy that text word for word, or leave it out, elsewhere";
    expect(inconsistent, `${inconsistent.length} element(s) described differently (${advice}):\n${inconsistent.join("\n")}`).toEqual([]);
  });
});

import { GraphQLError, parse, type ValidationContext, type ValidationRule } from "graphql";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { operationCostRule } from "@mes/shared";
import type { GatewayConfig } from "./config.ts";

/**
 * What one operation may ask of the graph, checked before any subgraph is called: depth and aliases
 * by graphql-armor's rules, cost by our list-aware rule (fields counted as often as they resolve),
 * tokens while parsing. The body size is limited by the HTTP layer (BODY_LIMIT).
 */
export function operationLimits(config: GatewayConfig): { validationRules: ValidationRule[]; maxTokens: number } {
  // Reported as validation errors (400, GRAPHQL_VALIDATION_FAILED) rather than thrown (a 500).
  const report = {
    propagateOnRejection: false,
    onReject: [(ctx: ValidationContext | null, err: Error) => ctx?.reportError(new GraphQLError(err.message.replace(/^Syntax Error: /, "")))],
  };
  return {
    validationRules: (
      [
        maxDepthRule({ n: config.QUERY_MAX_DEPTH, ignoreIntrospection: true, flattenFragments: true, ...report }),
        maxAliasesRule({ n: config.QUERY_MAX_ALIASES, ...report }),
      ] as unknown as ValidationRule[]
    ).concat(
      operationCostRule({
        maxCost: config.QUERY_MAX_COST,
        maxDepth: config.QUERY_MAX_DEPTH,
        defaultListSize: config.QUERY_DEFAULT_LIST_SIZE,
        maxListSize: 100,
      }),
    ),
    maxTokens: config.QUERY_MAX_TOKENS,
  };
}

const INTROSPECTION_FIELDS = new Set(["__schema", "__type", "__typename"]);

/** Whether a request body asks only for introspection (which the gateway answers itself). */
export function isIntrospectionOnly(body: unknown): boolean {
  const query = (body as { query?: unknown } | undefined)?.query;
  if (typeof query !== "string" || query.length > 20_000) return false;
  try {
    const doc = parse(query, { maxTokens: 2000 });
    // Fragments too (GraphiQL's introspection query uses them): reached only from these fields, they
    // can select nothing but introspection types.
    return doc.definitions.every(
      (d) =>
        d.kind === "FragmentDefinition" ||
        (d.kind === "OperationDefinition" &&
          d.operation === "query" &&
          d.selectionSet.selections.every((s) => s.kind === "Field" && INTROSPECTION_FIELDS.has(s.name.value))),
    );
  } catch {
    return false;
  }
}

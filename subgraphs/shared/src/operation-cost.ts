import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type GraphQLType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationRule,
  type ValueNode,
} from "graphql";

// Types are inspected by shape, not with graphql's isXType() (instanceof): the gateway's schema
// comes from graphql's CommonJS build, this module from its ESM build.
type Wrapped = GraphQLType & { ofType?: GraphQLType };
const unwrap = (type: GraphQLType): GraphQLNamedType => {
  let t = type as Wrapped;
  while (t.ofType) t = t.ofType as Wrapped;
  return t as GraphQLNamedType;
};
/** Object and interface types (input objects have fields too, but no interfaces). */
const hasFields = (type: GraphQLNamedType): type is GraphQLNamedType & { getFields(): Record<string, GraphQLField<unknown, unknown>> } =>
  typeof (type as { getFields?: unknown }).getFields === "function" && typeof (type as { getInterfaces?: unknown }).getInterfaces === "function";
const isComposite = (type: GraphQLNamedType) => hasFields(type) || typeof (type as { getTypes?: unknown }).getTypes === "function";

/**
 * What one operation may cost, counted the way it will run: every field selected costs 1 for each
 * time it is resolved, so a field under a list costs as often as the list is long. A list's length
 * is its `limit` argument (a page's `items` take the page field's `limit`), `_entities` the number
 * of representations, and any other list `defaultListSize` (unpaginated lists: a plant's machines,
 * an order's operations). So `{ plants { machines { plant { machines … } } } }` multiplies with
 * every level and is refused before anything runs, while a dashboard of 50 orders is not.
 */
export interface CostLimits {
  maxCost: number;
  maxDepth: number;
  /** Assumed length of a list without a limit argument. */
  defaultListSize: number;
  /** Assumed length for a `limit` given by a variable whose value is not known (validation). */
  maxListSize: number;
}

export interface OperationCost {
  cost: number;
  depth: number;
}

const CAP = 1e15;

/** Whether a field's type is a list (`[T]`, `[T!]!`, …). */
function isList(type: GraphQLType): boolean {
  return String(type).replace(/!$/, "").startsWith("[");
}

function intValue(node: ValueNode | undefined, variables: Record<string, unknown> | undefined, unknown: number): number | undefined {
  if (!node) return undefined;
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.VARIABLE) {
    const value = variables?.[node.name.value];
    return typeof value === "number" ? value : variables ? undefined : unknown;
  }
  return undefined;
}

function listLength(node: ValueNode | undefined, variables: Record<string, unknown> | undefined, unknown: number): number | undefined {
  if (!node) return undefined;
  if (node.kind === Kind.LIST) return node.values.length;
  if (node.kind === Kind.VARIABLE) {
    const value = variables?.[node.name.value];
    return Array.isArray(value) ? value.length : unknown;
  }
  return undefined;
}

/** The cost and depth of one operation of `document` (see CostLimits), with variables when known. */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  limits: Pick<CostLimits, "defaultListSize" | "maxListSize">,
  variables?: Record<string, unknown>,
): OperationCost {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  let depth = 0;

  const visit = (
    set: SelectionSetNode,
    parent: GraphQLNamedType,
    times: number,
    level: number,
    pageSize: number | undefined,
    seen: Set<string>,
  ): number => {
    let cost = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? (schema.getType(selection.typeCondition.name.value) ?? parent) : parent;
        cost += visit(selection.selectionSet, type, times, level, pageSize, seen);
      } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || seen.has(fragment.name.value)) continue; // cycles are a validation error of their own
        const type = schema.getType(fragment.typeCondition.name.value) ?? parent;
        cost += visit(fragment.selectionSet, type, times, level, pageSize, new Set([...seen, fragment.name.value]));
      } else {
        if (selection.name.value.startsWith("__")) continue;
        depth = Math.max(depth, level);
        const field = hasFields(parent) ? (parent.getFields()[selection.name.value] as GraphQLField<unknown, unknown> | undefined) : undefined;
        cost = Math.min(CAP, cost + times);
        if (!field || !selection.selectionSet) continue;
        const arg = (name: string) => selection.arguments?.find((a) => a.name.value === name)?.value;
        const limitArg = field.args.find((a) => a.name === "limit");
        const limit = limitArg
          ? (intValue(arg("limit"), variables, limits.maxListSize) ??
            (typeof limitArg.defaultValue === "number" ? limitArg.defaultValue : limits.maxListSize))
          : undefined;
        let length = 1;
        if (isList(field.type)) {
          length =
            selection.name.value === "_entities"
              ? (listLength(arg("representations"), variables, limits.maxListSize) ?? limits.defaultListSize)
              : (limit ?? (selection.name.value === "items" ? pageSize : undefined) ?? limits.defaultListSize);
        }
        const type = unwrap(field.type);
        if (!isComposite(type)) continue;
        cost = Math.min(
          CAP,
          cost + visit(selection.selectionSet, type, Math.min(CAP, times * length), level + 1, isList(field.type) ? undefined : limit, seen),
        );
      }
    }
    return cost;
  };

  const root =
    operation.operation === "mutation"
      ? schema.getMutationType()
      : operation.operation === "subscription"
        ? schema.getSubscriptionType()
        : schema.getQueryType();
  const cost = root ? visit(operation.selectionSet, root, 1, 1, undefined, new Set()) : 0;
  return { cost, depth };
}

export function costError(cost: OperationCost, limits: CostLimits, name: string | undefined): GraphQLError | null {
  const what = name ? `Operation ${name}` : "The operation";
  if (cost.depth > limits.maxDepth) return new GraphQLError(`${what} is ${cost.depth} levels deep; at most ${limits.maxDepth} are allowed`);
  if (cost.cost > limits.maxCost) {
    return new GraphQLError(
      `${what} would resolve about ${cost.cost >= CAP ? "more than 10^15" : Math.round(cost.cost)} fields (lists counted by their length), more than the ${limits.maxCost} allowed; ask for fewer fields or smaller pages`,
    );
  }
  return null;
}

/** A validation rule refusing operations over the limits (variables unknown: limits assumed at their maximum). */
export function operationCostRule(limits: CostLimits): ValidationRule {
  return (context) => ({
    Document: {
      leave(document) {
        for (const d of document.definitions) {
          if (d.kind !== Kind.OPERATION_DEFINITION) continue;
          const error = costError(operationCost(context.getSchema(), document, d, limits), limits, d.name?.value);
          if (error) context.reportError(error);
        }
      },
    },
  });
}

/**
 * A subgraph's own guard (it can be called directly, not only through the gateway): the same count
 * with the request's variables (e.g. how many `_entities` representations), before anything runs.
 */
export function operationCostPlugin(limits: CostLimits): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          const error = costError(operationCost(schema, document, operation, limits, request.variables ?? {}), limits, operation.name?.value);
          if (error) throw new GraphQLError(error.message, { extensions: { code: "GRAPHQL_VALIDATION_FAILED", http: { status: 400 } } });
        },
      };
    },
  };
}

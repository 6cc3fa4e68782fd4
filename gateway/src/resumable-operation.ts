import { Kind, parse, print, visit, type DocumentNode, type FieldNode, type OperationDefinitionNode } from "graphql";
import type { FetchNode } from "@apollo/query-planner";
import { AFTER_VARIABLE, CURSOR_ALIAS, type UpstreamOperation } from "./upstream-feed.ts";

/** The `after` argument's value as written: a variable's value, a string or digits literal, or null. */
function afterValue(root: FieldNode, variables: Record<string, unknown>): { value: unknown; variable: string | null } {
  const given = root.arguments?.find((a) => a.name.value === "after");
  if (!given) return { value: null, variable: null };
  if (given.value.kind === Kind.VARIABLE) return { value: variables[given.value.name.value] ?? null, variable: given.value.name.value };
  // The planner prints an ID literal of digits (a cursor) as an Int: "42" arrives as 42.
  if (given.value.kind === Kind.STRING || given.value.kind === Kind.INT) return { value: given.value.value, variable: null };
  return { value: null, variable: null };
}

/**
 * Rewrites the primary subscription for the owning subgraph so the gateway can resume it: the root
 * field also selects its `cursor`, and its `after` argument comes from a variable the gateway sets
 * (see UpstreamFeed). Fields without both stay as they are (not resumable). `after` is the client's.
 */
export function resumableOperation(
  primary: FetchNode,
  clientVariables: Record<string, unknown>,
  rootHasCursor: boolean,
): UpstreamOperation & { after: unknown } {
  const variables = Object.fromEntries((primary.variableUsages ?? []).map((name) => [name, clientVariables[name]]));
  if (!rootHasCursor) return { query: primary.operation, variables, resumable: false, after: null };
  let after: unknown = null;
  const doc = visit(parse(primary.operation), {
    OperationDefinition(node: OperationDefinitionNode): OperationDefinitionNode {
      const root = node.selectionSet.selections[0] as FieldNode;
      const given = afterValue(root, variables);
      after = given.value;
      // The client's own `after` variable is replaced by the gateway's; an unused variable is invalid.
      if (given.variable) delete variables[given.variable];
      const rewritten: FieldNode = {
        ...root,
        arguments: [
          ...(root.arguments ?? []).filter((a) => a.name.value !== "after"),
          {
            kind: Kind.ARGUMENT,
            name: { kind: Kind.NAME, value: "after" },
            value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: AFTER_VARIABLE } },
          },
        ],
        selectionSet: {
          kind: Kind.SELECTION_SET,
          selections: [
            ...(root.selectionSet?.selections ?? []),
            { kind: Kind.FIELD, alias: { kind: Kind.NAME, value: CURSOR_ALIAS }, name: { kind: Kind.NAME, value: "cursor" } },
          ],
        },
      };
      return {
        ...node,
        variableDefinitions: [
          ...(node.variableDefinitions ?? []).filter((d) => d.variable.name.value !== given.variable),
          {
            kind: Kind.VARIABLE_DEFINITION,
            variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: AFTER_VARIABLE } },
            type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: "ID" } },
          },
        ],
        selectionSet: { ...node.selectionSet, selections: [rewritten] },
      };
    },
  });
  return { query: print(doc), variables, resumable: true, after };
}

/**
 * What identifies a client subscription's stream whatever cursor it resumes from: its document
 * without the root field's `after` argument, and its variables without the one `after` used.
 */
export function streamIdentity(document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown>) {
  let afterVariable: string | null = null;
  let seen = false;
  const withoutAfter = visit(document, {
    OperationDefinition(node: OperationDefinitionNode) {
      if (seen || (operationName && node.name?.value !== operationName)) return undefined;
      seen = true;
      const root = node.selectionSet.selections[0];
      if (root?.kind !== Kind.FIELD) return undefined;
      afterVariable = afterValue(root, variables).variable;
      const field: FieldNode = { ...root, arguments: (root.arguments ?? []).filter((a) => a.name.value !== "after") };
      return { ...node, selectionSet: { ...node.selectionSet, selections: [field, ...node.selectionSet.selections.slice(1)] } };
    },
  });
  const rest = Object.fromEntries(Object.entries(variables).filter(([name]) => name !== afterVariable));
  return { document: print(withoutAfter), variables: rest };
}

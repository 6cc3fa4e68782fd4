import type { ApolloGateway } from "@apollo/gateway";
import type { DocumentNode, FieldNode, OperationDefinitionNode } from "graphql";

type Loaded = Awaited<ReturnType<ApolloGateway["load"]>>;
type Executor = Loaded["executor"];
type ExecutorContext = Parameters<Executor>[0];
type Answer = Awaited<ReturnType<Executor>>;

const unavailable = (answer: Answer) => answer.errors?.some((e) => e.extensions?.code === "SUBGRAPH_UNAVAILABLE") ?? false;

/**
 * A down subgraph costs only its own fields, root fields included. GraphQL nulls the whole `data`
 * when a non-null root field fails (`shiftPatterns: [ShiftPattern!]!` with shifts down would take
 * the plants of a dashboard's query with it). When a query's answer is `data: null` because a
 * subgraph was unavailable, each root field is asked on its own and the answers are merged: the
 * down subgraph's root fields are null with their errors, the others answer. Only queries (a
 * mutation is never sent twice), only in an outage (the usual path costs nothing).
 */
export function partialRootAnswers(gateway: ApolloGateway): Pick<ApolloGateway, "load" | "onSchemaLoadOrUpdate" | "stop"> {
  return {
    async load(options) {
      const loaded = await gateway.load(options);
      return { ...loaded, executor: rootByRoot(loaded.executor) };
    },
    onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
    stop: () => gateway.stop(),
  };
}

export function rootByRoot(executor: Executor): Executor {
  return async (requestContext) => {
    const answer = await executor(requestContext);
    const operation = requestContext.operation as OperationDefinitionNode | undefined;
    if (answer.data !== null || !operation || operation.operation !== "query" || !unavailable(answer)) return answer;
    const roots = operation.selectionSet.selections;
    // Root fragments would need their type conditions followed; such answers stay as they are.
    if (roots.length < 2 || !roots.every((s): s is FieldNode => s.kind === "Field")) return answer;
    const data: Record<string, unknown> = {};
    const errors: NonNullable<Answer["errors"]>[number][] = [];
    for (const [i, field] of roots.entries()) {
      const one: OperationDefinitionNode = { ...operation, selectionSet: { ...operation.selectionSet, selections: [field] } };
      const document: DocumentNode = {
        ...requestContext.document,
        definitions: requestContext.document.definitions.map((d) => (d === operation ? one : d)),
      };
      // Its own query-plan cache entry: the plan of one root field is not the plan of all of them.
      const part = await executor({
        ...requestContext,
        document,
        operation: one,
        queryHash: `${requestContext.queryHash}:root${i}`,
      } as ExecutorContext);
      const key = field.alias?.value ?? field.name.value;
      data[key] = (part.data as Record<string, unknown> | null | undefined)?.[key] ?? null;
      errors.push(...(part.errors ?? []));
    }
    return { ...answer, data, errors };
  };
}

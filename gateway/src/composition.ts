import path from "node:path";
import { composeServices } from "@apollo/composition";
import { DEFAULT_PORTS, SUBGRAPHS, graphqlSchemaPath, type SubgraphName } from "@mes/db";
import { subgraphTypeDefs } from "@mes/shared";

const repoRoot = path.resolve(import.meta.dirname, "..", "..");
export const SUPERGRAPH_PATH = path.join(repoRoot, "gateway", "supergraph.graphql");

/** Default URL recorded in the supergraph; the gateway replaces it from its configuration. */
export function defaultSubgraphUrl(name: SubgraphName): string {
  return `http://127.0.0.1:${DEFAULT_PORTS[name]}/graphql`;
}

export class CompositionError extends Error {
  override name = "CompositionError";
}

/** Composes the subgraphs' SDL (own schema.graphql plus the kit) into a supergraph; throws with every problem listed. */
export function composeSupergraph(): string {
  const services = SUBGRAPHS.map((name) => {
    const file = graphqlSchemaPath(name);
    try {
      return { name, url: defaultSubgraphUrl(name), typeDefs: subgraphTypeDefs(name, file) };
    } catch (err) {
      throw new CompositionError(`${path.relative(repoRoot, file)}: ${(err as Error).message}`);
    }
  });
  const result = composeServices(services);
  if (result.errors?.length) {
    const lines = result.errors.map((e) => `- ${e.extensions?.code ?? "ERROR"}: ${e.message}`);
    throw new CompositionError(`Composition failed with ${result.errors.length} error(s):\n${lines.join("\n")}`);
  }
  return result.supergraphSdl!;
}

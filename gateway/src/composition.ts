import fs from "node:fs";
import path from "node:path";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";
import { DEFAULT_PORTS, SUBGRAPHS } from "@mes/db";

const repoRoot = path.resolve(import.meta.dirname, "..", "..");
export const SUPERGRAPH_PATH = path.join(repoRoot, "gateway", "supergraph.graphql");

export function subgraphSchemaPath(name: string): string {
  return path.join(repoRoot, "subgraphs", name, "schema.graphql");
}

/** Default URL recorded in the supergraph; the gateway replaces it from its configuration. */
export function defaultSubgraphUrl(name: (typeof SUBGRAPHS)[number]): string {
  return `http://127.0.0.1:${DEFAULT_PORTS[name]}/graphql`;
}

export class CompositionError extends Error {
  override name = "CompositionError";
}

/** Composes the subgraphs' own schema files into a supergraph SDL; throws with every problem listed. */
export function composeSupergraph(): string {
  const services = SUBGRAPHS.map((name) => {
    const file = subgraphSchemaPath(name);
    try {
      return { name, url: defaultSubgraphUrl(name), typeDefs: parse(fs.readFileSync(file, "utf8")) };
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

import path from "node:path";
import { pathToFileURL } from "node:url";
import { SUBGRAPHS, subgraphDir, type SubgraphName } from "@mes/db";
import type { AnySubgraphDefinition } from "@mes/shared";

/** Every registered subgraph's definition, loaded from subgraphs/<name>/src/subgraph.ts by name. */
export async function loadDefinitions(): Promise<Record<SubgraphName, AnySubgraphDefinition>> {
  const entries = await Promise.all(
    SUBGRAPHS.map(async (name) => {
      const module = (await import(pathToFileURL(path.join(subgraphDir(name), "src", "subgraph.ts")).href)) as Record<string, AnySubgraphDefinition>;
      const definition = module[name];
      if (!definition) throw new Error(`subgraphs/${name}/src/subgraph.ts does not export "${name}"`);
      return [name, definition] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<SubgraphName, AnySubgraphDefinition>;
}

export const DEFINITIONS = await loadDefinitions();

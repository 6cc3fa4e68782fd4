// Entry point of every subgraph process: `tsx subgraphs/shared/src/main.ts <name>` loads the
// subgraph registered under that name (its src/subgraph.ts exports the definition by its name).
import path from "node:path";
import { pathToFileURL } from "node:url";
import { isSubgraphName, subgraphDir, SUBGRAPHS } from "@mes/db";
import { runSubgraphMain, type AnySubgraphDefinition } from "./subgraph.ts";

const name = process.argv[2] ?? "";
if (!isSubgraphName(name)) {
  console.error(`usage: main.ts <subgraph>, one of ${SUBGRAPHS.join(", ")}`);
  process.exit(2);
}
const module = (await import(pathToFileURL(path.join(subgraphDir(name), "src", "subgraph.ts")).href)) as Record<string, AnySubgraphDefinition>;
const definition = module[name];
if (!definition) throw new Error(`subgraphs/${name}/src/subgraph.ts does not export "${name}"`);
await runSubgraphMain(definition);

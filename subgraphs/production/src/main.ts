import { runSubgraphMain } from "@mes/shared";
import { production } from "./subgraph.ts";

await runSubgraphMain(production);

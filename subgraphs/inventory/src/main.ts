import { runSubgraphMain } from "@mes/shared";
import { inventory } from "./subgraph.ts";

await runSubgraphMain(inventory);

import { runSubgraphMain } from "@mes/shared";
import { quality } from "./subgraph.ts";

await runSubgraphMain(quality);

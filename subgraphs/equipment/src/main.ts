import { runSubgraphMain } from "@mes/shared";
import { equipment } from "./subgraph.ts";

await runSubgraphMain(equipment);

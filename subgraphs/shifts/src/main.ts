import { runSubgraphMain } from "@mes/shared";
import { shifts } from "./subgraph.ts";

await runSubgraphMain(shifts);

import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { composeSupergraph, SUPERGRAPH_PATH } from "../gateway/src/composition.ts";

describe("gateway/supergraph.graphql", () => {
  it("is what `pnpm compose` makes of the subgraphs' schema files today", () => {
    const committed = fs.readFileSync(SUPERGRAPH_PATH, "utf8");
    expect(committed === composeSupergraph(), "gateway/supergraph.graphql is stale: run `pnpm compose` and commit it").toBe(true);
  });
});

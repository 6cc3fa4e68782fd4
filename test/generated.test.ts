import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { generatedFiles } from "../scripts/generated-files.ts";

const root = path.resolve(import.meta.dirname, "..");

// Resolver types, the supergraph, docker-compose.yml and the init SQL are derived from the schemas
// and the subgraph registry; a change to those without `pnpm codegen` fails here.
describe("generated files", async () => {
  const files = await generatedFiles();
  it("cover every subgraph's resolver types, the supergraph, compose and the init SQL", () => {
    expect(files.map((f) => path.relative(root, f.path)).sort()).toEqual(
      expect.arrayContaining([
        "gateway/supergraph.graphql",
        "docker-compose.yml",
        "prisma/docker-init.sql",
        "subgraphs/production/src/resolvers-types.generated.ts",
      ]),
    );
  });
  for (const file of files) {
    const rel = path.relative(root, file.path);
    it(`${rel} is what \`pnpm codegen\` makes of the sources today`, () => {
      const committed = fs.existsSync(file.path) ? fs.readFileSync(file.path, "utf8") : "";
      expect(committed === file.content, `${rel} is stale: run \`pnpm codegen\` and commit it`).toBe(true);
    });
  }
});

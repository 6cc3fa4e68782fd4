// `pnpm compose`: composes subgraphs/*/schema.graphql into gateway/supergraph.graphql.
import fs from "node:fs";
import path from "node:path";
import { composeSupergraph, CompositionError, SUPERGRAPH_PATH } from "../src/composition.ts";

try {
  const sdl = composeSupergraph();
  const previous = fs.existsSync(SUPERGRAPH_PATH) ? fs.readFileSync(SUPERGRAPH_PATH, "utf8") : null;
  fs.writeFileSync(SUPERGRAPH_PATH, sdl);
  console.log(`${previous === sdl ? "Unchanged" : "Wrote"} ${path.relative(process.cwd(), SUPERGRAPH_PATH)}`);
} catch (err) {
  if (err instanceof CompositionError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}

// `pnpm codegen`: writes what is derived from the schemas and the subgraph registry, so that it
// cannot drift (test/generated.test.ts fails while any of it is stale):
// - subgraphs/<name>/src/resolvers-types.generated.ts: resolver types from the subgraph's SDL
//   (GraphQL Code Generator, typescript + typescript-resolvers with federation), Prisma models as
//   mappers (src/mappers.ts), Prisma enums as enum values, the subgraph's context type;
// - gateway/supergraph.graphql, composed from the subgraphs' SDL;
// - docker-compose.yml and prisma/docker-init.sql, from the registry.
import fs from "node:fs";
import path from "node:path";
import { generatedFiles } from "./generated-files.ts";

const check = process.argv.includes("--check");
// `pnpm codegen production` regenerates only what that subgraph's SDL decides (its resolver types).
const only = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const root = path.resolve(import.meta.dirname, "..");
let stale = 0;
for (const file of await generatedFiles(only)) {
  const previous = fs.existsSync(file.path) ? fs.readFileSync(file.path, "utf8") : null;
  const rel = path.relative(root, file.path);
  if (previous === file.content) continue;
  stale += 1;
  if (check) console.error(`stale: ${rel} (run pnpm codegen)`);
  else {
    fs.writeFileSync(file.path, file.content);
    console.log(`wrote ${rel}`);
  }
}
if (!stale) console.log("generated files are up to date");
if (check && stale) process.exit(1);

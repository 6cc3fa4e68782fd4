// Generates each subgraph's Prisma client into subgraphs/<name>/src/generated/prisma.
import { SUBGRAPHS } from "../src/subgraphs.ts";
import { runPrisma } from "../src/prisma-cli.ts";

const started = Date.now();
await Promise.all(SUBGRAPHS.map((sg) => runPrisma(sg, ["generate"])));
console.log(`Prisma clients generated for ${SUBGRAPHS.join(", ")} in ${Date.now() - started} ms`);

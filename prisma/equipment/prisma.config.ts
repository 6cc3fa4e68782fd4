import { defineSubgraphPrismaConfig } from "../src/prisma-config.ts";

export default defineSubgraphPrismaConfig(import.meta.dirname);

// The Prisma CLI config of every subgraph: `MES_SUBGRAPH=<name>` picks the subgraph (runPrisma
// sets it), e.g. `MES_SUBGRAPH=shifts DATABASE_URL=… pnpm exec prisma migrate status --config prisma/prisma.config.ts`.
import { defineSubgraphPrismaConfig } from "./src/prisma-config.ts";

export default defineSubgraphPrismaConfig(process.env.MES_SUBGRAPH);

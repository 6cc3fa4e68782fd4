import { SUBGRAPHS } from "@mes/db";
import { composeSupergraph, SUPERGRAPH_PATH } from "@mes/gateway/composition";
import { resolverTypes } from "./resolver-types.ts";
import { composeFile, composeOverrideFile, initSqlFile } from "./compose-file.ts";

export interface GeneratedFile {
  path: string;
  content: string;
}

/** Every file `pnpm codegen` writes, with the content it must have. */
export async function generatedFiles(only: string[] = []): Promise<GeneratedFile[]> {
  if (only.length) return Promise.all(SUBGRAPHS.filter((n) => only.includes(n)).map((name) => resolverTypes(name)));
  return [
    ...(await Promise.all(SUBGRAPHS.map((name) => resolverTypes(name)))),
    { path: SUPERGRAPH_PATH, content: composeSupergraph() },
    composeFile(),
    composeOverrideFile(),
    initSqlFile(),
  ];
}

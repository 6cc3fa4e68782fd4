// `pnpm bench`: our gateway, the stock @apollo/gateway and Hive Gateway on the same five subgraphs
// and the same scale data (`pnpm seed:scale` first), each in its own process, loaded by
// autocannon from this one. Prints throughput and p50/p99 latency per gateway and scenario, the
// ratios, and the floor: the subgraph fetches on the query plan's critical path, called directly.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { identityProviderKeys } from "../support/auth.ts";
import { DEFAULT_PORTS, SUBGRAPHS, databaseName, databaseUrl, feedSources, urlVariable, type SubgraphName } from "@mes/db";
import { openLocalPostgres } from "../../scripts/local-postgres.ts";
import { SCALE_ORG, scaleId, scaleSize } from "../../scripts/scale-data.ts";
import { SUPERGRAPH_PATH } from "../../gateway/src/composition.ts";
import { criticalPathFloor } from "./floor.ts";
import { explainCaptured } from "./explain.ts";
import { PLANT_DASHBOARD, WORK_ORDER_DETAIL } from "../support/dashboard-queries.ts";

const root = path.resolve(import.meta.dirname, "..", "..");
const dataDir = path.resolve(root, process.env.MES_DATA_DIR ?? ".data");
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const say = (m: string) => console.log(`[bench] ${m}`);
// The bench's own ports, next to the default ones (+100), so it never meets a running `pnpm start`.
const PORTS = Object.fromEntries(SUBGRAPHS.map((n) => [n, DEFAULT_PORTS[n] + 100])) as Record<SubgraphName, number>;
const GATEWAYS = { ours: 4110, "stock @apollo/gateway": 4111, "Hive Gateway": 4112 } as const;
type GatewayName = keyof typeof GATEWAYS;

const LOG = `mutation Log($op: ID!) { logProduction(input: { operationId: $op, goodQuantity: 1 }) { id } }`;
const ISSUE = `mutation Issue($m: ID!, $w: ID!, $p: ID!) { issueStock(input: { materialId: $m, workOrderId: $w, plantId: $p, quantity: 1 }) { __typename } }`;

const children: ChildProcess[] = [];
function start(name: string, args: string[], env: Record<string, string>, cwd = root): ChildProcess {
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr!.on("data", (d) => (err = (err + String(d)).slice(-4000)));
  child.on("exit", (code) => {
    if (!stopping) console.error(`[bench] ${name} exited (${code}): ${err}`);
  });
  children.push(child);
  return child;
}
let stopping = false;

async function waitFor(url: string, init: RequestInit = {}, timeoutMs = 120_000): Promise<void> {
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

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

function load(
  url: string,
  headers: Record<string, string>,
  body: () => string,
  opts: { rate?: number; seconds?: number; connections?: number } = {},
): Promise<Figures> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        connections: opts.connections ?? CONNECTIONS,
        duration: opts.seconds ?? DURATION,
        ...(opts.rate ? { overallRate: opts.rate } : {}),
        requests: [{ setupRequest: (req) => ({ ...req, body: body() }) }],
      },
      (err, result) => {
        if (err) return reject(err);
        resolve({ rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx });
      },
    );
  });
}

async function main() {
  const local = await openLocalPostgres(dataDir, say);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mes-bench-"));
  try {
    // Tokens as an identity provider issues them: ES256, verified by every service with its public key.
    const idp = await identityProviderKeys();
    const token = await idp.sign({ sub: "bench", org: SCALE_ORG, plants: "*", roles: ["ADMIN"] }, { expiresIn: "2h" });
    const auth = { authorization: `Bearer ${token}` };
    const common = { NODE_ENV: "production", LOG_LEVEL: "warn", AUTH_PUBLIC_KEY: idp.publicKeyPem };
    const plants = [0, 1].map((p) => scaleId("plant", p));

    say("starting five subgraphs on the scale data…");
    for (const name of SUBGRAPHS) {
      start(name, ["--import", "tsx", "subgraphs/shared/src/main.ts", name], {
        ...common,
        PORT: String(PORTS[name]),
        DATABASE_URL: databaseUrl(local.serverUrl, databaseName(name)),
        DB_POOL_MAX: "20",
        EVENT_FEED_TOKEN: "bench-only-event-feed-token-0123456789",
        PM_CHECK_INTERVAL_MS: "0",
        ...Object.fromEntries(feedSources(name).map((f) => [urlVariable(f), `http://127.0.0.1:${PORTS[f]}/graphql`])),
        SQL_CAPTURE: path.join(tmp, `${name}.sql.jsonl`),
      });
    }
    await Promise.all(SUBGRAPHS.map((n) => waitFor(`http://127.0.0.1:${PORTS[n]}/ready`)));
    let sdl = fs.readFileSync(SUPERGRAPH_PATH, "utf8");
    for (const n of SUBGRAPHS) sdl = sdl.replaceAll(`http://127.0.0.1:${DEFAULT_PORTS[n]}/graphql`, `http://127.0.0.1:${PORTS[n]}/graphql`);
    const supergraph = path.join(tmp, "supergraph.graphql");
    fs.writeFileSync(supergraph, sdl);
    const urls = Object.fromEntries(SUBGRAPHS.map((n) => [urlVariable(n), `http://127.0.0.1:${PORTS[n]}/graphql`]));

    say("starting the three gateways…");
    // BENCH_PROFILE=<dir>: a CPU profile of our gateway, written when it stops.
    start(
      "ours",
      [...(process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []), "--import", "tsx", "gateway/src/main.ts"],
      { ...common, ...urls, PORT: String(GATEWAYS.ours), SUPERGRAPH_PATH: supergraph },
    );
    start("stock", ["--import", "tsx", "test/bench/stock-gateway.ts", supergraph, String(GATEWAYS["stock @apollo/gateway"])], {});
    start(
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
    );
    const ready = { method: "POST", headers: { "content-type": "application/json", ...auth }, body: JSON.stringify({ query: "{ __typename }" }) };
    await Promise.all(Object.values(GATEWAYS).map((p) => waitFor(`http://127.0.0.1:${p}/graphql`, ready)));

    // Data for the scenarios: open work orders of plant NOR (their second operation is in progress).
    const size = scaleSize(1);
    const open = Math.max(50, Math.floor(size.workOrders * 0.05));
    const running = [];
    for (let i = size.workOrders - open; i < size.workOrders; i++) if (i % 2 === 0 && i % 3 !== 0) running.push(i);
    const logBodies = running.slice(0, 200).map((i) => JSON.stringify({ query: LOG, variables: { op: scaleId("op", `${i}:1`) } }));
    const issueBodies = running.slice(0, 200).map((i, k) =>
      JSON.stringify({
        query: ISSUE,
        variables: { m: scaleId("material", (k * 7) % size.materials), w: scaleId("wo", i), p: plants[0] },
      }),
    );
    const detailBodies = running.slice(0, 100).map((i) => JSON.stringify({ query: WORK_ORDER_DETAIL, variables: { id: scaleId("wo", i) } }));
    const dashboardBody = JSON.stringify({ query: PLANT_DASHBOARD, variables: { plant: plants[0] } });
    let k = 0;
    const scenarios: Record<string, () => string> = {
      "(a) plant dashboard": () => dashboardBody,
      "(b) work order detail": () => detailBodies[k++ % detailBodies.length]!,
      "(c) write mix": () => (k++ % 2 ? logBodies[k % logBodies.length]! : issueBodies[k % issueBodies.length]!),
    };

    // Same answer from every gateway, or the comparison means nothing.
    for (const [label, body] of Object.entries({ dashboard: dashboardBody, detail: detailBodies[0]! })) {
      const answers = await Promise.all(
        Object.values(GATEWAYS).map(async (p) => (await fetch(`http://127.0.0.1:${p}/graphql`, { ...ready, body })).text()),
      );
      if (JSON.parse(answers[0]!).errors) throw new Error(`${label}: ${answers[0]!.slice(0, 500)}`);
      if (new Set(answers.map((a) => JSON.stringify(JSON.parse(a).data))).size !== 1) throw new Error(`${label}: the gateways answer differently`);
      say(`${label}: ${answers[0]!.length.toLocaleString("en-US")} bytes, the same from all three gateways`);
    }

    for (const body of [logBodies[0]!, issueBodies[0]!]) {
      for (const port of Object.values(GATEWAYS)) {
        const res = (await (await fetch(`http://127.0.0.1:${port}/graphql`, { ...ready, body })).json()) as { errors?: unknown[] };
        if (res.errors) throw new Error(`write through port ${port}: ${JSON.stringify(res.errors).slice(0, 300)}`);
      }
    }
    // One write of each kind, then EXPLAIN ANALYZE of every distinct statement the subgraphs sent.
    for (const body of [logBodies[0]!, issueBodies[0]!]) {
      const res = (await (await fetch(`http://127.0.0.1:${GATEWAYS.ours}/graphql`, { ...ready, body })).json()) as { errors?: unknown[] };
      if (res.errors) throw new Error(`write: ${JSON.stringify(res.errors).slice(0, 300)}`);
    }
    for (const name of SUBGRAPHS) {
      const r = await explainCaptured(path.join(tmp, `${name}.sql.jsonl`), databaseUrl(local.serverUrl, databaseName(name)));
      say(
        `EXPLAIN ${name}: ${r.statements} statements, slowest ${r.slowest[0]?.ms.toFixed(2) ?? "-"} ms, ` +
          `${r.seqScans.length ? `SEQUENTIAL SCANS: ${r.seqScans.map((s) => `${s.table} (${s.rows} rows) in ${s.sql}`).join("; ")}` : "no sequential scan of a large table"}`,
      );
      if (process.env.BENCH_VERBOSE) for (const s of r.slowest) say(`   ${s.ms.toFixed(2)} ms  ${s.sql}`);
    }

    const floor = await criticalPathFloor(sdl, PLANT_DASHBOARD, { plant: plants[0] }, auth);
    say(`floor (a): ${floor.fetches} subgraph fetches, critical path ${floor.criticalPathMs.toFixed(2)} ms at p50 when called directly`);

    const results: Record<string, Record<GatewayName, Figures>> = {};
    // BENCH_ONLY=detail (a word of the scenario's name) runs just that scenario.
    for (const [scenario, body] of Object.entries(scenarios).filter(([s]) => !process.env.BENCH_ONLY || s.includes(process.env.BENCH_ONLY))) {
      results[scenario] = {} as Record<GatewayName, Figures>;
      for (const [name, port] of Object.entries(GATEWAYS) as [GatewayName, number][]) {
        const url = `http://127.0.0.1:${port}/graphql`;
        await load(url, auth, body, { seconds: 2 }); // warm up: plan caches, JIT, connection pools
        results[scenario][name] = await load(url, auth, body);
        const r = results[scenario][name];
        say(
          `${scenario.padEnd(24)} ${name.padEnd(22)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${String(r.p50).padStart(4)} ms  p99 ${String(r.p99).padStart(4)} ms${r.errors ? `  ${r.errors} errors` : ""}`,
        );
      }
    }
    // One client at a time: no queueing for a core and nothing to deduplicate, so latency minus
    // the floor is what the gateway itself adds.
    const alone: Partial<Record<GatewayName, Figures>> = {};
    for (const [name, port] of Object.entries(GATEWAYS) as [GatewayName, number][]) {
      alone[name] = await load(`http://127.0.0.1:${port}/graphql`, auth, scenarios["(a) plant dashboard"]!, { seconds: 5, connections: 1 });
    }
    const paced: Partial<Record<GatewayName, Figures>> = {};
    for (const [name, port] of Object.entries(GATEWAYS) as [GatewayName, number][]) {
      paced[name] = await load(`http://127.0.0.1:${port}/graphql`, auth, scenarios["(a) plant dashboard"]!, { rate: 100 });
    }

    console.log(`\nResults (${os.cpus().length} cores, ${os.cpus()[0]?.model ?? "cpu"}; ${DURATION} s per run, ${CONNECTIONS} connections)\n`);
    console.log("| scenario | gateway | req/s | p50 ms | p99 ms | vs stock | vs Hive |");
    console.log("|---|---|---|---|---|---|---|");
    for (const [scenario, row] of Object.entries(results)) {
      for (const [name, r] of Object.entries(row) as [GatewayName, Figures][]) {
        const ratio = (other: Figures) => `${(r.rps / other.rps).toFixed(2)}×`;
        console.log(
          `| ${scenario} | ${name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${ratio(row["stock @apollo/gateway"])} | ${ratio(row["Hive Gateway"])} |`,
        );
      }
    }
    console.log(
      `\n(a) at a steady 100 req/s: ${Object.entries(paced)
        .map(([n, r]) => `${n} p50 ${r!.p50} ms p99 ${r!.p99} ms`)
        .join("; ")}`,
    );
    console.log(`(a) floor: critical path of ${floor.fetches} subgraph fetches called directly, p50 ${floor.criticalPathMs.toFixed(2)} ms`);
    console.log(
      `(a) one client at a time, p50 and gateway overhead (p50 minus the floor): ${Object.entries(alone)
        .map(([n, r]) => `${n} ${r!.p50} ms (+${(r!.p50 - floor.criticalPathMs).toFixed(1)} ms)`)
        .join("; ")}`,
    );
  } finally {
    stopping = true;
    for (const c of children) c.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 1500));
    await local.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

// `pnpm bench:profile`: what a distinct request costs each process. Starts the five subgraphs (with
// `--cpu-prof`, the read cache off) and our gateway on the scale data (`pnpm seed:scale` first), on
// ports +200 from the defaults, then loads (b) the work-order detail over 100 distinct open orders
// and (a2) the plant dashboard from 50 distinct VIEWER tokens of one plant. Per run it prints CPU ms
// per request of every process (utime+stime from /proc, PostgreSQL with its backends) and, at the
// end, each subgraph's top self-time functions and packages inside the scenario's runs.
// PROFILE_SECONDS, PROFILE_RUNS, PROFILE_CONNECTIONS, PROFILE_ONLY=detail|dashboard, PROFILE_TOP,
// PROFILE_DIR (keeps the .cpuprofile files), PROFILE_CPU_PROF=0 (no profiler: CPU figures only).
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
import { PLANT_DASHBOARD, WORK_ORDER_DETAIL } from "../support/dashboard-queries.ts";
import { formatSummary, monotonicMicros, newestProfile, summarize, type Window } from "./cpu-profile.ts";
import { CLK_TCK, postgresTicks, postmasterPid, ticks } from "./proc-cpu.ts";

const root = path.resolve(import.meta.dirname, "..", "..");
const dataDir = path.resolve(root, process.env.MES_DATA_DIR ?? ".data");
// Ports +200 from the defaults (PostgreSQL too), so this runs next to `pnpm start` and `pnpm bench`.
process.env.MES_POSTGRES_PORT ??= "54529";
const SECONDS = Number(process.env.PROFILE_SECONDS ?? 10);
const RUNS = Number(process.env.PROFILE_RUNS ?? 3);
const CONNECTIONS = Number(process.env.PROFILE_CONNECTIONS ?? 10);
const TOP = Number(process.env.PROFILE_TOP ?? 25);
const CPU_PROF = process.env.PROFILE_CPU_PROF !== "0";
const PORTS = Object.fromEntries(SUBGRAPHS.map((n) => [n, DEFAULT_PORTS[n] + 200])) as Record<SubgraphName, number>;
const GATEWAY_PORT = DEFAULT_PORTS.gateway + 200;
const METRICS_TOKEN = "profile-only-metrics-token-0123456789";
const say = (m: string) => console.log(`[profile] ${m}`);

const children: { name: string; child: ChildProcess }[] = [];
let stopping = false;
let cleanup: (() => Promise<void>) | null = null;
/** With PROFILE_DIR, each process's output is kept there too (PROFILE_LOG_LEVEL=info logs every request). */
function start(name: string, args: string[], env: Record<string, string>, logDir?: string): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  // Services log to stdout (a failed start too): the last of both is shown if one exits early.
  let err = "";
  for (const stream of [child.stdout!, child.stderr!]) stream.on("data", (d) => (err = (err + String(d)).slice(-4000)));
  if (logDir) {
    fs.mkdirSync(logDir, { recursive: true });
    const file = fs.createWriteStream(path.join(logDir, `${name}.log`));
    child.stdout!.pipe(file);
    child.stderr!.pipe(file);
  }
  child.on("exit", (code) => {
    if (!stopping) console.error(`[profile] ${name} exited (${code}): ${err}`);
  });
  children.push({ name, child });
  return child;
}

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

/** Requests each subgraph answered so far (its mes_graphql_requests_total, all operations). */
async function subgraphRequests(name: SubgraphName): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${PORTS[name]}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  let total = 0;
  for (const line of text.split("\n")) if (line.startsWith("mes_graphql_requests_total{")) total += Number(line.split(" ").at(-1));
  return total;
}

/**
 * Waits until every feed follower is at the head of its feed: on fresh scale data the reference
 * copies take minutes to fill, and that work would be counted as the requests' CPU.
 */
async function caughtUp(timeoutMs = 1_800_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  // A follower says 0 behind until its first poll: three quiet looks in a row, 2 s apart.
  for (let quiet = 0; quiet < 3; ) {
    if (Date.now() > deadline) throw new Error("feed followers did not catch up");
    await new Promise((r) => setTimeout(r, 2000));
    const behind: string[] = [];
    for (const name of SUBGRAPHS) {
      const report = (await (await fetch(`http://127.0.0.1:${PORTS[name]}/ready`)).json()) as { checks?: Record<string, { eventsBehind?: number }> };
      for (const [check, c] of Object.entries(report.checks ?? {})) if (c.eventsBehind) behind.push(`${check}: ${c.eventsBehind}`);
    }
    quiet = behind.length ? 0 : quiet + 1;
    const now = behind.join(", ");
    if (now && now.replace(/\d+/g, "") !== last) say(`followers catching up (events behind): ${now}`);
    last = now.replace(/\d+/g, "");
  }
}

interface Run {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU ms per client request, by process, background work subtracted. */
  cpu: Record<string, number>;
  /** The same with the background work (what the profiles' samples cover). */
  raw: Record<string, number>;
  /** Requests each subgraph answered per client request. */
  fetches: Record<string, number>;
}

function load(url: string, body: (i: number) => { body: string; authorization: string }, seconds: number): Promise<autocannon.Result> {
  let k = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        method: "POST",
        headers: { "content-type": "application/json" },
        connections: CONNECTIONS,
        duration: seconds,
        requests: [
          {
            setupRequest: (req) => {
              const next = body(k++);
              return { ...req, body: next.body, headers: { ...req.headers, authorization: next.authorization } };
            },
          },
        ],
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
}

async function main() {
  const local = await openLocalPostgres(dataDir, say);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mes-profile-"));
  let cleaned: Promise<void> | null = null;
  cleanup = () =>
    (cleaned ??= (async () => {
      stopping = true;
      for (const { child } of children) if (child.exitCode === null) child.kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 1500));
      await local.stop();
      fs.rmSync(tmp, { recursive: true, force: true });
    })());
  const profileDir = path.resolve(process.env.PROFILE_DIR ?? path.join(tmp, "profiles"));
  try {
    const idp = await identityProviderKeys();
    const common = { NODE_ENV: "production", LOG_LEVEL: process.env.PROFILE_LOG_LEVEL ?? "warn", AUTH_PUBLIC_KEY: idp.publicKeyPem };
    const plant = scaleId("plant", 0);
    const admin = `Bearer ${await idp.sign({ sub: "profile", org: SCALE_ORG, plants: "*", roles: ["ADMIN"] }, { expiresIn: "2h" })}`;
    const viewers = await Promise.all(
      Array.from(
        { length: 50 },
        async (_, i) => `Bearer ${await idp.sign({ sub: `viewer-${i}`, org: SCALE_ORG, plants: [plant], roles: ["VIEWER"] }, { expiresIn: "2h" })}`,
      ),
    );

    say(`starting five subgraphs on the scale data${CPU_PROF ? `, profiles in ${profileDir}` : ""}…`);
    const pids: Record<string, number> = {};
    for (const name of SUBGRAPHS) {
      const prof = CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${path.join(profileDir, name)}`] : [];
      const child = start(
        name,
        [...prof, "--import", "tsx", "subgraphs/shared/src/main.ts", name],
        {
          ...common,
          PORT: String(PORTS[name]),
          DATABASE_URL: databaseUrl(local.serverUrl, databaseName(name)),
          DB_POOL_MAX: "20",
          EVENT_FEED_TOKEN: "profile-only-event-feed-token-0123456789",
          PM_CHECK_INTERVAL_MS: "0",
          // The uncached cost of a distinct request is what this measures.
          READ_CACHE_ENTRIES: "0",
          METRICS_TOKEN,
          ...Object.fromEntries(feedSources(name).map((f) => [urlVariable(f), `http://127.0.0.1:${PORTS[f]}/graphql`])),
        },
        process.env.PROFILE_DIR ? profileDir : undefined,
      );
      pids[name] = child.pid!;
    }
    await Promise.all(SUBGRAPHS.map((n) => waitFor(`http://127.0.0.1:${PORTS[n]}/ready`)));
    await caughtUp();
    let sdl = fs.readFileSync(SUPERGRAPH_PATH, "utf8");
    for (const n of SUBGRAPHS) sdl = sdl.replaceAll(`http://127.0.0.1:${DEFAULT_PORTS[n]}/graphql`, `http://127.0.0.1:${PORTS[n]}/graphql`);
    const supergraph = path.join(tmp, "supergraph.graphql");
    fs.writeFileSync(supergraph, sdl);
    const urls = Object.fromEntries(SUBGRAPHS.map((n) => [urlVariable(n), `http://127.0.0.1:${PORTS[n]}/graphql`]));
    say("starting our gateway…");
    const gateway = start(
      "gateway",
      ["--import", "tsx", "gateway/src/main.ts"],
      {
        ...common,
        ...urls,
        PORT: String(GATEWAY_PORT),
        SUPERGRAPH_PATH: supergraph,
        // 50 dashboards a second from one organization is the load, not abuse.
        RATE_LIMIT_USER_PER_SECOND: "0",
        RATE_LIMIT_ORGANIZATION_PER_SECOND: "0",
      },
      process.env.PROFILE_DIR ? profileDir : undefined,
    );
    pids.gateway = gateway.pid!;
    const url = `http://127.0.0.1:${GATEWAY_PORT}/graphql`;
    await waitFor(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: admin },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    const postmaster = postmasterPid(dataDir);
    if (!postmaster) say("PostgreSQL's server process not found: its CPU is not counted");

    // The open orders gateways.ts uses: plant NOR's, their second operation in progress.
    const size = scaleSize(1);
    const open = Math.max(50, Math.floor(size.workOrders * 0.05));
    const running: number[] = [];
    for (let i = size.workOrders - open; i < size.workOrders; i++) if (i % 2 === 0 && i % 3 !== 0) running.push(i);
    const detailBodies = running.slice(0, 100).map((i) => JSON.stringify({ query: WORK_ORDER_DETAIL, variables: { id: scaleId("wo", i) } }));
    const dashboardBody = JSON.stringify({ query: PLANT_DASHBOARD, variables: { plant } });
    const scenarios: Record<string, (i: number) => { body: string; authorization: string }> = {
      "(b) work-order detail, 100 distinct orders": (i) => ({ body: detailBodies[i % detailBodies.length]!, authorization: admin }),
      "(a2) plant dashboard, 50 distinct VIEWER tokens": (i) => ({ body: dashboardBody, authorization: viewers[i % viewers.length]! }),
    };
    for (const [label, make] of Object.entries(scenarios)) {
      const { body, authorization } = make(0);
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", authorization }, body });
      const text = await res.text();
      if (!res.ok || JSON.parse(text).errors) throw new Error(`${label}: ${text.slice(0, 500)}`);
      say(`${label}: ${text.length.toLocaleString("en-US")} bytes, no errors`);
    }

    const processes = [...SUBGRAPHS, "gateway"];
    const results: Record<string, Run[]> = {};
    const windows: Record<string, Window[]> = {};
    // Background work with no load (feed followers poll every EVENT_POLL_MS, each poll a request to
    // another subgraph and SQL), so it is not counted as the requests' cost: its rate is subtracted.
    const IDLE_SECONDS = Number(process.env.PROFILE_IDLE_SECONDS ?? 10);
    const idleBefore = Object.fromEntries(processes.map((p) => [p, ticks(pids[p]!)[0]]));
    const pgIdleBefore = postmaster ? postgresTicks(postmaster) : 0;
    const idleWindow = { from: monotonicMicros(), to: 0 };
    await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
    idleWindow.to = monotonicMicros();
    const idleMsPerSecond: Record<string, number> = Object.fromEntries(
      processes.map((p) => [p, ((ticks(pids[p]!)[0] - idleBefore[p]!) * 1000) / CLK_TCK / IDLE_SECONDS]),
    );
    if (postmaster) idleMsPerSecond.postgres = ((postgresTicks(postmaster) - pgIdleBefore) * 1000) / CLK_TCK / IDLE_SECONDS;
    say(
      `idle, CPU ms per second (subtracted from the runs): ${Object.entries(idleMsPerSecond)
        .map(([p, v]) => `${p} ${v.toFixed(1)}`)
        .join(", ")}`,
    );
    for (const [label, make] of Object.entries(scenarios).filter(([s]) => !process.env.PROFILE_ONLY || s.includes(process.env.PROFILE_ONLY))) {
      await load(url, make, 3); // warm up: JIT, plan caches, pools
      results[label] = [];
      windows[label] = [];
      for (let run = 0; run < RUNS; run++) {
        const before = Object.fromEntries(processes.map((p) => [p, ticks(pids[p]!)[0]]));
        const pgBefore = postmaster ? postgresTicks(postmaster) : 0;
        const benchBefore = process.cpuUsage();
        const fetchesBefore = await Promise.all(SUBGRAPHS.map(subgraphRequests));
        const from = monotonicMicros();
        const r = await load(url, make, SECONDS);
        const to = monotonicMicros();
        const fetchesAfter = await Promise.all(SUBGRAPHS.map(subgraphRequests));
        const bench = process.cpuUsage(benchBefore);
        const requests = r.requests.total;
        const seconds = (to - from) / 1e6;
        const perRequest = (p: string, t: number) => ((t * 1000) / CLK_TCK - (idleMsPerSecond[p] ?? 0) * seconds) / requests;
        const used = Object.fromEntries(processes.map((p) => [p, ticks(pids[p]!)[0] - before[p]!]));
        const raw: Record<string, number> = Object.fromEntries(processes.map((p) => [p, (used[p]! * 1000) / CLK_TCK / requests]));
        const cpu: Record<string, number> = Object.fromEntries(processes.map((p) => [p, perRequest(p, used[p]!)]));
        if (postmaster) cpu.postgres = perRequest("postgres", postgresTicks(postmaster) - pgBefore);
        cpu["load (autocannon)"] = (bench.user + bench.system) / 1000 / requests;
        const fetches = Object.fromEntries(SUBGRAPHS.map((n, i) => [n, (fetchesAfter[i]! - fetchesBefore[i]!) / requests]));
        windows[label].push({ from, to });
        const figures: Run = {
          requests,
          rps: r.requests.average,
          p50: r.latency.p50,
          p99: r.latency.p99,
          errors: r.errors + r.non2xx,
          cpu,
          raw,
          fetches,
        };
        results[label].push(figures);
        const total = Object.entries(cpu)
          .filter(([p]) => !p.startsWith("load"))
          .reduce((s, [, v]) => s + v, 0);
        say(
          `${label} run ${run + 1}: ${figures.rps.toFixed(1)} req/s, p50 ${figures.p50} ms, p99 ${figures.p99} ms${figures.errors ? `, ${figures.errors} ERRORS` : ""}; ` +
            `CPU ms/request ${Object.entries(cpu)
              .map(([p, v]) => `${p} ${v.toFixed(2)}`)
              .join(", ")}; total (no load) ${total.toFixed(1)}`,
        );
      }
    }

    console.log(
      `\nCPU ms per client request (background work at the idle rate subtracted), median of ${RUNS} runs of ${SECONDS} s, ${CONNECTIONS} connections (${os.cpus().length} cores)\n`,
    );
    const columns = [...processes, "postgres", "load (autocannon)"];
    console.log(`| scenario | req/s | ${columns.join(" | ")} | all but load |`);
    console.log(`|---|---|${columns.map(() => "---").join("|")}|---|`);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    for (const [label, runs] of Object.entries(results)) {
      const cells = columns.map((c) => median(runs.map((r) => r.cpu[c] ?? 0)));
      const all = median(runs.map((r) => Object.entries(r.cpu).reduce((s, [p, v]) => s + (p.startsWith("load") ? 0 : v), 0)));
      console.log(`| ${label} | ${median(runs.map((r) => r.rps)).toFixed(1)} | ${cells.map((c) => c.toFixed(2)).join(" | ")} | ${all.toFixed(1)} |`);
    }
    console.log("\nSubgraph requests per client request (in-flight sharing at the gateway lowers them):");
    for (const [label, runs] of Object.entries(results)) {
      console.log(`  ${label}: ${SUBGRAPHS.map((n) => `${n} ${median(runs.map((r) => r.fetches[n]!)).toFixed(2)}`).join(", ")}`);
    }
    console.log("CPU ms per request a subgraph answered:");
    for (const [label, runs] of Object.entries(results)) {
      const per = (n: string) => median(runs.map((r) => (r.fetches[n] ? r.cpu[n]! / r.fetches[n]! : 0)));
      console.log(`  ${label}: ${SUBGRAPHS.map((n) => `${n} ${per(n).toFixed(2)}`).join(", ")}`);
    }

    if (!CPU_PROF) return;
    stopping = true;
    // Profiles are written when a process exits: stop the subgraphs (gracefully) and wait for them.
    await Promise.all(
      children
        .filter((c) => (SUBGRAPHS as readonly string[]).includes(c.name))
        .map(
          ({ child }) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null) return resolve();
              child.once("exit", () => resolve());
              child.kill("SIGTERM");
            }),
        ),
    );
    for (const [label, runs] of Object.entries(results)) {
      const requests = runs.reduce((s, r) => s + r.requests, 0);
      console.log(`\n=== ${label}: self time inside the ${runs.length} runs (${requests} client requests) ===`);
      const cpuMs = (name: string) => runs.reduce((s, r) => s + r.raw[name]! * r.requests, 0) / requests;
      for (const name of SUBGRAPHS) {
        const file = newestProfile(path.join(profileDir, name));
        if (!file) {
          console.log(`\n${name}: no profile written`);
          continue;
        }
        console.log(`\n${name} (${path.relative(root, file)})`);
        for (const line of formatSummary(summarize(file, windows[label]!), cpuMs(name), TOP)) console.log(line);
      }
    }
    // What the background work is (here "per request" means per second with no load).
    console.log(`\n=== no load, ${IDLE_SECONDS} s: background work, CPU ms per second ===`);
    for (const name of SUBGRAPHS) {
      const file = newestProfile(path.join(profileDir, name));
      if (!file) continue;
      console.log(`\n${name}`);
      for (const line of formatSummary(summarize(file, [idleWindow]), idleMsPerSecond[name]!, 12)) console.log(line);
    }
  } finally {
    await cleanup();
  }
}

// Ctrl-C or a timeout's SIGTERM: stop what this started (the processes, PostgreSQL) first.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void cleanup?.().finally(() => process.exit(130)));

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

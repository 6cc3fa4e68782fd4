// `pnpm bench`: our gateway, the stock @apollo/gateway and Hive Gateway on the same five subgraphs
// and the same scale data (`pnpm seed:scale` first), each in its own process, loaded by autocannon
// from this one. Scenarios: the plant dashboard asked by one user (a), by 50 users of one plant
// (a2), by 50 users of two plants while 10 writes/s run (a3, with read-after-write probes through
// two replicas of our gateway), a work order's detail page (b) and a write mix (c). Prints req/s,
// p50/p99, CPU ms per request of every process, the floor (SQL + serialization) and the targets.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SUBGRAPHS, databaseName, databaseUrl } from "@mes/db";
import { identityProviderKeys } from "../support/auth.ts";
import { openLocalPostgres } from "../../scripts/local-postgres.ts";
import { SCALE_ORG, scaleId, scaleSize } from "../../scripts/scale-data.ts";
import { PLANT_DASHBOARD, WORK_ORDER_DETAIL } from "../support/dashboard-queries.ts";
import { criticalPathFloor } from "./floor.ts";
import { captureMark, explainCaptured } from "./explain.ts";
import { cpuDelta, cpuSnapshot } from "./cpu.ts";
import { BENCH_CONNECTIONS, BENCH_SECONDS, load, rotate, startLoad, type Figures, type Request } from "./load.ts";
import {
  GATEWAYS,
  GATEWAY_NAMES,
  REPLICA_B_PORT,
  gatewayUrl,
  postmasterPid,
  root,
  say,
  startStack,
  stopAll,
  setLogDir,
  waitForFeeds,
  type GatewayName,
} from "./processes.ts";
import { Probes, WriteMix, readBase, type Target } from "./freshness.ts";
import { materialsWithStock, pickTargets } from "./write-targets.ts";
import { MIN_PROBES, printCpu, printFreshness, printOneVersusMany, printPaced, printThroughput, type Results } from "./report.ts";

const dataDir = path.resolve(root, process.env.MES_DATA_DIR ?? ".data");
// The bench's own PostgreSQL port (+100 from `pnpm start`'s 54329), so that it can run next to
// another embedded server on another data folder.
process.env.MES_POSTGRES_PORT ??= "54429";
const USERS = 50;
const WRITES_PER_SECOND = 10;
const only = process.env.BENCH_ONLY;
const wanted = (scenario: string) => !only || scenario.includes(only);

const A1 = "(a) dashboard, one user";
const A2 = "(a2) dashboard, 50 users of one plant";
const A3 = "(a3) dashboard, 50 users of two plants, 10 writes/s";
const B = "(b) work order detail";
const C = "(c) write mix";

async function main() {
  const local = await openLocalPostgres(dataDir, say);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mes-bench-"));
  try {
    // Tokens as an identity provider issues them: ES256, verified by every service with its public key.
    const idp = await identityProviderKeys();
    const admin = `Bearer ${await idp.sign({ sub: "bench", org: SCALE_ORG, plants: "*", roles: ["ADMIN"] }, { expiresIn: "2h" })}`;
    const plants = [0, 1].map((p) => scaleId("plant", p));
    // Viewers limited to one plant each: 50 of plant 0 (a2); 25 of each plant, alternating (a3).
    const viewer = async (plant: number, i: number) =>
      `Bearer ${await idp.sign({ sub: `viewer-${plant}-${i}`, org: SCALE_ORG, plants: [plants[plant]!], roles: ["VIEWER"] }, { expiresIn: "2h" })}`;
    const plant0Users = await Promise.all(Array.from({ length: USERS }, (_, i) => viewer(0, i)));
    const plant1Users = await Promise.all(Array.from({ length: USERS / 2 }, (_, i) => viewer(1, i)));
    const usersByPlant = [plant0Users.slice(0, USERS / 2), plant1Users];

    const common = { NODE_ENV: "production", LOG_LEVEL: "warn", AUTH_PUBLIC_KEY: idp.publicKeyPem };
    const readyInit = {
      method: "POST",
      headers: { "content-type": "application/json", authorization: admin },
      body: JSON.stringify({ query: "{ __typename }" }),
    };
    setLogDir(path.join(dataDir, "logs", "bench"));
    say(`service logs in ${path.join(dataDir, "logs", "bench")}`);
    const { pids, sdl } = await startStack(local.serverUrl, tmp, common, readyInit);
    await waitForFeeds();
    const postmaster = postmasterPid(dataDir);
    const roots = { ...pids, ...(postmaster ? { PostgreSQL: postmaster } : {}) };
    const ask = async (port: number, authorization: string, body: string) =>
      (await fetch(gatewayUrl(port), { method: "POST", headers: { "content-type": "application/json", authorization }, body })).text();

    // Data for the scenarios: open work orders (their second operation is in progress).
    const size = scaleSize(1);
    const open = Math.max(50, Math.floor(size.workOrders * 0.05));
    const running: number[][] = [[], []];
    for (let i = size.workOrders - open; i < size.workOrders; i++) if (i % 3 !== 0) running[i % 2]!.push(i);
    const dashboardBody = (plant: number) => JSON.stringify({ query: PLANT_DASHBOARD, variables: { plant: plants[plant] } });
    const detailBodies = running[0]!.slice(0, 100).map((i) => JSON.stringify({ query: WORK_ORDER_DETAIL, variables: { id: scaleId("wo", i) } }));

    // The floor of a request: its SQL (EXPLAIN ANALYZE of the statements its first, uncached
    // execution sent, one after another) plus serializing its answer once.
    const floors: Record<string, number> = {};
    for (const [id, authorization, body] of [
      ["(a)", plant0Users[0]!, dashboardBody(0)],
      ["(b)", admin, detailBodies[0]!],
    ] as const) {
      const marks = SUBGRAPHS.map((n) => captureMark(path.join(tmp, `${n}.sql.jsonl`)));
      const answer = await ask(GATEWAYS.ours, authorization, body);
      await new Promise((r) => setTimeout(r, 300));
      let sqlMs = 0;
      let statements = 0;
      for (const [k, n] of SUBGRAPHS.entries()) {
        const r = await explainCaptured(path.join(tmp, `${n}.sql.jsonl`), databaseUrl(local.serverUrl, databaseName(n)), {
          fromLine: marks[k],
          runs: 3,
        });
        sqlMs += r.totalMs;
        statements += r.statements;
      }
      const data = JSON.parse(answer) as { data: unknown };
      const times: number[] = [];
      for (let i = 0; i < 200; i++) {
        const t = performance.now();
        JSON.stringify(data);
        times.push(performance.now() - t);
      }
      const serializeMs = times.sort((a, b) => a - b)[100]!;
      floors[id] = sqlMs + serializeMs;
      say(
        `floor ${id}: ${statements} distinct SQL statements ${sqlMs.toFixed(2)} ms + serializing ${answer.length.toLocaleString("en-US")} bytes ${serializeMs.toFixed(2)} ms = ${(sqlMs + serializeMs).toFixed(2)} ms`,
      );
    }

    // Same answer from every gateway (and both replicas), or the comparison means nothing.
    const checks: [string, string, string][] = [
      ["dashboard, one admin", admin, dashboardBody(0)],
      ["dashboard, a viewer of plant 0", plant0Users[1]!, dashboardBody(0)],
      ["dashboard, a viewer of plant 1", plant1Users[0]!, dashboardBody(1)],
      ["detail", admin, detailBodies[0]!],
    ];
    for (const [label, authorization, body] of checks) {
      const all = await Promise.all([...Object.values(GATEWAYS), REPLICA_B_PORT].map((p) => ask(p, authorization, body)));
      if (JSON.parse(all[0]!).errors) throw new Error(`${label}: ${all[0]!.slice(0, 500)}`);
      if (new Set(all.map((a) => JSON.stringify(JSON.parse(a).data))).size !== 1) throw new Error(`${label}: the gateways answer differently`);
      say(`${label}: ${all[0]!.length.toLocaleString("en-US")} bytes, the same from every gateway`);
    }

    const plantAnswers = await Promise.all(
      [0, 1].map(async (p) => (JSON.parse(await ask(GATEWAYS.ours, admin, dashboardBody(p))) as { data: never }).data),
    );
    const targets: Target[] = await pickTargets(gatewayUrl(GATEWAYS.ours), admin, plants, plantAnswers, running);
    say(
      `write targets: ${targets.length} (${targets.filter((t) => t.direction === 1).length} running operations, the rest stock of dashboard materials)`,
    );
    // Every write works through every gateway.
    for (const t of targets.slice(0, 1).concat(targets.filter((x) => x.direction === -1).slice(0, 1))) {
      for (const port of [...Object.values(GATEWAYS), REPLICA_B_PORT]) {
        const res = JSON.parse(await ask(port, admin, t.write)) as { errors?: unknown[] };
        if (res.errors) throw new Error(`write through port ${port}: ${JSON.stringify(res.errors).slice(0, 300)}`);
      }
    }
    for (const name of SUBGRAPHS) {
      const r = await explainCaptured(path.join(tmp, `${name}.sql.jsonl`), databaseUrl(local.serverUrl, databaseName(name)));
      say(
        `EXPLAIN ${name}: ${r.statements} statements, slowest ${r.slowest[0]?.ms.toFixed(2) ?? "-"} ms, ` +
          `${r.seqScans.length ? `SEQUENTIAL SCANS: ${r.seqScans.map((s) => `${s.table} (${s.rows} rows) in ${s.sql}`).join("; ")}` : "no sequential scan of a large table"}`,
      );
      if (process.env.BENCH_VERBOSE) for (const s of r.slowest) say(`   ${s.ms.toFixed(2)} ms  ${s.sql}`);
    }
    const critical = await criticalPathFloor(sdl, PLANT_DASHBOARD, { plant: plants[0] }, { authorization: admin });
    floors["(a2)"] = floors["(a3)"] = floors["(a)"]!;
    say(`(a) critical path: ${critical.fetches} subgraph fetches called directly, ${critical.criticalPathMs.toFixed(2)} ms at p50`);

    // (c) as before: logProduction and issueStock in turn, on 200 running operations and 200 materials of plant 0.
    const LOG = `mutation Log($op: ID!) { logProduction(input: { operationId: $op, goodQuantity: 1 }) { id } }`;
    const ISSUE = `mutation Issue($m: ID!, $w: ID!, $p: ID!) { issueStock(input: { materialId: $m, workOrderId: $w, plantId: $p, quantity: 1 }) { __typename } }`;
    const stocked = wanted(C) ? await materialsWithStock(gatewayUrl(GATEWAYS.ours), admin, plants[0]!, size.materials) : [];
    const writeOrder = running[0]!.slice(0, 200).flatMap((i, k) => [
      { authorization: admin, body: JSON.stringify({ query: LOG, variables: { op: scaleId("op", `${i}:1`) } }) },
      {
        authorization: admin,
        body: JSON.stringify({ query: ISSUE, variables: { m: stocked[k % Math.max(1, stocked.length)], w: scaleId("wo", i), p: plants[0] } }),
      },
    ]);
    const requests: Record<string, () => Request> = {
      [A1]: rotate([{ authorization: admin, body: dashboardBody(0) }]),
      [A2]: rotate(plant0Users.map((authorization) => ({ authorization, body: dashboardBody(0) }))),
      [A3]: rotate(
        usersByPlant[0]!.flatMap((u, i) => [u, usersByPlant[1]![i]!].map((authorization, p) => ({ authorization, body: dashboardBody(p) }))),
      ),
      [B]: rotate(detailBodies.map((body) => ({ authorization: admin, body }))),
      [C]: rotate(writeOrder),
    };

    const results: Results = {};
    for (const [scenario, next] of Object.entries(requests).filter(([s]) => wanted(s))) {
      results[scenario] = {};
      // The subgraphs warm up to the scenario through every gateway before any is measured: else
      // the first gateway measured pays for the subgraphs' JIT and pools on this kind of request
      // (seen in (c): 52.7, 42.7 and 38.5 CPU ms per write in the order measured).
      for (const name of GATEWAY_NAMES) await load(gatewayUrl(GATEWAYS[name]), next, { seconds: 2 });
      for (const name of GATEWAY_NAMES) {
        const url = gatewayUrl(GATEWAYS[name]);
        await load(url, next, { seconds: 2 }); // warm up: plan caches, JIT, connection pools, read caches
        const writes = scenario === A3 ? new WriteMix(targets, admin, [url]) : null;
        const before = cpuSnapshot(roots);
        writes?.start(WRITES_PER_SECOND);
        const figures = await load(url, next);
        await writes?.stop();
        const cpu = cpuDelta(before, cpuSnapshot(roots));
        results[scenario][name] = { ...figures, cpu, served: figures.requests + (writes?.writes ?? 0) };
        say(
          `${scenario.padEnd(52)} ${name.padEnd(22)} ${figures.rps.toFixed(0).padStart(5)} req/s  p50 ${String(figures.p50).padStart(4)} ms  p99 ${String(figures.p99).padStart(4)} ms` +
            `${figures.errors ? `  ${figures.errors} errors` : ""}${writes ? `  (${writes.writes} writes, ${writes.errors} failed${writes.firstError ? `: ${writes.firstError}` : ""})` : ""}`,
        );
      }
    }

    // A steady 100 req/s: the latency a plant's screens see when the gateway keeps up. Measured once
    // the followers have applied what the write runs above sent (and a breath for autovacuum): the
    // scenario has no writes, and a backlog left by (c) is not what its screens would see.
    if (wanted(A1) || wanted(A2)) {
      await waitForFeeds();
      await new Promise((r) => setTimeout(r, 5000));
    }
    const paced: Record<string, Partial<Record<GatewayName, Figures>>> = {};
    for (const scenario of [A1, A2].filter(wanted)) {
      paced[scenario] = {};
      for (const name of GATEWAY_NAMES) {
        // The same 2 s warm-up as the throughput runs (the write runs above dropped what was kept).
        await load(gatewayUrl(GATEWAYS[name]), requests[scenario]!, { rate: 100, seconds: 2 });
        paced[scenario][name] = await load(gatewayUrl(GATEWAYS[name]), requests[scenario]!, { rate: 100 });
      }
    }
    // One client at a time: no queueing for a core and nothing to share, so latency minus the
    // critical path is what the gateway itself adds.
    const alone: Partial<Record<GatewayName, Figures>> = {};
    if (wanted(A1))
      for (const name of GATEWAY_NAMES) alone[name] = await load(gatewayUrl(GATEWAYS[name]), requests[A1]!, { seconds: 5, connections: 1 });

    let freshness: Parameters<typeof printFreshness>[0] | undefined;
    if (wanted(A3) || only === "fresh") freshness = await freshnessRun(targets, admin, usersByPlant, requests[A3]!);

    console.log(
      `\nResults (${os.cpus().length} cores, ${os.cpus()[0]?.model ?? "cpu"}; node ${process.version}; ${BENCH_SECONDS} s per run, ${BENCH_CONNECTIONS} connections; ` +
        `read cache ${process.env.READ_CACHE_ENTRIES === undefined ? "as the subgraphs default" : `READ_CACHE_ENTRIES=${process.env.READ_CACHE_ENTRIES}`})\n`,
    );
    printThroughput(results);
    console.log("\nOne user and many users, side by side:\n");
    printOneVersusMany(results, [A1, A2, A3]);
    console.log("");
    for (const [scenario, figures] of Object.entries(paced)) printPaced(`${scenario.slice(0, 4)} at a steady 100 req/s`, figures, scenario === A2);
    if (freshness) printFreshness(freshness);
    console.log(
      `Floor (SQL + serialization, per request): dashboard ${floors["(a)"]!.toFixed(2)} ms, detail ${floors["(b)"]!.toFixed(2)} ms; ` +
        `dashboard critical path (${critical.fetches} subgraph fetches called directly) p50 ${critical.criticalPathMs.toFixed(2)} ms`,
    );
    if (Object.keys(alone).length) {
      console.log(
        `(a) one client at a time, p50 and gateway overhead (p50 minus the critical path): ${Object.entries(alone)
          .map(([n, r]) => `${n} ${r!.p50} ms (+${(r!.p50 - critical.criticalPathMs).toFixed(1)} ms)`)
          .join("; ")}`,
      );
    }
    printCpu(results, floors);
  } finally {
    await stopAll();
    await local.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * (a3) freshness: the (a3) dashboard load on replica A, the write mix through A and B in turn, and
 * read-after-write probes through both, until MIN_PROBES probes (at most BENCH_PROBE_SECONDS).
 */
async function freshnessRun(targets: Target[], admin: string, usersByPlant: string[][], dashboards: () => Request) {
  const replicas = [gatewayUrl(GATEWAYS.ours), gatewayUrl(REPLICA_B_PORT)];
  const maxSeconds = Number(process.env.BENCH_PROBE_SECONDS ?? 300);
  const base = await readBase(replicas[0]!, admin, targets);
  let probes: Probes | undefined;
  const writes = new WriteMix(targets, admin, replicas, (t) => probes?.chase(t));
  probes = new Probes(targets, base, writes, replicas, usersByPlant);
  const started = performance.now();
  const background = startLoad(replicas[0]!, dashboards, { seconds: maxSeconds });
  writes.start(WRITES_PER_SECOND);
  probes.start(Number(process.env.BENCH_PROBERS ?? 16));
  while (probes.count < MIN_PROBES && performance.now() - started < maxSeconds * 1000) await new Promise((r) => setTimeout(r, 200));
  await writes.stop();
  const figures = await probes.stop();
  background.stop();
  const dashboard = await background.done;
  const seconds = (performance.now() - started) / 1000;
  say(`(a3) freshness: dashboards meanwhile ${dashboard.rps.toFixed(0)} req/s, p50 ${dashboard.p50} ms, p99 ${dashboard.p99} ms`);
  return { ...figures, writes: writes.writes, writeErrors: writes.errors, firstWriteError: writes.firstError, seconds };
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

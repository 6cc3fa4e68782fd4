// `pnpm bench:subscriptions`: end-to-end latency from commit to client (p50/p99) and delivered events
// per second, through the gateway, with 1,000 subscribers (on a worker thread, subscribers.ts). Runs the five subgraphs and the gateway
// in this process on a throwaway embedded PostgreSQL. A benchmark, not a test: it prints figures.
// The commit instant is PostgreSQL's own (track_commit_timestamp, of the outbox row's transaction);
// the event's `at`, taken inside the transaction before its statements and COMMIT, is printed too.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import pg from "pg";
import { pino } from "pino";
import { SUBGRAPHS, databaseUrl, ensureDatabase, feedSources, freePort, migrateDeploy, startWaves, urlVariable, type SubgraphName } from "@mes/db";
import { startEmbeddedPostgres } from "@mes/db/embedded";
import { startSubgraph, type RunningSubgraph, type SubgraphConfig } from "@mes/shared";
import { DEFINITIONS as definitions } from "../support/definitions.ts";
import { gatewayEnv, startGateway } from "@mes/gateway";
import { mustQuery } from "../support/graphql.ts";
import { createPlant, createProduct, createWorkOrder } from "../support/fixtures.ts";
import { TEST_AUTH_ENV, actAs, tokenFor } from "../support/auth.ts";
import { testSubgraphConfig } from "../support/stack.ts";

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 50);
const ORG = "bbbbbbbb-0000-4000-8000-000000000001";
actAs({ organizationId: ORG });
const log = pino({ level: "silent" });
const say = (m: string) => console.log(`[bench] ${m}`);
const sortedMs = (ms: number[]) => ms.map((m) => Math.round(m)).sort((a, b) => a - b);
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mes-bench-"));
  fs.chmodSync(tmp, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: path.join(tmp, "data"), port: await freePort(), settings: { track_commit_timestamp: "on" } });
  const running: Partial<Record<SubgraphName, RunningSubgraph<unknown>>> = {};
  let closeTablets = async () => {};
  try {
    say("migrating five databases…");
    await Promise.all(
      SUBGRAPHS.map(async (n) => {
        await ensureDatabase(server.adminUrl, `bench_${n}`);
        await migrateDeploy(n, databaseUrl(server.adminUrl, `bench_${n}`));
      }),
    );
    const config = (n: SubgraphName, extra: Partial<SubgraphConfig> = {}): SubgraphConfig =>
      // "test": tokens are signed with the suites' HS256 secret, which production would refuse.
      testSubgraphConfig(databaseUrl(server.adminUrl, `bench_${n}`), { DB_POOL_MAX: 10, EVENT_POLL_MS: 250, ...extra });
    // Ports first: every subgraph may read every other's feed (reference data).
    const ports = Object.fromEntries(await Promise.all(SUBGRAPHS.map(async (n) => [n, await freePort()] as const))) as Record<SubgraphName, number>;
    for (const wave of startWaves()) {
      for (const n of wave) {
        const feeds = Object.fromEntries(feedSources(n).map((f) => [urlVariable(f), `http://127.0.0.1:${ports[f]}/graphql`]));
        running[n] = await startSubgraph(definitions[n], config(n, { ...feeds, PORT: ports[n] }), log);
      }
    }
    const gw = await startGateway(
      {
        ...gatewayEnv.parse({
          NODE_ENV: "test",
          ...TEST_AUTH_ENV,
          PORT: "4000",
          LOG_LEVEL: "silent",
          SUBSCRIPTIONS_PER_CONNECTION: "1000",
          SUBSCRIPTIONS_PER_USER: "1000",
          ...Object.fromEntries(SUBGRAPHS.map((n) => [urlVariable(n), running[n]!.url])),
        }),
        PORT: 0,
      },
      log,
    );
    const url = gw.url;
    const plant = await createPlant(url, ORG, "BENCH");
    const productId = await createProduct(url, plant, "BENCH-P", 1);
    const orders: { id: string; operations: string[] }[] = [];
    for (let i = 0; i < EVENTS; i++) orders.push(await createWorkOrder(url, productId, `WO-BENCH-${i}`, 1));

    const token = await tokenFor({ organizationId: ORG, roles: ["VIEWER"] });
    // The subscribers run on a worker thread: their parsing and clocks are not on the thread that
    // runs the gateway and the subgraphs (tablets are other devices).
    const tablets = new Worker(new URL("./subscribers.ts", import.meta.url), {
      workerData: { url: url.replace(/^http/, "ws"), token, connections: 10 },
      execArgv: ["--import", "tsx"],
    });
    closeTablets = async () => {
      tablets.postMessage("close");
      await new Promise((r) => tablets.once("exit", r));
    };
    const ask = <T>(msg: unknown) =>
      new Promise<T>((resolve) => {
        tablets.once("message", resolve);
        tablets.postMessage(msg);
      });

    async function run(label: string, variablesOf: (i: number) => Record<string, unknown>, query: string) {
      await ask({ subscribe: { query, variables: Array.from({ length: SUBSCRIBERS }, (_, i) => variablesOf(i)) } });
      let deliveries: [string, number][] = [];
      const expected = SUBSCRIBERS;
      // Wait until every subscription is registered at the gateway.
      const countersUrl = url.replace(/graphql$/, "subscriptions");
      // Up to 2 min (a busy machine registers 1,000 slowly); events before registration are not
      // delivered to a subscriber (it starts at the stream's position), so say it when some are missing.
      for (let t = 0; ; t++) {
        const c = (await (await fetch(countersUrl)).json()) as { active: number; upstreams: number };
        if (c.active >= SUBSCRIBERS || t >= 2400) {
          say(
            `${label}: ${c.active} subscribers${c.active < SUBSCRIBERS ? ` (of ${SUBSCRIBERS}: not all registered in 2 min)` : ""} on ${c.upstreams} upstream subscription(s)`,
          );
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 500));
      const started = performance.now();
      const released = label.startsWith("shared") ? orders.slice(0, EVENTS / 2) : orders.slice(EVENTS / 2);
      for (const wo of released) await mustQuery(url, `mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id: wo.id });
      const want = label.startsWith("shared") ? released.length * expected : released.length * Math.ceil(expected / (EVENTS / 2));
      while (deliveries.length < want && performance.now() - started < 120_000) {
        await new Promise((r) => setTimeout(r, 20));
        deliveries = deliveries.concat((await ask<{ deliveries: [string, number][] }>("collect")).deliveries);
      }
      const seconds = (performance.now() - started) / 1000;
      const received = deliveries.length;
      const committed = await commitTimes();
      const fromCommit = sortedMs(
        deliveries.map(([at, arrived]) => {
          const commit = committed.get(Date.parse(at));
          if (commit === undefined) throw new Error(`no commit time for the event at ${at}`);
          return arrived - commit;
        }),
      );
      const fromChange = sortedMs(deliveries.map(([at, arrived]) => arrived - Date.parse(at)));
      say(
        `${label}: ${received} deliveries of ${released.length} events in ${seconds.toFixed(2)} s = ${(received / seconds).toFixed(0)} deliveries/s; ` +
          `commit->client latency p50 ${pct(fromCommit, 50)} ms, p99 ${pct(fromCommit, 99)} ms (target < 50 ms ${pct(fromCommit, 99) < 50 && received >= want ? "✓" : "✗"}), max ${fromCommit.at(-1)} ms; ` +
          `from the status change inside the transaction (before its COMMIT) p50 ${pct(fromChange, 50)} ms, p99 ${pct(fromChange, 99)} ms`,
      );
      await ask("dispose");
      await new Promise((r) => setTimeout(r, 500));
    }
    /** When each status change's transaction committed (ms), by the change's instant. */
    async function commitTimes(): Promise<Map<number, number>> {
      const db = new pg.Client({ connectionString: databaseUrl(server.adminUrl, "bench_production") });
      await db.connect();
      try {
        const { rows } = await db.query<{ at: string; committed: number }>(
          `SELECT payload->>'at' AS at, extract(epoch FROM pg_xact_commit_timestamp(xmin)) * 1000 AS committed
             FROM "OutboxEvent" WHERE type = 'WorkOrderStatusChanged'`,
        );
        return new Map(rows.map((r) => [Date.parse(r.at), Number(r.committed)]));
      } finally {
        await db.end();
      }
    }

    const fields = `to at workOrder { number status }`;
    await run(
      "shared stream (all subscribers ask the same)",
      () => ({ p: plant.plantId }),
      `subscription($p: ID) { workOrderStatusChanged(plantId: $p) { ${fields} } }`,
    );
    const half = orders.slice(EVENTS / 2);
    await run(
      "distinct streams (one per work order, 1000 subscribers over them)",
      (i) => ({ w: half[i % half.length]!.id }),
      `subscription($w: ID) { workOrderStatusChanged(workOrderId: $w) { ${fields} } }`,
    );
    say(`machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model}; node ${process.version}`);
  } finally {
    await closeTablets();
    for (const r of Object.values(running)) await r!.stop().catch(() => {});
    await server.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

// The chaos stack: one PostgreSQL of its own (so it can be restarted without touching the other
// test files' server), two replicas of every subgraph and two gateways, each a real child process
// (so SIGTERM and kill -9 are real), and a TCP balancer per subgraph in front of its replicas, as
// a Kubernetes Service would be: new connections go to ready replicas only.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { SUBGRAPHS, databaseUrl, ensureDatabase, feedSources, freePort, migrateDeploy, urlVariable, type SubgraphName } from "@mes/db";
import { startEmbeddedPostgres, type PostgresServer } from "@mes/db/embedded";
import { TEST_AUTH_ENV, TEST_FEED_TOKEN } from "./auth.ts";

const root = path.resolve(import.meta.dirname, "..", "..");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Round-robin TCP balancer over the replicas whose /ready answers 200 (checked every 200 ms). */
export class Balancer {
  readonly ready = new Set<number>();
  private next = 0;
  private server: net.Server;
  private timer: NodeJS.Timeout | null = null;
  private sockets = new Set<net.Socket>();
  port = 0;

  constructor(readonly backends: number[]) {
    this.server = net.createServer((client) => this.accept(client));
  }

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.port = (this.server.address() as net.AddressInfo).port;
    const probe = async () => {
      await Promise.all(
        this.backends.map(async (port) => {
          const ok = await fetch(`http://127.0.0.1:${port}/ready`, { signal: AbortSignal.timeout(1000) })
            .then((r) => r.ok)
            .catch(() => false);
          if (ok) this.ready.add(port);
          else this.ready.delete(port);
        }),
      );
      this.timer = setTimeout(probe, 200);
    };
    await probe();
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/graphql`;
  }

  private accept(client: net.Socket): void {
    this.sockets.add(client);
    client.on("close", () => this.sockets.delete(client));
    client.on("error", () => {});
    // Ready replicas first; when none is known ready (all restarting) try every one.
    const ready = this.backends.filter((p) => this.ready.has(p));
    const order = ready.length ? ready : this.backends;
    const start = this.next++ % order.length;
    const candidates = [...order.slice(start), ...order.slice(0, start)];
    const attempt = (i: number) => {
      if (i >= candidates.length || client.destroyed) return client.destroy();
      const upstream = net.connect(candidates[i]!, "127.0.0.1");
      let connected = false;
      upstream.once("connect", () => {
        connected = true;
        this.sockets.add(upstream);
        client.pipe(upstream).pipe(client);
      });
      upstream.on("error", () => {
        if (!connected) attempt(i + 1);
        else client.destroy();
      });
      upstream.on("close", () => {
        this.sockets.delete(upstream);
        if (connected) client.destroy();
      });
      client.on("close", () => upstream.destroy());
    };
    attempt(0);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** One service process on a fixed port, restartable. */
export class ServiceProcess {
  private child: ChildProcess | null = null;
  readonly exits: { code: number | null; signal: string | null }[] = [];

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly entry: string[],
    private readonly env: Record<string, string>,
    private readonly logFile: string,
  ) {}

  get running(): boolean {
    return this.child !== null;
  }

  start(): void {
    const log = fs.openSync(this.logFile, "a");
    const child = spawn(process.execPath, ["--import", "tsx", ...this.entry], {
      cwd: root,
      env: { PATH: process.env.PATH, ...this.env, PORT: String(this.port) },
      stdio: ["ignore", log, log],
    });
    fs.closeSync(log);
    child.once("exit", (code, signal) => {
      this.exits.push({ code, signal });
      if (this.child === child) this.child = null;
    });
    this.child = child;
  }

  async waitReady(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < deadline) {
      if (!this.child) throw new Error(`${this.name} exited before it was ready (see ${this.logFile})`);
      const res = await fetch(`http://127.0.0.1:${this.port}/ready`, { signal: AbortSignal.timeout(2000) }).catch(() => null);
      if (res?.ok) return;
      last = res ? await res.text() : "not listening";
      await sleep(200);
    }
    throw new Error(`${this.name} was not ready after ${timeoutMs} ms: ${last.slice(0, 500)} (see ${this.logFile})`);
  }

  /** Sends the signal and waits for the exit; its exit code (null when killed by the signal). */
  async signal(sig: "SIGTERM" | "SIGKILL", timeoutMs = 30_000): Promise<number | null> {
    const child = this.child;
    if (!child) return null;
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    child.kill(sig);
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  }
}

export interface ChaosStack {
  dir: string;
  adminUrl: string;
  dbUrls: Record<SubgraphName, string>;
  gateways: ServiceProcess[];
  gatewayUrls: string[];
  replicas: Record<SubgraphName, ServiceProcess[]>;
  balancers: Record<SubgraphName, Balancer>;
  restartPostgres(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startChaosStack(opts: { replicas?: number; gateways?: number; gatewayEnv?: Record<string, string> } = {}): Promise<ChaosStack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mes-chaos-"));
  fs.chmodSync(dir, 0o755); // as root, PostgreSQL runs as an unprivileged user that must enter it
  const pgPort = await freePort();
  const startPg = () => startEmbeddedPostgres({ dataDir: path.join(dir, "pg"), port: pgPort });
  let pg: PostgresServer | null = await startPg();
  const adminUrl = pg.adminUrl;
  const dbUrls = {} as Record<SubgraphName, string>;
  await Promise.all(
    SUBGRAPHS.map(async (name) => {
      await ensureDatabase(adminUrl, `chaos_${name}`);
      dbUrls[name] = databaseUrl(adminUrl, `chaos_${name}`);
      await migrateDeploy(name, dbUrls[name]);
    }),
  );

  const replicas = {} as Record<SubgraphName, ServiceProcess[]>;
  const balancers = {} as Record<SubgraphName, Balancer>;
  for (const name of SUBGRAPHS) {
    const ports = await Promise.all(Array.from({ length: opts.replicas ?? 2 }, () => freePort()));
    balancers[name] = new Balancer(ports);
    await balancers[name].start();
  }
  const common = { NODE_ENV: "test", LOG_LEVEL: "warn", ...TEST_AUTH_ENV };
  for (const name of SUBGRAPHS) {
    // Every subgraph may read every other's feed (effects and reference data), through its balancer.
    const feeds = Object.fromEntries(feedSources(name).map((f) => [urlVariable(f), balancers[f].url]));
    replicas[name] = balancers[name].backends.map(
      (port, i) =>
        new ServiceProcess(
          `${name}#${i + 1}`,
          port,
          ["subgraphs/shared/src/main.ts", name],
          {
            ...common,
            DATABASE_URL: dbUrls[name],
            DB_POOL_MAX: "5",
            // Already migrated; on a restart this applies what a newer checkout added (both replicas may try: locked).
            MIGRATE_ON_START: "true",
            EVENT_POLL_MS: "100",
            EVENT_FEED_TOKEN: TEST_FEED_TOKEN,
            PM_CHECK_INTERVAL_MS: "0",
            ...feeds,
          },
          path.join(dir, `${name}-${i + 1}.log`),
        ),
    );
  }
  const urls = Object.fromEntries(SUBGRAPHS.map((n) => [urlVariable(n), balancers[n].url]));
  const gateways = await Promise.all(
    Array.from(
      { length: opts.gateways ?? 2 },
      async (_, i) =>
        new ServiceProcess(
          `gateway#${i + 1}`,
          await freePort(),
          ["gateway/src/main.ts"],
          { ...common, ...urls, ...opts.gatewayEnv },
          path.join(dir, `gateway-${i + 1}.log`),
        ),
    ),
  );
  const all = [...Object.values(replicas).flat(), ...gateways];
  try {
    // Subgraphs, then gateways: twelve processes compiling at once on a small machine take minutes.
    for (const s of Object.values(replicas).flat()) s.start();
    await Promise.all(
      Object.values(replicas)
        .flat()
        .map((s) => s.waitReady(300_000)),
    );
    for (const g of gateways) g.start();
    await Promise.all(gateways.map((g) => g.waitReady(300_000)));
  } catch (err) {
    await Promise.all(all.map((s) => s.signal("SIGKILL")));
    await pg.stop();
    throw err;
  }

  return {
    dir,
    adminUrl,
    dbUrls,
    gateways,
    gatewayUrls: gateways.map((g) => `http://127.0.0.1:${g.port}/graphql`),
    replicas,
    balancers,
    async restartPostgres(downMs = 1000) {
      await pg?.stop();
      pg = null;
      await sleep(downMs);
      pg = await startPg();
    },
    async stop() {
      await Promise.all(all.map((s) => s.signal("SIGTERM", 15_000)));
      await Promise.all(Object.values(balancers).map((b) => b.stop()));
      await pg?.stop();
      // Logs stay when CHAOS_KEEP_LOGS is set, for reading after a failure.
      if (!process.env.CHAOS_KEEP_LOGS) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

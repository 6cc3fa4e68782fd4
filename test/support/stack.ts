import { pino, type Logger } from "pino";
import { SUBGRAPHS, feedSources, freePort, startWaves, urlVariable, type SubgraphName } from "@mes/db";
import { startSubgraph, subgraphEnv, type RunningSubgraph, type SubgraphConfig } from "@mes/shared";
import { startGateway } from "@mes/gateway";
import { gatewayEnv } from "@mes/gateway";
import { createTestDatabases } from "./databases.ts";
import { DEFINITIONS } from "./definitions.ts";
import { TEST_AUTH_ENV, TEST_FEED_TOKEN } from "./auth.ts";

export { DEFINITIONS } from "./definitions.ts";

export const silentLogger = (): Logger => pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });

/**
 * A subgraph's configuration for tests, parsed by the service's own schema (so its defaults and
 * every new setting apply here too): test tokens and feed secret, a small pool, fast polling.
 */
export function testSubgraphConfig(databaseUrl: string, overrides: Partial<SubgraphConfig> = {}): SubgraphConfig {
  const parsed = subgraphEnv.parse({
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    PORT: "1", // replaced by 0 below: a free port (the schema's minimum is for real deployments)
    DATABASE_URL: databaseUrl,
    DB_POOL_MAX: "5",
    MIGRATE_ON_START: "false",
    EVENT_POLL_MS: "20",
    EVENT_FEED_TOKEN: TEST_FEED_TOKEN,
    ...TEST_AUTH_ENV,
  });
  return { ...parsed, PORT: 0, ...overrides };
}

export interface TestStack {
  gatewayUrl: string;
  subgraphs: Record<SubgraphName, RunningSubgraph<any>>;
  stop(): Promise<void>;
}

/** All five subgraphs and the gateway on free ports, each subgraph on its own fresh database. */
export async function startTestStack(
  opts: { seed?: boolean; log?: Logger; gatewayEnv?: Record<string, string>; subgraphConfig?: Partial<SubgraphConfig> } = {},
): Promise<TestStack> {
  const dbs = await createTestDatabases();
  const log = opts.log ?? silentLogger();
  const running = {} as Record<SubgraphName, RunningSubgraph<any>>;
  try {
    // Ports first: every subgraph may read every other's feed (reference data), in any start order.
    const ports = Object.fromEntries(await Promise.all(SUBGRAPHS.map(async (n) => [n, await freePort()] as const))) as Record<SubgraphName, number>;
    const urlOf = (n: SubgraphName) => `http://127.0.0.1:${ports[n]}/graphql`;
    // In registry waves: a subgraph starts after those whose event feeds it follows.
    const start = async (name: SubgraphName) => {
      const feeds = Object.fromEntries(feedSources(name).map((f) => [urlVariable(f), urlOf(f)]));
      running[name] = await startSubgraph(
        DEFINITIONS[name],
        testSubgraphConfig(dbs.urls[name], { SEED_DEMO: opts.seed ?? false, ...feeds, ...opts.subgraphConfig, PORT: ports[name] }),
        log.child({ service: name }),
      );
    };
    for (const wave of startWaves()) await Promise.all(wave.map(start));
    const gatewayConfig = gatewayEnv.parse({
      NODE_ENV: "test",
      PORT: "4000",
      ...TEST_AUTH_ENV,
      ...Object.fromEntries(SUBGRAPHS.map((n) => [urlVariable(n), running[n].url])),
      ...opts.gatewayEnv,
    });
    // PORT 0 asks the OS for a free port; the schema's minimum is for real deployments.
    const gateway = await startGateway({ ...gatewayConfig, PORT: 0 }, log.child({ service: "gateway" }));
    return {
      gatewayUrl: gateway.url,
      subgraphs: running,
      async stop() {
        await gateway.stop();
        await Promise.all(Object.values(running).map((s) => s.stop()));
        await dbs.drop();
      },
    };
  } catch (err) {
    await Promise.all(Object.values(running).map((s) => s.stop().catch(() => {})));
    await dbs.drop().catch(() => {});
    throw err;
  }
}

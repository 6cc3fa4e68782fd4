import { ConfigError, createLogger, initTracing, loadConfig, shutdownTracing, stopOnSignals } from "@mes/shared";
import { gatewayEnv } from "./config.ts";
import { startGateway } from "./gateway.ts";
import type { GatewayConfig } from "./config.ts";

let config: GatewayConfig;
try {
  config = loadConfig("gateway", gatewayEnv);
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(2);
  }
  throw err;
}
const log = createLogger("gateway", config.LOG_LEVEL);
try {
  if (initTracing("gateway", config)) log.info("tracing on: spans are exported (OTEL_* variables)");
  const running = await startGateway(config, log);
  stopOnSignals(
    log,
    async () => {
      await running.stop();
      await shutdownTracing();
    },
    config.SHUTDOWN_TIMEOUT_MS,
  );
} catch (err) {
  log.fatal({ err }, "gateway failed to start");
  process.exit(1);
}

import fs from "node:fs";
import { startSubgraph } from "@mes/shared";
import { inventory } from "@mes/inventory";
import { pino } from "pino";
import { testSubgraphConfig } from "./support/stack.ts";
const f = JSON.parse(fs.readFileSync("/tmp/fetches.json", "utf8")).find((x: { url: string }) => x.url.includes("4005"));
const { DEVELOPMENT_AUTH_SECRET } = await import("@mes/shared");
const running = await startSubgraph(
  inventory,
  {
    ...testSubgraphConfig("postgresql://mes:mes-dev-only@127.0.0.1:54329/mes_inventory"),
    AUTH_DEV_SECRET: DEVELOPMENT_AUTH_SECRET,
    AUTH_ISSUER: "mes-dev",
    DB_POOL_MAX: 10,
  },
  pino({ level: "silent" }),
);
const auth = `Bearer ${fs.readFileSync("/tmp/T", "utf8").trim()}`;
const send = () =>
  fetch(running.url, { method: "POST", headers: { "content-type": "application/json", authorization: auth }, body: f.body }).then((r) => r.text());
for (let i = 0; i < 30; i++) await send();
const t = performance.now();
for (let i = 0; i < Number(process.env.N ?? 100); i++) await send();
console.log("per request", ((performance.now() - t) / Number(process.env.N ?? 100)).toFixed(2), "ms", (await send()).slice(0, 200));
await running.stop();

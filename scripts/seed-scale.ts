// `pnpm seed:scale [--scale 1]`: fills the local databases (those `pnpm start` serves) with the
// scale data set of scripts/scale-data.ts, for benchmarks and EXPLAIN. --scale 0.1 is a tenth.
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { SUBGRAPHS, databaseUrl, ensureDatabase, migrateDeploy } from "@mes/db";
import { openLocalPostgres } from "./local-postgres.ts";
import { SCALE_ORG, scaleSize, scaleSteps } from "./scale-data.ts";
import { republishStatements } from "@mes/shared";

const root = path.resolve(import.meta.dirname, "..");
const dataDir = path.resolve(root, process.env.MES_DATA_DIR ?? ".data");
const say = (m: string) => console.log(`[scale] ${m}`);
const BATCH = 50_000;

const { values } = parseArgs({ options: { scale: { type: "string", default: "1" } } });
const factor = Number(values.scale);
if (!Number.isFinite(factor) || factor <= 0 || factor > 10) {
  console.error("usage: pnpm seed:scale [--scale <factor, 0.01-10; 1 = the full set>]");
  process.exit(2);
}

function progress(label: string, done: number, total: number, started: number) {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const line =
    `  ${label.padEnd(38)} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(Math.round((done / total) * 100)).padStart(3)}% ` +
    `${done.toLocaleString("en-US")}/${total.toLocaleString("en-US")}  ${((performance.now() - started) / 1000).toFixed(1)} s`;
  if (process.stdout.isTTY) process.stdout.write(`\r${line}${done === total ? "\n" : ""}`);
  else if (done === total) console.log(line);
}

const local = await openLocalPostgres(dataDir, say);
const started = performance.now();
try {
  const size = scaleSize(factor);
  say(
    `scale ${factor}: ${size.machinesPerPlant * size.plants} machines, ${size.materials} materials, ${size.workOrders} work orders, ` +
      `${size.stockTransactions} stock transactions, ${size.productionLogs} production logs, ${size.historyDays} days of machine history`,
  );
  const steps = scaleSteps(size);
  for (const name of SUBGRAPHS) {
    await ensureDatabase(local.serverUrl, `mes_${name}`);
    await migrateDeploy(name, databaseUrl(local.serverUrl, `mes_${name}`));
  }
  for (const name of SUBGRAPHS) {
    const client = new pg.Client({ connectionString: databaseUrl(local.serverUrl, `mes_${name}`), application_name: "mes-seed-scale" });
    await client.connect();
    try {
      say(`${name}:`);
      // One transaction per database: a failure leaves nothing half-written. Bulk rows are not
      // user changes: no audit rows and no per-row trigger or foreign-key work (replica mode).
      await client.query("BEGIN");
      await client.query("SET LOCAL session_replication_role = replica");
      for (const step of steps[name] ?? []) {
        const t = performance.now();
        for (let from = 0; from < step.rows; from += BATCH) {
          const to = Math.min(step.rows, from + BATCH);
          await client.query(step.sql(from, to));
          progress(step.label, to, step.rows, t);
        }
      }
      await client.query("COMMIT");
      // Replica mode skipped the triggers: announce the new entities to the other subgraphs' copies.
      for (const statement of republishStatements(name)) await client.query(statement);
      await client.query("ANALYZE");
    } catch (err) {
      await client.query("ROLLBACK").catch(() => {});
      if ((err as { code?: string }).code === "23505") {
        throw new Error(`${name} already holds scale data (organization ${SCALE_ORG}); delete .data to start over`);
      }
      throw err;
    } finally {
      await client.end();
    }
  }
  say(
    `done in ${((performance.now() - started) / 1000).toFixed(0)} s. Organization ${SCALE_ORG}; sign in with ` +
      `pnpm sign-in --role admin --org ${SCALE_ORG}`,
  );
} finally {
  await local.stop();
}

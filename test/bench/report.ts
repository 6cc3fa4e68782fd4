// The tables `pnpm bench` prints at the end (Markdown, ready for docs/benchmarks.md): figures per
// scenario and gateway with the ratios and each target's ✓/✗, one user next to many, and CPU
// milliseconds per request of every process next to the floor.
import type { GatewayName } from "./processes.ts";
import type { Figures } from "./load.ts";
import type { ProbeFigures } from "./freshness.ts";

export interface Run extends Figures {
  /** CPU ms of each process during the run. */
  cpu: Record<string, number>;
  /** Requests the CPU is divided by (the write mix's writes included). */
  served: number;
}

export type Results = Record<string, Partial<Record<GatewayName, Run>>>;

/** Throughput targets of issue 16: ours ÷ stock and ours ÷ Hive, by scenario id. */
export const TARGETS: Record<string, { stock: number; hive: number }> = {
  "(a2)": { stock: 5, hive: 5 },
  "(a3)": { stock: 3, hive: 3 },
  "(b)": { stock: 2, hive: 1.5 },
  "(c)": { stock: 1.3, hive: 1.3 },
};
export const PACED_P99_TARGET_MS = 100;
export const MIN_PROBES = Number(process.env.BENCH_PROBES ?? 10_000);

const mark = (ok: boolean) => (ok ? "✓" : "✗");
const ratioText = (r: number, target?: number) => `${r.toFixed(2)}×${target ? ` (≥ ${target}× ${mark(r >= target)})` : ""}`;
const idOf = (scenario: string) => scenario.match(/^\([a-z0-9]+\)/)?.[0] ?? scenario;
const cpuPerRequest = (run: Run) => Object.values(run.cpu).reduce((s, v) => s + v, 0) / Math.max(1, run.served);

export function printThroughput(results: Results): void {
  console.log("| scenario | gateway | req/s | p50 ms | p99 ms | errors | CPU ms/request (all processes) | vs stock | vs Hive |");
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const [scenario, row] of Object.entries(results)) {
    const target = TARGETS[idOf(scenario)];
    for (const [name, r] of Object.entries(row) as [GatewayName, Run][]) {
      const stock = row["stock @apollo/gateway"];
      const hive = row["Hive Gateway"];
      const ours = name === "ours";
      // No ratio to a run that answered nothing (a starved machine), rather than "Infinity×".
      const vs = (other: Run | undefined, t?: number) => (other?.rps ? ratioText(r.rps / other.rps, ours ? t : undefined) : "-");
      console.log(
        `| ${scenario} | ${name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.errors} | ${cpuPerRequest(r).toFixed(1)} | ${vs(stock, target?.stock)} | ${vs(hive, target?.hive)} |`,
      );
    }
  }
}

/** The dashboard asked by one user and by many, each gateway on one row. */
export function printOneVersusMany(results: Results, scenarios: string[]): void {
  const present = scenarios.filter((s) => results[s]);
  if (present.length < 2) return;
  console.log(`| gateway | ${present.map((s) => `${s}: req/s, p50/p99 ms, CPU ms/req`).join(" | ")} |`);
  console.log(`|---|${present.map(() => "---").join("|")}|`);
  for (const name of Object.keys(results[present[0]!]!) as GatewayName[]) {
    const cells = present.map((s) => {
      const r = results[s]![name];
      return r ? `${r.rps.toFixed(0)}, ${r.p50}/${r.p99}, ${cpuPerRequest(r).toFixed(1)}` : "-";
    });
    console.log(`| ${name} | ${cells.join(" | ")} |`);
  }
}

/** Per scenario: each process's CPU ms per request, one column per gateway under load. */
export function printCpu(results: Results, floors: Record<string, number>): void {
  for (const [scenario, row] of Object.entries(results)) {
    const runs = Object.entries(row) as [GatewayName, Run][];
    if (!runs.length) continue;
    console.log(`\n${scenario}: CPU ms per request (writes included), by process`);
    console.log(`| process | ${runs.map(([n]) => `${n} under load`).join(" | ")} |`);
    console.log(`|---|${runs.map(() => "---").join("|")}|`);
    for (const proc of Object.keys(runs[0]![1].cpu)) {
      console.log(`| ${proc} | ${runs.map(([, r]) => ((r.cpu[proc] ?? 0) / Math.max(1, r.served)).toFixed(2)).join(" | ")} |`);
    }
    console.log(`| **total** | ${runs.map(([, r]) => `**${cpuPerRequest(r).toFixed(1)}**`).join(" | ")} |`);
    const floor = floors[idOf(scenario)];
    if (floor !== undefined) console.log(`| floor (SQL + serialization) | ${runs.map(() => floor.toFixed(2)).join(" | ")} |`);
  }
}

export function printPaced(label: string, paced: Partial<Record<GatewayName, Figures>>, withTarget: boolean): void {
  const parts = Object.entries(paced).map(([n, r]) => {
    const ok = withTarget && n === "ours" ? ` (< ${PACED_P99_TARGET_MS} ms ${mark(r!.p99 < PACED_P99_TARGET_MS)})` : "";
    return `${n} ${r!.rps.toFixed(0)} req/s, p50 ${r!.p50} ms, p99 ${r!.p99} ms${ok}${r!.errors ? `, ${r!.errors} errors` : ""}`;
  });
  console.log(`${label}: ${parts.join("; ")}`);
}

export function printFreshness(f: ProbeFigures & { writes: number; writeErrors: number; firstWriteError: string; seconds: number }): void {
  const enough = f.probes >= MIN_PROBES;
  console.log(
    `(a3) freshness, our replicas A and B: ${f.probes.toLocaleString("en-US")} read-after-write probes in ${f.seconds.toFixed(0)} s ` +
      `(≥ ${MIN_PROBES.toLocaleString("en-US")} ${mark(enough)}), stale ${f.stale} (0 ${mark(f.stale === 0 && enough)}), ` +
      `more writes than sent ${f.impossible}, failed reads ${f.errors}; probe read p50 ${f.p50.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms; ` +
      `${f.writes} writes, ${f.writeErrors} failed`,
  );
  if (f.firstProblem) console.log(`   first problem: ${f.firstProblem}`);
  if (f.firstWriteError) console.log(`   first failed write: ${f.firstWriteError}`);
}

// EXPLAIN ANALYZE of what the subgraphs really sent (captured with SQL_CAPTURE) on the scale data:
// every statement's plan is checked for sequential scans of large tables (a missing index).
import fs from "node:fs";
import pg from "pg";

export interface ExplainReport {
  statements: number;
  /** Execution time of all of them, one after another (the best of `runs`). */
  totalMs: number;
  slowest: { ms: number; sql: string }[];
  seqScans: { table: string; rows: number; sql: string }[];
}

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  Plans?: PlanNode[];
}

/** Lines of a capture file so far: statements captured after this mark belong to what runs next. */
export const captureMark = (file: string): number => (fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean).length : 0);

export async function explainCaptured(
  file: string,
  databaseUrl: string,
  opts: { largeRows?: number; fromLine?: number; toLine?: number; runs?: number } = {},
): Promise<ExplainReport> {
  const largeRows = opts.largeRows ?? 10_000;
  const lines = (fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean) : []).slice(opts.fromLine ?? 0, opts.toLine);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const report: ExplainReport = { statements: 0, totalMs: 0, slowest: [], seqScans: [] };
  try {
    const sizes = new Map<string, number>(
      (await client.query(`SELECT relname, reltuples::bigint AS n FROM pg_class WHERE relkind = 'r'`)).rows.map((r) => [r.relname, Number(r.n)]),
    );
    for (const line of lines) {
      const { text, values } = JSON.parse(line) as { text: string; values?: unknown[] };
      // Reads only: EXPLAIN ANALYZE runs the statement, and a data-modifying CTE would write.
      if (!/^\s*(SELECT|WITH)\b/i.test(text) || /set_config|pg_advisory|pg_notify|FOR UPDATE|\b(INSERT|UPDATE|DELETE)\b/i.test(text)) continue;
      report.statements += 1;
      let plan: { Plan: PlanNode; "Execution Time": number } | undefined;
      for (let run = 0; run < (opts.runs ?? 1); run++) {
        const { rows } = await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, values ?? []);
        const p = rows[0]["QUERY PLAN"][0] as { Plan: PlanNode; "Execution Time": number };
        if (!plan || p["Execution Time"] < plan["Execution Time"]) plan = p;
      }
      if (!plan) continue;
      report.totalMs += plan["Execution Time"];
      report.slowest.push({ ms: plan["Execution Time"], sql: text.replace(/\s+/g, " ").slice(0, 140) });
      const walk = (node: PlanNode) => {
        if (node["Node Type"] === "Seq Scan" && (sizes.get(node["Relation Name"]!) ?? 0) > largeRows) {
          report.seqScans.push({
            table: node["Relation Name"]!,
            rows: sizes.get(node["Relation Name"]!)!,
            sql: text.replace(/\s+/g, " ").slice(0, 140),
          });
        }
        node.Plans?.forEach(walk);
      };
      walk(plan.Plan);
    }
  } finally {
    await client.end();
  }
  report.slowest.sort((a, b) => b.ms - a.ms).splice(5);
  return report;
}

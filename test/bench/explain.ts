// EXPLAIN ANALYZE of what the subgraphs really sent (captured with SQL_CAPTURE) on the scale data:
// every statement's plan is checked for sequential scans of large tables (a missing index).
import fs from "node:fs";
import pg from "pg";

export interface ExplainReport {
  statements: number;
  slowest: { ms: number; sql: string }[];
  seqScans: { table: string; rows: number; sql: string }[];
}

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  Plans?: PlanNode[];
}

export async function explainCaptured(file: string, databaseUrl: string, largeRows = 10_000): Promise<ExplainReport> {
  const lines = fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const report: ExplainReport = { statements: 0, slowest: [], seqScans: [] };
  try {
    const sizes = new Map<string, number>(
      (await client.query(`SELECT relname, reltuples::bigint AS n FROM pg_class WHERE relkind = 'r'`)).rows.map((r) => [r.relname, Number(r.n)]),
    );
    for (const line of lines) {
      const { text, values } = JSON.parse(line) as { text: string; values?: unknown[] };
      if (!/^\s*(SELECT|WITH)\b/i.test(text) || /set_config|pg_advisory|pg_notify|FOR UPDATE/i.test(text)) continue;
      report.statements += 1;
      const { rows } = await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, values ?? []);
      const plan = rows[0]["QUERY PLAN"][0] as { Plan: PlanNode; "Execution Time": number };
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

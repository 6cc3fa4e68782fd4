// Judges fuzz results and writes the summary: what failed, grouped by subgraph and root field.
import fs from "node:fs";
import { SUPERGRAPH_PATH } from "../../gateway/src/composition.ts";
import { namesField, type FuzzCase } from "./fuzz-cases.ts";
import { describeWrites, internalErrors, storedOtherwise, type Answer, type Written } from "./fuzz-runner.ts";

export interface FuzzResult {
  c: FuzzCase;
  answer: Answer;
  written: Written[];
}

export type FailureKind = "500" | "written" | "accepted" | "unnamed field" | "stored otherwise";

export interface Failure {
  kind: FailureKind;
  result: FuzzResult;
  detail: string;
}

const clip = (s: string, n = 160) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** What is wrong with one answer; `baselineAccepted` tells whether a refusal can be blamed on the fuzzed value alone. */
export function failuresOf(r: FuzzResult, baselineAccepted: boolean): Failure[] {
  const out: Failure[] = [];
  const { c, answer } = r;
  const internal = internalErrors(answer);
  if (internal.length) out.push({ kind: "500", result: r, detail: `${answer.status}: ${clip(internal[0]!.message)}` });
  const refuse = c.expect === "refuse";
  if ((refuse || c.kind === "query") && r.written.length) out.push({ kind: "written", result: r, detail: describeWrites(r.written) });
  if (refuse && !answer.errors.length) out.push({ kind: "accepted", result: r, detail: clip(JSON.stringify(answer.data)) });
  const badInput = answer.errors.filter((e) => e.code === "BAD_USER_INPUT");
  if (refuse && baselineAccepted && badInput.length && !namesField(badInput, c.names)) {
    const named = badInput.flatMap((e) => e.fields?.map((f) => f.field) ?? [clip(e.message, 100)]);
    out.push({ kind: "unnamed field", result: r, detail: `named ${named.join(", ")}` });
  }
  if (c.exact !== undefined && !answer.errors.length) {
    const stored = storedOtherwise(r.written, String(c.site.path.at(-1)), c.exact);
    if (stored?.length) out.push({ kind: "stored otherwise", result: r, detail: `sent ${c.exact}, stored ${[...new Set(stored)].join(", ")}` });
  }
  return out;
}

/**
 * `foreign references accepted (issue 12): <n>`: mutations that accepted an unknown id, or one of
 * another type, where it names another subgraph's entity (not a failure until issue 12 is built),
 * each as "mutation field (cases)". A second line names those refused only as a CONFLICT: their
 * baseline had used up the state they needed, so they tell nothing about the reference.
 */
export function foreignAccepted(results: FuzzResult[]): string[] {
  const foreign = results.filter((r) => r.c.foreign);
  const accepted = foreign.filter((r) => !r.answer.errors.length);
  const conflicted = foreign.filter((r) => r.answer.errors.length && r.answer.errors.every((e) => e.code === "CONFLICT"));
  const sites = (rs: FuzzResult[]) => {
    const bySite = new Map<string, number>();
    for (const r of rs) bySite.set(`${r.c.field.name} ${r.c.names[0]}`, (bySite.get(`${r.c.field.name} ${r.c.names[0]}`) ?? 0) + 1);
    return [...bySite].sort(([a], [b]) => a.localeCompare(b)).map(([site, n]) => `${site} (${n})`);
  };
  const listed = sites(accepted);
  return [
    `foreign references accepted (issue 12): ${accepted.length} of ${foreign.length} sent${listed.length ? `: ${listed.join(", ")}` : ""}`,
    ...(conflicted.length ? [`  not reached (CONFLICT: the baseline used up the state): ${sites(conflicted).join(", ")}`] : []),
  ];
}

/** The subgraph that owns each Query and Mutation field, from the committed supergraph. */
export function ownerOfRootFields(): Map<string, string> {
  const owners = new Map<string, string>();
  let inRoot = false;
  for (const line of fs.readFileSync(SUPERGRAPH_PATH, "utf8").split("\n")) {
    if (/^type (Query|Mutation)\b/.test(line)) inRoot = true;
    else if (line.startsWith("}")) inRoot = false;
    const m = inRoot ? /^\s+(\w+)[(:].*@join__field\(graph: (\w+)/.exec(line) : null;
    if (m) owners.set(m[1]!, m[2]!.toLowerCase());
  }
  return owners;
}

/** The failing (field, site, value class) lines, grouped by subgraph and field. */
export function failureReport(failures: Failure[]): string {
  const owners = ownerOfRootFields();
  const groups = new Map<string, Map<string, string[]>>();
  for (const f of failures) {
    const field = f.result.c.field.name;
    const sg = owners.get(field) ?? "?";
    if (!groups.has(sg)) groups.set(sg, new Map());
    const byField = groups.get(sg)!;
    if (!byField.has(field)) byField.set(field, []);
    byField.get(field)!.push(`    [${f.kind}] ${f.result.c.names[0]} = ${f.result.c.cls}: ${f.detail}`);
  }
  const lines: string[] = [];
  for (const [sg, byField] of [...groups].sort()) {
    lines.push(`${sg}:`);
    for (const [field, items] of [...byField].sort()) lines.push(`  ${field} (${items.length})`, ...items);
  }
  return lines.join("\n");
}

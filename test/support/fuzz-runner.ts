// Sends fuzz cases and finds what each one wrote: every request carries its own x-request-id, which
// the gateway passes to the subgraphs and the audit trigger and outbox record with every row.
import type { TestStack } from "./stack.ts";
import { bearer, type TestCaller } from "./auth.ts";

export interface FuzzError {
  message: string;
  code?: string;
  fields?: { field: string; message: string }[];
}

export interface Answer {
  status: number;
  errors: FuzzError[];
  data: unknown;
  ms: number;
}

const NEG_ZERO = "__fuzz_negative_zero__";

/** POSTs one operation; -0 is sent as the JSON number -0 (JSON.stringify would write 0). */
export async function send(url: string, query: string, variables: Record<string, unknown>, caller: TestCaller, requestId: string): Promise<Answer> {
  const body = JSON.stringify({ query, variables }, (_k, v) => (Object.is(v, -0) ? NEG_ZERO : v)).replaceAll(`"${NEG_ZERO}"`, "-0");
  const started = performance.now();
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-request-id": requestId, ...(await bearer(caller)) },
    body,
  });
  const text = await res.text();
  const ms = performance.now() - started;
  let parsed: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  try {
    parsed = JSON.parse(text);
  } catch {
    // A transport refusal (413 and the like) is still a refusal; a 5xx is counted as one by its status.
    return { status: res.status, errors: [{ message: `HTTP ${res.status}: ${text.slice(0, 120)}`, code: `HTTP_${res.status}` }], data: null, ms };
  }
  const errors = (parsed.errors ?? []).map((e) => ({
    message: e.message,
    code: typeof e.extensions?.code === "string" ? e.extensions.code : undefined,
    fields: Array.isArray(e.extensions?.fields) ? (e.extensions.fields as FuzzError["fields"]) : undefined,
  }));
  return { status: res.status, errors, data: parsed.data ?? null, ms };
}

/** A 500 in any form: a 5xx status, INTERNAL_SERVER_ERROR, or an error without a code. */
export function internalErrors(a: Answer): FuzzError[] {
  const bad = a.errors.filter((e) => !e.code || e.code === "INTERNAL_SERVER_ERROR");
  return a.status >= 500 && !bad.length ? [{ message: `HTTP ${a.status}`, code: `HTTP_${a.status}` }] : bad;
}

/** One row a request wrote: an audited change or an outbox event. */
export interface Written {
  subgraph: string;
  what: string;
  after: Record<string, unknown> | null;
}

/**
 * New AuditLog and OutboxEvent rows of every subgraph since the last look, by request id. Rows of
 * requests this suite did not send (event followers applying earlier events, periodic tasks) are
 * kept under their own request id too.
 */
export class WriteLog {
  private last = new Map<string, { audit: string; outbox: string }>();
  readonly byRequest = new Map<string, Written[]>();

  constructor(private readonly stack: TestStack) {}

  private pools() {
    return Object.entries(this.stack.subgraphs).map(([name, sg]) => [name, sg.pool] as const);
  }

  /** Starts counting from now: earlier rows are not anybody's. */
  async mark(): Promise<void> {
    for (const [name, pool] of this.pools()) {
      const { rows } = await pool.query(
        `SELECT (SELECT coalesce(max(id), 0) FROM "AuditLog")::text AS audit, (SELECT coalesce(max(id), 0) FROM "OutboxEvent")::text AS outbox`,
      );
      this.last.set(name, rows[0]);
    }
  }

  /** Reads the rows written since the last look; returns how many. */
  async collect(): Promise<number> {
    let total = 0;
    await Promise.all(
      this.pools().map(async ([name, pool]) => {
        const since = this.last.get(name)!;
        const audit = await pool.query(
          `SELECT id::text, "requestId", entity, action, operation, after FROM "AuditLog" WHERE id > $1::bigint ORDER BY id`,
          [since.audit],
        );
        const outbox = await pool.query(`SELECT id::text, "requestId", type FROM "OutboxEvent" WHERE id > $1::bigint ORDER BY id`, [since.outbox]);
        for (const r of audit.rows) this.add(r.requestId, { subgraph: name, what: `${r.entity} ${r.action}`, after: r.after });
        for (const r of outbox.rows) this.add(r.requestId, { subgraph: name, what: `event ${r.type}`, after: null });
        total += audit.rows.length + outbox.rows.length;
        this.last.set(name, {
          audit: audit.rows.at(-1)?.id ?? since.audit,
          outbox: outbox.rows.at(-1)?.id ?? since.outbox,
        });
      }),
    );
    return total;
  }

  private add(requestId: string | null, row: Written) {
    const key = requestId ?? "(none)";
    if (!this.byRequest.has(key)) this.byRequest.set(key, []);
    this.byRequest.get(key)!.push(row);
  }

  of(requestId: string): Written[] {
    return this.byRequest.get(requestId) ?? [];
  }
}

/** "production: WorkOrder UPDATE x2, event WorkOrderStatusChanged" */
export function describeWrites(rows: Written[]): string {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(`${r.subgraph}: ${r.what}`, (counts.get(`${r.subgraph}: ${r.what}`) ?? 0) + 1);
  return [...counts].map(([k, n]) => (n > 1 ? `${k} x${n}` : k)).join(", ");
}

/**
 * For a number that was accepted: whether a row stored it as sent. Null when no written row has a
 * column of that name (nothing to compare); otherwise the stored values when none equals it.
 */
export function storedOtherwise(rows: Written[], column: string, sent: number): number[] | null {
  const stored = rows.flatMap((r) => (r.after && column in r.after && r.after[column] !== null ? [Number(r.after[column])] : []));
  if (!stored.length) return null;
  // Movements store signed quantities (an issue or scrap as a negative one).
  const same = (x: number) => Math.abs(Math.abs(x) - Math.abs(sent)) <= 1e-12 * Math.max(1, Math.abs(sent));
  return stored.some(same) ? [] : stored;
}

/** Runs tasks `size` at a time. */
export async function inGroups<T>(items: T[], size: number, run: (item: T) => Promise<void>, afterEach?: () => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) {
    await Promise.all(items.slice(i, i + size).map(run));
    await afterEach?.();
  }
}

// The background write mix (logProduction and issueStock at a steady rate) and read-after-write
// probes. Each write target is a counter the graph exposes: an operation's goodQuantity (+1 per
// acknowledged `logProduction goodQuantity: 1`) and a material's onHand at a plant (−1 per
// acknowledged `issueStock quantity: 1`). A probe notes how many writes of its target were
// acknowledged when it is sent, reads the counter, and is stale when the answer misses any of them.
import { percentile, type Request } from "./load.ts";

const LOG = `mutation Log($op: ID!) { logProduction(input: { operationId: $op, goodQuantity: 1 }) { id } }`;
const ISSUE = `mutation Issue($m: ID!, $w: ID!, $p: ID!) { issueStock(input: { materialId: $m, workOrderId: $w, plantId: $p, quantity: 1 }) { __typename } }`;
// Small reads that the subgraphs' read cache keeps (same visibility key for every probe user of a plant).
const READ_OPERATION = `query ProbeOperation($wo: ID!) { workOrder(id: $wo) { operations { id goodQuantity } } }`;
const READ_STOCK = `query ProbeStock($m: ID!, $p: ID!) { material(id: $m) { onHand(plantId: $p) } }`;

export interface Target {
  key: string;
  plant: number;
  /** +1: the counter grows by one per write; −1: it shrinks by one. */
  direction: 1 | -1;
  write: string;
  read: string;
  value(data: unknown): number | undefined;
}

export function operationTarget(plant: number, workOrderId: string, operationId: string): Target {
  return {
    key: `operation ${operationId}`,
    plant,
    direction: 1,
    write: JSON.stringify({ query: LOG, variables: { op: operationId } }),
    read: JSON.stringify({ query: READ_OPERATION, variables: { wo: workOrderId } }),
    value: (data) =>
      (data as { workOrder?: { operations: { id: string; goodQuantity: number }[] } }).workOrder?.operations.find((o) => o.id === operationId)
        ?.goodQuantity,
  };
}

export function stockTarget(plant: number, plantId: string, materialId: string, workOrderId: string): Target {
  return {
    key: `stock ${materialId}@${plantId}`,
    plant,
    direction: -1,
    write: JSON.stringify({ query: ISSUE, variables: { m: materialId, w: workOrderId, p: plantId } }),
    read: JSON.stringify({ query: READ_STOCK, variables: { m: materialId, p: plantId } }),
    value: (data) => (data as { material?: { onHand: number } }).material?.onHand,
  };
}

async function post(url: string, authorization: string, body: string): Promise<{ data?: unknown; error?: string }> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", authorization }, body });
  const json = (await res.json().catch(() => ({}))) as { data?: unknown; errors?: { message: string }[] };
  if (!res.ok || json.errors?.length) return { error: `${res.status} ${json.errors?.[0]?.message ?? ""}`.slice(0, 300) };
  return { data: json.data };
}

/** Writes to the targets in turn, `rate` per second (open loop), through the given gateways in turn. */
export class WriteMix {
  readonly acked = new Map<string, number>();
  readonly sent = new Map<string, number>();
  writes = 0;
  errors = 0;
  firstError = "";
  private timer: NodeJS.Timeout | undefined;
  private inFlight = new Set<Promise<void>>();
  private n = 0;
  /** Operations and stock alternately. */
  private readonly order: Target[];

  constructor(
    targets: Target[],
    private readonly writer: string,
    private readonly urls: string[],
    private readonly onAck: (t: Target) => void = () => {},
  ) {
    const ops = targets.filter((t) => t.direction === 1);
    const stock = targets.filter((t) => t.direction === -1);
    this.order = Array.from(
      { length: 2 * Math.max(ops.length, stock.length) },
      (_, i) => (i % 2 ? stock : ops)[Math.floor(i / 2) % (i % 2 ? stock : ops).length]!,
    );
  }

  start(rate: number): void {
    this.timer = setInterval(() => {
      const target = this.order[this.n % this.order.length]!;
      // Both kinds of write through every replica.
      const url = this.urls[Math.floor(this.n / 2) % this.urls.length]!;
      this.n += 1;
      this.sent.set(target.key, (this.sent.get(target.key) ?? 0) + 1);
      const p = post(url, this.writer, target.write).then(({ error }) => {
        this.writes += 1;
        if (error) {
          this.errors += 1;
          this.firstError ||= `${target.key}: ${error}`;
          return;
        }
        this.acked.set(target.key, (this.acked.get(target.key) ?? 0) + 1);
        this.onAck(target);
      });
      this.inFlight.add(p);
      void p.finally(() => this.inFlight.delete(p));
    }, 1000 / rate);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.inFlight);
  }
}

/** Each target's counter as it is now (read when no write is in flight). */
export async function readBase(url: string, authorization: string, targets: Target[]): Promise<Map<string, number>> {
  const base = new Map<string, number>();
  for (const t of targets) {
    const { data, error } = await post(url, authorization, t.read);
    const v = data === undefined ? undefined : t.value(data);
    if (v === undefined) throw new Error(`probe target ${t.key} cannot be read: ${error ?? "no value"}`);
    base.set(t.key, v);
  }
  return base;
}

export interface ProbeFigures {
  probes: number;
  stale: number;
  /** Answers showing more writes than were sent: another writer, or a wrong base. */
  impossible: number;
  errors: number;
  firstProblem: string;
  p50: number;
  p99: number;
}

/**
 * Probes through the given gateway replicas in turn, as the plant's users (`usersByPlant`): a
 * closed loop of `concurrency` probers (half on the most recently written target, half on any),
 * plus a "chaser" through every replica the moment a write is acknowledged.
 */
export class Probes {
  private readonly latencies: number[] = [];
  private readonly figures = { probes: 0, stale: 0, impossible: 0, errors: 0, firstProblem: "" };
  private recent: Target[] = [];
  private running = false;
  private loops: Promise<void>[] = [];
  private chasers = new Set<Promise<void>>();
  private n = 0;

  constructor(
    private readonly targets: Target[],
    private readonly base: Map<string, number>,
    private readonly writes: WriteMix,
    private readonly urls: string[],
    private readonly usersByPlant: Request["authorization"][][],
  ) {}

  private async probe(target: Target, url: string): Promise<void> {
    const users = this.usersByPlant[target.plant]!;
    const user = users[this.n++ % users.length]!;
    const ackedAtSend = this.writes.acked.get(target.key) ?? 0;
    const started = performance.now();
    const { data, error } = await post(url, user, target.read).catch((e: Error) => ({ data: undefined, error: e.message }));
    this.latencies.push(performance.now() - started);
    this.figures.probes += 1;
    const v = data === undefined ? undefined : target.value(data);
    if (v === undefined) {
      this.figures.errors += 1;
      this.figures.firstProblem ||= `error reading ${target.key}: ${error ?? "no value"}`;
      return;
    }
    const seen = target.direction * (v - this.base.get(target.key)!);
    if (seen < ackedAtSend) {
      this.figures.stale += 1;
      this.figures.firstProblem ||= `stale ${target.key} through ${url}: shows ${seen} writes, ${ackedAtSend} were acknowledged before the read`;
    } else if (seen > (this.writes.sent.get(target.key) ?? 0)) {
      this.figures.impossible += 1;
      this.figures.firstProblem ||= `${target.key}: shows ${seen} writes, only ${this.writes.sent.get(target.key) ?? 0} were sent`;
    }
  }

  /** Called for each acknowledged write: read it back at once through every replica. */
  chase(target: Target): void {
    if (!this.running) return;
    this.recent = [target, ...this.recent].slice(0, 4);
    for (const url of this.urls) {
      const p = this.probe(target, url);
      this.chasers.add(p);
      void p.finally(() => this.chasers.delete(p));
    }
  }

  start(concurrency: number): void {
    this.running = true;
    this.loops = Array.from({ length: concurrency }, async (_, i) => {
      while (this.running) {
        const pool = i % 2 && this.recent.length ? this.recent : this.targets;
        await this.probe(pool[Math.floor(Math.random() * pool.length)]!, this.urls[(this.n + i) % this.urls.length]!);
      }
    });
  }

  get count(): number {
    return this.figures.probes;
  }

  async stop(): Promise<ProbeFigures> {
    this.running = false;
    await Promise.all([...this.loops, ...this.chasers]);
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return { ...this.figures, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
  }
}

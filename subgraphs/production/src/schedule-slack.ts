// Critical path method (CPM) over a plan: earliest and latest start and finish of every planned
// operation and its total slack. The plan is taken as committed: an operation never starts before
// its planned start (its release), and the work ends when the latest operation can finish.
import type { Operation } from "./generated/prisma/client.ts";
import { routingPredecessors, type PlannedOp } from "./routing-order.ts";

export interface OperationSlack {
  earliestStart: Date;
  earliestFinish: Date;
  latestStart: Date;
  latestFinish: Date;
  /** latestStart − earliestStart, in minutes; 0 on the critical path. */
  totalSlackMinutes: number;
  critical: boolean;
}

export interface CriticalPathResult {
  /** The operations without slack, by earliest start (then id). */
  operations: PlannedOp[];
  start: Date | null;
  end: Date | null;
  durationMinutes: number;
}

const byStart = (a: PlannedOp, b: PlannedOp) => a.plannedStart.getTime() - b.plannedStart.getTime() || a.id.localeCompare(b.id);

/**
 * Slack of every planned operation. Predecessors: every planned operation earlier in its routing
 * chain (also across unplanned ones; a parallel step starts a new chain) and the operation before it
 * on its machine (by planned start). A routing predecessor outside `planned` (outside the window)
 * bounds the start by its planned end. A precedence cycle (only possible in a plan that already
 * breaks the routing) is cut by dropping the edges that point back in the processing order.
 */
export function scheduleSlack(planned: PlannedOp[], opsByWo: Map<string, Operation[]>) {
  const nodes = [...planned].sort(byStart);
  const index = new Map(nodes.map((op, i) => [op.id, i]));
  const preds: number[][] = nodes.map(() => []);
  const bound = nodes.map((op) => op.plannedStart.getTime());
  nodes.forEach((op, i) => {
    for (const p of routingPredecessors(op, opsByWo.get(op.workOrderId) ?? [])) {
      const j = index.get(p.id);
      if (j !== undefined) preds[i]!.push(j);
      else if (p.plannedEnd) bound[i] = Math.max(bound[i]!, p.plannedEnd.getTime());
    }
  });
  const lastOnMachine = new Map<string, number>();
  nodes.forEach((op, i) => {
    if (!op.machineId) return;
    const prev = lastOnMachine.get(op.machineId);
    if (prev !== undefined) preds[i]!.push(prev);
    lastOnMachine.set(op.machineId, i);
  });

  const order = processingOrder(preds);
  const position = new Array<number>(nodes.length);
  order.forEach((i, pos) => {
    position[i] = pos;
  });
  const used = (from: number, to: number) => position[from]! < position[to]!;
  const succs: number[][] = nodes.map(() => []);
  preds.forEach((ps, i) => {
    for (const j of ps) if (used(j, i)) succs[j]!.push(i);
  });

  const duration = nodes.map((op) => op.plannedEnd.getTime() - op.plannedStart.getTime());
  const es = new Array<number>(nodes.length);
  const ef = new Array<number>(nodes.length);
  for (const i of order) {
    es[i] = preds[i]!.reduce((m, j) => (used(j, i) ? Math.max(m, ef[j]!) : m), bound[i]!);
    ef[i] = es[i]! + duration[i]!;
  }
  const end = ef.reduce((m, v) => Math.max(m, v), 0);
  const ls = new Array<number>(nodes.length);
  const lf = new Array<number>(nodes.length);
  for (const i of [...order].reverse()) {
    lf[i] = succs[i]!.reduce((m, k) => Math.min(m, ls[k]!), end);
    ls[i] = lf[i]! - duration[i]!;
  }

  const slack = new Map<string, OperationSlack>();
  nodes.forEach((op, i) => {
    const total = ls[i]! - es[i]!;
    slack.set(op.id, {
      earliestStart: new Date(es[i]!),
      earliestFinish: new Date(ef[i]!),
      latestStart: new Date(ls[i]!),
      latestFinish: new Date(lf[i]!),
      totalSlackMinutes: total / 60_000,
      critical: total === 0,
    });
  });
  const critical = nodes
    .map((op, i) => ({ op, i }))
    .filter(({ i }) => ls[i] === es[i])
    .sort((a, b) => es[a.i]! - es[b.i]! || a.op.id.localeCompare(b.op.id));
  const path: CriticalPathResult = critical.length
    ? {
        operations: critical.map(({ op }) => op),
        start: new Date(es[critical[0]!.i]!),
        end: new Date(end),
        durationMinutes: (end - es[critical[0]!.i]!) / 60_000,
      }
    : { operations: [], start: null, end: null, durationMinutes: 0 };
  return { slack, criticalPath: path };
}

/**
 * A topological order of nodes 0..n−1 (given in planned-start order), taking the earliest ready
 * node first; when none is ready (a cycle), the earliest unprocessed one goes next anyway.
 */
export function processingOrder(preds: number[][]): number[] {
  const n = preds.length;
  const waiting = preds.map((ps) => new Set(ps).size);
  const succs: number[][] = preds.map(() => []);
  preds.forEach((ps, i) => {
    for (const j of new Set(ps)) succs[j]!.push(i);
  });
  const done = new Array<boolean>(n).fill(false);
  const ready = new MinHeap();
  waiting.forEach((w, i) => {
    if (w === 0) ready.push(i);
  });
  const order: number[] = [];
  let scan = 0;
  while (order.length < n) {
    let next = ready.pop();
    while (next !== undefined && done[next]) next = ready.pop();
    if (next === undefined) {
      while (done[scan]) scan++;
      next = scan;
    }
    done[next] = true;
    order.push(next);
    for (const k of succs[next]!) if (--waiting[k]! === 0 && !done[k]) ready.push(k);
  }
  return order;
}

class MinHeap {
  private items: number[] = [];
  push(v: number) {
    const a = this.items;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent]! <= a[i]!) break;
      [a[parent], a[i]] = [a[i]!, a[parent]!];
      i = parent;
    }
  }
  pop(): number | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1,
          r = l + 1;
        let m = i;
        if (l < a.length && a[l]! < a[m]!) m = l;
        if (r < a.length && a[r]! < a[m]!) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}

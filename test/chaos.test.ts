// Chaos: two replicas of every subgraph and two gateways on one PostgreSQL, subscribers on both
// gateways, writers retrying with Idempotency-Keys and readers through the gateways, while random
// services get SIGTERM or kill -9 (one at a time, then restarted) and PostgreSQL restarts once.
// Then what every client was told is checked against the databases. CHAOS_MINUTES=10 runs longer.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChaosWriter, ResumingSubscriber, sendOnce } from "./support/chaos-client.ts";
import { committedEvents, query, reservationMismatches, stockMismatches, streamPosition, type StreamFilter } from "./support/chaos-invariants.ts";
import { ChaosLoad, createChaosFixture, type ChaosFixture } from "./support/chaos-load.ts";
import { Balancer, startChaosStack, type ChaosStack, type ServiceProcess } from "./support/chaos-stack.ts";
import { actAs, tokenFor } from "./support/auth.ts";

const ORG = "c4a05000-0000-4000-8000-000000000001";
actAs({ organizationId: ORG });
const MINUTES = Number(process.env.CHAOS_MINUTES ?? 0);
const LOAD_MS = MINUTES > 0 ? MINUTES * 60_000 : 45_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const token = (() => {
  let cached: Promise<string> | null = null;
  return () => (cached ??= tokenFor({ organizationId: ORG, userId: "chaos.client", ttlSeconds: 3600 * 2 }));
})();

let stack: ChaosStack;
let fx: ChaosFixture;

beforeAll(async () => {
  stack = await startChaosStack();
  fx = await createChaosFixture(stack.gatewayUrls[0]!, ORG);
}, 600_000);
afterAll(async () => {
  await stack?.stop();
}, 60_000);

/** Polls until `check` is true or the time is up; the last value. */
async function settle(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(500);
  }
}

interface Spec {
  label: string;
  field: string;
  query: string;
  variables: Record<string, unknown>;
  filter: StreamFilter;
}

function specs(): Spec[] {
  const p = fx.plantId;
  return [
    {
      label: "work orders of the plant",
      field: "workOrderStatusChanged",
      query: `subscription($p: ID, $after: ID) { workOrderStatusChanged(plantId: $p, after: $after) { cursor to workOrder { number materialCost } } }`,
      variables: { p },
      filter: { subgraph: "production", type: "WorkOrderStatusChanged", plantId: p },
    },
    {
      label: "one work order (holds)",
      field: "workOrderStatusChanged",
      query: `subscription($w: ID, $after: ID) { workOrderStatusChanged(workOrderId: $w, after: $after) { cursor to } }`,
      variables: { w: fx.heldOrderId },
      filter: { subgraph: "production", type: "WorkOrderStatusChanged", aggregateId: fx.heldOrderId },
    },
    {
      label: "low stock of the plant",
      field: "lowStockAlert",
      query: `subscription($p: ID, $after: ID) { lowStockAlert(plantId: $p, after: $after) { cursor severity material { code } plant { name } } }`,
      variables: { p },
      filter: { subgraph: "inventory", type: "LowStockAlert", plantId: p },
    },
    {
      label: "low stock of one material",
      field: "lowStockAlert",
      query: `subscription($m: ID, $after: ID) { lowStockAlert(materialId: $m, after: $after) { cursor available } }`,
      variables: { m: fx.materialIds[2] },
      filter: { subgraph: "inventory", type: "LowStockAlert", aggregateId: fx.materialIds[2] },
    },
    {
      label: "restocked at the plant",
      field: "restocked",
      query: `subscription($p: ID, $after: ID) { restocked(plantId: $p, after: $after) { cursor onHand } }`,
      variables: { p },
      filter: { subgraph: "inventory", type: "Restocked", plantId: p },
    },
    {
      label: "machines of the plant",
      field: "machineStatusChanged",
      query: `subscription($p: ID, $after: ID) { machineStatusChanged(plantId: $p, after: $after) { cursor to machine { code } } }`,
      variables: { p },
      filter: { subgraph: "equipment", type: "MachineStatusChanged", plantId: p },
    },
    {
      label: "one machine",
      field: "machineStatusChanged",
      query: `subscription($m: ID, $after: ID) { machineStatusChanged(machineId: $m, after: $after) { cursor to } }`,
      variables: { m: fx.machineIds[0] },
      filter: { subgraph: "equipment", type: "MachineStatusChanged", aggregateId: fx.machineIds[0] },
    },
  ];
}

interface Chaos {
  sigterms: number;
  kills: number;
  restarts: number;
  postgresRestarts: number;
  badExits: string[];
}

/**
 * One service at a time: SIGTERM or kill -9, a pause, a restart, ready again. At least a SIGTERM
 * and a kill -9 of a subgraph replica, a PostgreSQL restart and a kill -9 of a gateway happen
 * whatever the time (a slow machine restarts slowly); then random ones until `until`.
 */
async function chaos(until: number): Promise<Chaos> {
  const c: Chaos = { sigterms: 0, kills: 0, restarts: 0, postgresRestarts: 0, badExits: [] };
  const subgraphReplicas = Object.values(stack.replicas).flat();
  const victims: ServiceProcess[] = [...subgraphReplicas, ...stack.gateways];
  const any = (xs: ServiceProcess[]) => xs[Math.floor(Math.random() * xs.length)]!;
  const hit = async (victim: ServiceProcess, hard: boolean) => {
    const code = await victim.signal(hard ? "SIGKILL" : "SIGTERM");
    if (hard) c.kills += 1;
    else {
      c.sigterms += 1;
      if (code !== 0) c.badExits.push(`${victim.name} exited ${code} on SIGTERM`);
    }
    await sleep(300 + Math.random() * 1200);
    victim.start();
    await victim.waitReady(300_000);
    c.restarts += 1;
    await sleep(1000 + Math.random() * 2000);
  };
  const restartPostgres = async () => {
    await stack.restartPostgres(1500);
    c.postgresRestarts += 1;
    // Everything heals by itself (pools, LISTEN, followers): wait for every service to be ready.
    await Promise.all(victims.map((v) => v.waitReady(300_000)));
  };
  await hit(any(subgraphReplicas), false);
  await hit(any(subgraphReplicas), true);
  await restartPostgres();
  await hit(any(stack.gateways), true);
  for (let turn = 0; Date.now() < until; turn++) await hit(any(victims), turn % 2 === 1);
  return c;
}

describe("chaos", () => {
  it(
    "under kills, graceful stops and a PostgreSQL restart, every client is told the truth and every subscriber gets every event once, in order",
    async () => {
      const writer = new ChaosWriter(stack.gatewayUrls, token);
      const subscribers: { spec: Spec; sub: ResumingSubscriber; from: string }[] = [];
      for (const spec of specs()) {
        const from = await streamPosition(stack.dbUrls[spec.filter.subgraph]);
        stack.gatewayUrls.forEach((url, i) => {
          const sub = new ResumingSubscriber(`${spec.label} @gateway#${i + 1}`, url, token, spec.query, spec.variables, spec.field, from);
          sub.start();
          subscribers.push({ spec, sub, from });
        });
      }
      const load = new ChaosLoad(writer, fx, stack.gatewayUrls, token);
      load.start();
      const chaosDone = chaos(Date.now() + LOAD_MS);
      const c = await chaosDone;
      await load.stop();
      const l = load.ledger;

      // Followers catch up: reservations = BOM × quantity for every released order.
      const bomOk = await settle(
        async () => (await reservationMismatches(stack.dbUrls.production, stack.dbUrls.inventory, fx.bom)).length === 0,
        60_000,
      );
      // Subscribers catch up to what was committed.
      const expected = new Map<ResumingSubscriber, string[]>();
      const caughtUp = await settle(async () => {
        for (const { spec, sub, from } of subscribers)
          expected.set(sub, await committedEvents(stack.dbUrls[spec.filter.subgraph], spec.filter, from));
        return subscribers.every(({ sub }) => sub.lastCursor >= BigInt(expected.get(sub)!.at(-1) ?? "0"));
      }, 60_000);
      await sleep(1000); // anything repeated after catching up would show now
      await Promise.all(subscribers.map(({ sub }) => sub.stop()));

      const streams = subscribers.map(({ sub }) => ({
        stream: sub.label,
        expected: expected.get(sub)!.length,
        received: sub.cursors.length,
        duplicates: sub.duplicates.length,
        outOfOrder: sub.outOfOrder.length,
        resubscribes: sub.resubscribes,
        partialEvents: sub.partialEvents,
      }));
      console.log(`[chaos] ${(LOAD_MS / 1000).toFixed(0)} s of load`);
      console.table(streams);
      console.log(
        `[chaos] writes: ${writer.counts.acked} acked, ${writer.counts.refused} refused, ${writer.counts.retried} retried ${JSON.stringify(writer.counts.retryCauses)}; ` +
          `answers lost after commit: ${l.answerLost}; work orders ${l.workOrders.length}, releases ${l.released.length}, cancels ${l.cancelled.length}, ` +
          `receipts ${l.receipts.length}, issues ${l.issues.length} (+${l.refusedIssues.length} refused), machine states ${[...l.machineStates.values()].flat().length}, holds ${l.holds}`,
      );
      console.log(`[chaos] reads: ${JSON.stringify(l.reads)}; chaos: ${JSON.stringify(c)}`);
      const ends = subscribers.flatMap(({ sub }) => sub.ends);
      console.log(`[chaos] subscription ends by cause: ${JSON.stringify(countBy(ends.map((e) => e.slice(0, 80))))}`);

      expect(writer.unanswered).toEqual([]);
      expect(l.unexpected).toEqual([]);
      expect(c.badExits).toEqual([]);
      for (const { sub } of subscribers) {
        expect({ stream: sub.label, cursors: sub.cursors }).toEqual({ stream: sub.label, cursors: expected.get(sub) });
      }
      expect(caughtUp).toBe(true);
      expect(bomOk).toBe(true);
      expect(await stockMismatches(stack.dbUrls.inventory)).toEqual([]);
      await checkLedger(load);
    },
    LOAD_MS + 360_000,
  );
});

describe("rolling restart", () => {
  it("every service restarted one at a time (SIGTERM, wait, start) under a write load costs 0 client errors", async () => {
    // Clients reach the gateways through a balancer too, as they would behind a Service or an LB.
    const front = new Balancer(stack.gateways.map((g) => g.port));
    await front.start();
    const t = await token();
    const errors: string[] = [];
    let sent = 0;
    let running = true;
    type Write = { q: string; v: Record<string, unknown> };
    const writes: (() => Write)[] = [
      () => ({
        q: `mutation($i: ReceiveStockInput!) { receiveStock(input: $i) { quantity } }`,
        v: {
          i: { materialId: fx.materialIds[0], locationId: fx.locationIds[0], lotNumber: `LOT-RR-${process.pid}-${sent}`, quantity: 5, unitCost: 1 },
        },
      }),
      () => ({
        q: `mutation($i: CreateWorkOrderInput!) { createWorkOrder(input: $i) { id } }`,
        v: { i: { productId: fx.productId, number: `WO-RR-${process.pid}-${sent}`, quantity: 1, dueDate: "2027-06-30T00:00:00Z" } },
      }),
      () => ({
        q: `mutation($m: ID!, $s: MachineState!) { setMachineState(machineId: $m, state: $s) { id } }`,
        v: { m: fx.machineIds[3], s: sent % 2 ? "IDLE" : "RUNNING" },
      }),
    ];
    const writer = async (k: number) => {
      while (running) {
        const { q, v } = writes[(sent + k) % writes.length]!();
        sent += 1;
        const error = await sendOnce(front.url, t, q, v);
        if (error) errors.push(error);
        await sleep(30);
      }
    };
    const loops = [writer(0), writer(1)];
    const restarted: string[] = [];
    const exitCodes: (number | null)[] = [];
    try {
      // One replica of every service (its other replica serves meanwhile); with CHAOS_MINUTES, all of them.
      const services = [...Object.values(stack.replicas), stack.gateways].flatMap((replicas) => (MINUTES > 0 ? replicas : replicas.slice(0, 1)));
      for (const service of services) {
        const t0 = Date.now();
        exitCodes.push(await service.signal("SIGTERM"));
        await sleep(500);
        service.start();
        await service.waitReady(300_000);
        // The balancers see it ready again before the next one goes.
        await sleep(600);
        restarted.push(`${service.name} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      }
    } finally {
      running = false;
      await Promise.all(loops);
      await front.stop();
    }
    console.log(`[rolling] restarted: ${restarted.join(", ")}; ${sent} writes, ${errors.length} client errors ${JSON.stringify(countBy(errors))}`);
    expect(exitCodes.every((c) => c === 0)).toBe(true);
    expect(errors).toEqual([]);
    expect(sent).toBeGreaterThan(50);
  }, 600_000);
});

function countBy(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}

/** Every acknowledged write exists exactly once; no refused one exists. */
async function checkLedger(load: ChaosLoad): Promise<void> {
  const l = load.ledger;
  const prod = stack.dbUrls.production;
  const inv = stack.dbUrls.inventory;
  const orders = await query<{ number: string; n: number }>(
    prod,
    `SELECT number, count(*)::int AS n FROM "WorkOrder" WHERE number = ANY($1) GROUP BY 1`,
    [l.workOrders.map((w) => w.number)],
  );
  expect(orders.filter((o) => o.n !== 1)).toEqual([]);
  expect(orders).toHaveLength(l.workOrders.length);
  const transitions = await query<{ id: string; to: string; n: number }>(
    prod,
    `SELECT "aggregateId" AS id, payload->>'to' AS to, count(*)::int AS n FROM "OutboxEvent" WHERE type = 'WorkOrderStatusChanged' GROUP BY 1, 2`,
  );
  const count = (id: string, to: string) => transitions.find((t) => t.id === id && t.to === to)?.n ?? 0;
  expect(l.released.filter((id) => count(id, "RELEASED") !== 1)).toEqual([]);
  expect(l.cancelled.filter((id) => count(id, "CANCELLED") !== 1)).toEqual([]);

  const receipts = await query<{ lot: string; n: number; q: string }>(
    inv,
    `SELECT l."lotNumber" AS lot, count(*)::int AS n, sum(t.quantity)::text AS q FROM "StockTransaction" t JOIN "Lot" l ON l.id = t."lotId"
      WHERE t.type = 'RECEIPT' AND l."lotNumber" = ANY($1) GROUP BY 1`,
    [l.receipts.map((r) => r.lotNumber)],
  );
  const byLot = new Map(receipts.map((r) => [r.lot, r]));
  expect(l.receipts.filter((r) => byLot.get(r.lotNumber)?.n !== 1 || Number(byLot.get(r.lotNumber)?.q) !== r.quantity)).toEqual([]);
  // Issues: per work order and material, the acknowledged quantities are what was booked (a
  // refused issue booked nothing, a repeated one was not booked twice).
  const issues = await query<{ key: string; q: string }>(
    inv,
    `SELECT "workOrderId"::text || '/' || "materialId"::text AS key, sum(abs(quantity))::text AS q FROM "StockTransaction" WHERE type = 'ISSUE' GROUP BY 1`,
  );
  const acked = new Map<string, number>();
  for (const i of l.issues) acked.set(`${i.workOrderId}/${i.materialId}`, (acked.get(`${i.workOrderId}/${i.materialId}`) ?? 0) + i.quantity);
  expect(Object.fromEntries(issues.map((i) => [i.key, Number(i.q)]))).toEqual(Object.fromEntries(acked));

  // Each machine's acknowledged states, in order, are its state-change events, once each.
  const events = await query<{ machine: string; to: string }>(
    stack.dbUrls.equipment,
    `SELECT "aggregateId" AS machine, payload->>'to' AS to FROM "OutboxEvent" WHERE type = 'MachineStatusChanged' ORDER BY id`,
  );
  for (const [machine, states] of l.machineStates) expect(events.filter((e) => e.machine === machine).map((e) => e.to)).toEqual(states);
}

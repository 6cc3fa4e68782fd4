// An outside tester's probe of the subgraphs' read cache (docs/design.md "Read cache"): a read that
// starts after a write was acknowledged reflects it, whatever made the write (mutation, event
// follower, SQL by hand), through any gateway or subgraph replica; answers are shared only between
// callers of one visibility key; time-derived answers age within READ_CACHE_CLOCK_MS.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { feedSources, urlVariable } from "@mes/db";
import { gatewayEnv, startGateway } from "@mes/gateway";
import { startSubgraph, type RunningSubgraph } from "@mes/shared";
import { DEFINITIONS, silentLogger, startTestStack, testSubgraphConfig, type TestStack } from "./support/stack.ts";
import { actAs, bearer, TEST_AUTH_ENV } from "./support/auth.ts";
import { adminPool, closeAdminPools } from "./support/admin.ts";
import { createPlant, createProduct, createWorkOrder, type PlantFixture } from "./support/fixtures.ts";
import { graphql, mustQuery } from "./support/graphql.ts";

type Headers = Record<string, string>;
const ORG = randomUUID();
let stack: TestStack;
let a: PlantFixture;
let b: PlantFixture;
let admin: Headers;
let viewerA: Headers;
let viewerAll: Headers;
let equipment2: RunningSubgraph<any>;
let gateway2: { url: string; stop(): Promise<void> };

beforeAll(async () => {
  stack = await startTestStack();
  actAs({ userId: "probe.admin", organizationId: ORG, roles: ["ADMIN"] });
  admin = await bearer({ userId: "probe.admin", organizationId: ORG, roles: ["ADMIN"] });
  a = await createPlant(stack.gatewayUrl, ORG, "PA", 3);
  b = await createPlant(stack.gatewayUrl, ORG, "PB", 2);
  viewerA = await bearer({ userId: "probe.va", organizationId: ORG, plantIds: [a.plantId], roles: ["VIEWER"] });
  viewerAll = await bearer({ userId: "probe.v", organizationId: ORG, roles: ["VIEWER"] });
  // A second equipment replica on the same database, and a second gateway that reads through it.
  const feeds = Object.fromEntries(feedSources("equipment").map((f) => [urlVariable(f), stack.subgraphs[f].url]));
  const dbUrl = stack.subgraphs.equipment.pool.options.connectionString!;
  equipment2 = await startSubgraph(DEFINITIONS.equipment, testSubgraphConfig(dbUrl, { ...feeds, PORT: 0 }), silentLogger(), {
    pmCheckIntervalMs: 250, // its periodic PM check is one more kind of writer
  });
  const urls = Object.fromEntries(Object.entries(stack.subgraphs).map(([n, s]) => [urlVariable(n as never), s.url]));
  const config = gatewayEnv.parse({ NODE_ENV: "test", PORT: "4000", ...TEST_AUTH_ENV, ...urls, EQUIPMENT_URL: equipment2.url });
  gateway2 = await startGateway({ ...config, PORT: 0 }, silentLogger());
}, 180_000);

afterAll(async () => {
  await gateway2?.stop();
  await equipment2?.stop();
  await closeAdminPools();
  await stack?.stop();
});

const MACHINE = `query($id: ID!) { machine(id: $id) { id state stateSince } }`;
const read = (url: string, query: string, vars: Record<string, unknown>, h: Headers) => graphql(url, query, vars, h);
const state = async (url: string, id: string, h: Headers) => (await mustQuery(url, MACHINE, { id }, h)).machine;
const setState = async (url: string, id: string, s: string) =>
  (
    await mustQuery(
      url,
      `mutation($id: ID!, $s: MachineState!) { setMachineState(machineId: $id, state: $s) { state stateSince } }`,
      { id, s },
      admin,
    )
  ).setMachineState as { state: string; stateSince: string };
const hits = (s: RunningSubgraph<any>) => (s.readCache?.stats.hits ?? 0) as number;

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("read-after-write by every kind of writer", () => {
  it("a mutation's change is read back at once, warm cache or not, through either gateway", async () => {
    const id = a.machineIds[0]!;
    const before = hits(stack.subgraphs.equipment) + hits(equipment2);
    for (let i = 0; i < 20; i++) {
      await state(stack.gatewayUrl, id, viewerA); // warm both replicas' caches
      await state(gateway2.url, id, viewerA);
      await state(gateway2.url, id, viewerA);
      const acked = await setState(i % 2 ? stack.gatewayUrl : gateway2.url, id, i % 2 ? "IDLE" : "RUNNING");
      expect(await state(stack.gatewayUrl, id, viewerA)).toMatchObject(acked);
      expect(await state(gateway2.url, id, viewerA)).toMatchObject(acked);
    }
    expect(hits(stack.subgraphs.equipment) + hits(equipment2)).toBeGreaterThan(before); // the cache was in play
  });

  it("SQL by hand is read back at once (a state, and a machine moved to another plant)", async () => {
    const id = a.machineIds[1]!;
    await state(stack.gatewayUrl, id, viewerA);
    await state(stack.gatewayUrl, id, viewerA);
    const sql = adminPool(stack, "equipment");
    await sql.query(`UPDATE "Machine" SET state = 'SETUP', "stateSince" = now() WHERE id = $1`, [id]);
    expect((await state(stack.gatewayUrl, id, viewerA)).state).toBe("SETUP");
    expect((await state(gateway2.url, id, viewerA)).state).toBe("SETUP");
    // Moved to plant B: plant A's viewer no longer sees it, plant B's viewer now does.
    const viewerB = await bearer({ userId: "probe.vb", organizationId: ORG, plantIds: [b.plantId], roles: ["VIEWER"] });
    expect(await state(stack.gatewayUrl, id, viewerB)).toBeNull();
    const move = `UPDATE "Machine" SET "plantId" = $2, "workCenterId" = $3, code = $4 WHERE id = $1`;
    await sql.query(move, [id, b.plantId, b.workCenterId, "M-MOVED"]);
    expect(await state(stack.gatewayUrl, id, viewerA)).toBeNull();
    expect((await state(stack.gatewayUrl, id, viewerB))?.id).toBe(id);
    await sql.query(move, [id, a.plantId, a.workCenterId, "M-2"]);
    expect((await state(stack.gatewayUrl, id, viewerA))?.id).toBe(id);
  });

  it("a work order released in production: its reservations, once inventory's follower applied them, are read at once", async () => {
    const { createMaterial: m } = await mustQuery(
      stack.gatewayUrl,
      `mutation { createMaterial(input: { code: "PRB-1", description: "probe", unitOfMeasure: "pcs" }) { id } }`,
    );
    const product = await createProduct(stack.gatewayUrl, a, "PRB-P1", 1, [{ materialId: m.id, quantityPer: 2 }]);
    const wo = await createWorkOrder(stack.gatewayUrl, product, "PRB-WO-1", 5);
    const Q = `query($wo: ID!, $m: ID!, $p: ID!) { workOrder(id: $wo) { status reservations { quantity } } material(id: $m) { reserved(plantId: $p) } }`;
    const vars = { wo: wo.id, m: m.id, p: a.plantId };
    for (const h of [viewerA, viewerAll, viewerA]) expect((await mustQuery(stack.gatewayUrl, Q, vars, h)).material.reserved).toBe(0);
    await mustQuery(stack.gatewayUrl, `mutation($id: ID!) { releaseWorkOrder(id: $id) { status } }`, { id: wo.id }, admin);
    const inv = adminPool(stack, "inventory");
    await until("the reservation", async () => (await inv.query(`SELECT 1 FROM "Reservation" WHERE "workOrderId" = $1`, [wo.id])).rowCount);
    for (const h of [viewerA, viewerAll]) {
      const got = await mustQuery(stack.gatewayUrl, Q, vars, h);
      expect(got).toEqual({ workOrder: { status: "RELEASED", reservations: [{ quantity: 10 }] }, material: { reserved: 10 } });
    }
  });

  it("an NCR's lot hold, once inventory's follower applied it, is read at once", async () => {
    const { createMaterial: m } = await mustQuery(
      stack.gatewayUrl,
      `mutation { createMaterial(input: { code: "PRB-2", description: "probe", unitOfMeasure: "kg" }) { id } }`,
    );
    const { createLocation: loc } = await mustQuery(
      stack.gatewayUrl,
      `mutation($p: ID!) { createLocation(input: { plantId: $p, code: "W1", name: "Warehouse" }) { id } }`,
      { p: a.plantId },
    );
    const { receiveStock } = await mustQuery(
      stack.gatewayUrl,
      `mutation($m: ID!, $l: ID!) { receiveStock(input: { materialId: $m, locationId: $l, lotNumber: "L-1", quantity: 4, unitCost: 2 }) { transactions { lot { id } } } }`,
      { m: m.id, l: loc.id },
    );
    const lot = receiveStock.transactions[0].lot.id as string;
    const Q = `query($id: ID!) { lot(id: $id) { status onHand } }`;
    for (const h of [viewerA, viewerA, viewerAll]) expect((await mustQuery(stack.gatewayUrl, Q, { id: lot }, h)).lot.status).toBe("AVAILABLE");
    const { openNcr } = await mustQuery(
      stack.gatewayUrl,
      `mutation($p: ID!, $m: ID!, $lot: ID!) { openNcr(input: { plantId: $p, number: "PRB-NCR-1", title: "t", severity: MINOR, materialId: $m, lotId: $lot }) { id } }`,
      { p: a.plantId, m: m.id, lot },
    );
    await mustQuery(stack.gatewayUrl, `mutation($id: ID!) { requestLotHold(ncrId: $id) { id } }`, { id: openNcr.id });
    const inv = adminPool(stack, "inventory");
    await until("the hold", async () => (await inv.query(`SELECT 1 FROM "Lot" WHERE id = $1 AND status = 'ON_HOLD'`, [lot])).rowCount);
    for (const h of [viewerA, viewerAll])
      expect((await mustQuery(stack.gatewayUrl, Q, { id: lot }, h)).lot).toEqual({ status: "ON_HOLD", onHand: 4 });
  });

  it("a maintenance order made by a periodic task (another replica's PM check) is read at once", async () => {
    const id = b.machineIds[0]!;
    const startsAt = new Date(Date.now() - 86_400_000 + 2_000).toISOString(); // due in 2 s
    await mustQuery(
      stack.gatewayUrl,
      `mutation($m: ID!, $s: DateTime!) { createPmSchedule(input: { machineId: $m, name: "Daily", trigger: CALENDAR, interval: 1, startsAt: $s }) { id } }`,
      { m: id, s: startsAt },
    );
    const Q = `query($id: ID!) { machine(id: $id) { maintenanceOrders { totalCount } } }`;
    for (let i = 0; i < 3; i++) await mustQuery(stack.gatewayUrl, Q, { id }, viewerAll);
    const sql = adminPool(stack, "equipment");
    await until("the PM order", async () => (await sql.query(`SELECT 1 FROM "MaintenanceOrder" WHERE "machineId" = $1`, [id])).rowCount);
    expect((await mustQuery(stack.gatewayUrl, Q, { id }, viewerAll)).machine.maintenanceOrders.totalCount).toBe(1);
  });

  it("a child row moved by hand to a parent in another plant leaves its old parent at once (plant-limited reader)", async () => {
    const open = async (p: string, n: string) =>
      (
        await mustQuery(
          stack.gatewayUrl,
          `mutation($p: ID!, $n: String!) { openNcr(input: { plantId: $p, number: $n, title: "t", severity: MINOR }) { id } }`,
          { p, n },
        )
      ).openNcr.id as string;
    const x = await open(a.plantId, "PRB-NCR-X");
    const y = await open(b.plantId, "PRB-NCR-Y");
    await mustQuery(stack.gatewayUrl, `mutation($id: ID!) { addNcrDefect(ncrId: $id, type: "scratch", quantity: 3) { id } }`, { id: x });
    const Q = `query($id: ID!) { ncr(id: $id) { id defects { type quantity } } }`;
    for (let i = 0; i < 3; i++) expect((await mustQuery(stack.gatewayUrl, Q, { id: x }, viewerA)).ncr.defects).toHaveLength(1);
    await adminPool(stack, "quality").query(`UPDATE "NcrDefect" SET "ncrId" = $2 WHERE "ncrId" = $1`, [x, y]);
    expect((await mustQuery(stack.gatewayUrl, Q, { id: x }, viewerAll)).ncr.defects).toEqual([]);
    // The database already says so (a read with new bytes misses the cache): only a kept answer can differ.
    const fresh = `query($id: ID!) { n: ncr(id: $id) { id defects { type quantity } } }`;
    expect((await mustQuery(stack.gatewayUrl, fresh, { id: x }, viewerA)).n.defects).toEqual([]);
    expect((await mustQuery(stack.gatewayUrl, Q, { id: x }, viewerA)).ncr.defects).toEqual([]);
  });
});

describe("who shares an answer", () => {
  it("an organization-wide material read by a plant-limited user, changed by a planner, and found once created", async () => {
    const BY_CODE = `query($c: String!) { materialByCode(code: $c) { id description } }`;
    for (const h of [viewerA, viewerA, viewerAll]) expect((await mustQuery(stack.gatewayUrl, BY_CODE, { c: "PRB-3" }, h)).materialByCode).toBeNull();
    const { createMaterial: m } = await mustQuery(
      stack.gatewayUrl,
      `mutation { createMaterial(input: { code: "PRB-3", description: "first", unitOfMeasure: "pcs" }) { id } }`,
    );
    expect((await mustQuery(stack.gatewayUrl, BY_CODE, { c: "PRB-3" }, viewerA)).materialByCode).toEqual({ id: m.id, description: "first" });
    await mustQuery(stack.gatewayUrl, BY_CODE, { c: "PRB-3" }, viewerA);
    await mustQuery(stack.gatewayUrl, `mutation($id: ID!) { updateMaterial(id: $id, input: { description: "second" }) { id } }`, { id: m.id });
    expect((await mustQuery(stack.gatewayUrl, BY_CODE, { c: "PRB-3" }, viewerA)).materialByCode.description).toBe("second");
  });

  it("a work order number not found, then created, is found by the next read", async () => {
    const Q = `query($n: String!) { workOrderByNumber(number: $n) { id number } }`;
    for (const h of [viewerA, viewerA]) expect((await mustQuery(stack.gatewayUrl, Q, { n: "PRB-WO-NEW" }, h)).workOrderByNumber).toBeNull();
    const product = await createProduct(stack.gatewayUrl, a, "PRB-P2", 1);
    const wo = await createWorkOrder(stack.gatewayUrl, product, "PRB-WO-NEW", 1);
    expect((await mustQuery(stack.gatewayUrl, Q, { n: "PRB-WO-NEW" }, viewerA)).workOrderByNumber).toEqual({ id: wo.id, number: "PRB-WO-NEW" });
  });

  it("the admin-only audit trail: a viewer's refusal and an admin's rows never cross", async () => {
    const Q = `{ equipmentAuditLog(limit: 1) { totalCount } }`;
    for (let i = 0; i < 3; i++) {
      const v = await read(stack.gatewayUrl, Q, {}, viewerAll);
      expect(v.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
      const ad = await read(stack.gatewayUrl, Q, {}, admin);
      expect(ad.errors).toBeUndefined();
      expect(ad.data?.equipmentAuditLog.totalCount).toBeGreaterThan(0);
    }
  });

  it("aliases, fragments, variable order and operationName all read the change; a chosen mutation is never answered from the cache", async () => {
    const id = a.machineIds[2]!;
    const docs = [
      { q: `query($id: ID!) { m: machine(id: $id) { s: state } }`, pick: (d: any) => d.m.s },
      { q: `fragment F on Machine { state } query($id: ID!) { machine(id: $id) { ...F } }`, pick: (d: any) => d.machine.state },
      { q: `query One($id: ID!) { machine(id: $id) { state } } query Two { plants { id } }`, op: "One", pick: (d: any) => d.machine.state },
    ];
    const ask = async (d: (typeof docs)[number]) => {
      const res = await fetch(stack.subgraphs.equipment.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...viewerA },
        body: JSON.stringify({ ...(d.op ? { operationName: d.op } : {}), variables: { id }, query: d.q }),
      });
      return d.pick(((await res.json()) as { data: unknown }).data);
    };
    for (const next of ["RUNNING", "IDLE", "RUNNING"]) {
      for (const d of docs) await ask(d);
      await setState(stack.gatewayUrl, id, next);
      expect(await Promise.all(docs.map(ask))).toEqual([next, next, next]);
    }
    // One document, two operations: the mutation chosen by name runs every time.
    const body = JSON.stringify({
      query: `query Q($id: ID!) { machine(id: $id) { state } } mutation M($id: ID!) { setMachineState(machineId: $id, state: SETUP) { state } }`,
      operationName: "M",
      variables: { id },
    });
    const post = () => fetch(stack.subgraphs.equipment.url, { method: "POST", headers: { "content-type": "application/json", ...admin }, body });
    await post();
    await setState(stack.gatewayUrl, id, "IDLE");
    await post();
    expect((await state(stack.gatewayUrl, id, viewerA)).state).toBe("SETUP");
  });

  it("an upper-case spelling of the same organization in a token still sees changes at once", async () => {
    const id = a.machineIds[0]!;
    const upper = await bearer({ userId: "probe.upper", organizationId: ORG.toUpperCase(), roles: ["VIEWER"] });
    const first = await state(stack.gatewayUrl, id, upper);
    expect(first?.id).toBe(id); // PostgreSQL reads the organization as the same uuid
    await state(stack.gatewayUrl, id, upper);
    const acked = await setState(stack.gatewayUrl, id, first.state === "RUNNING" ? "IDLE" : "RUNNING");
    const fresh = await mustQuery(stack.gatewayUrl, `query($id: ID!) { m: machine(id: $id) { state stateSince } }`, { id }, upper);
    expect(fresh.m).toEqual(acked); // new bytes miss the cache: only a kept answer can differ
    expect(await state(stack.gatewayUrl, id, upper)).toMatchObject(acked);
  });

  it("an upper-case spelling of a plant id in a token still sees changes at once", async () => {
    const id = a.machineIds[0]!;
    const upper = await bearer({ userId: "probe.upper", organizationId: ORG, plantIds: [a.plantId.toUpperCase()], roles: ["VIEWER"] });
    const first = await state(stack.gatewayUrl, id, upper);
    expect(first?.id).toBe(id);
    await state(stack.gatewayUrl, id, upper);
    const acked = await setState(stack.gatewayUrl, id, first.state === "RUNNING" ? "IDLE" : "RUNNING");
    const fresh = await mustQuery(stack.gatewayUrl, `query($id: ID!) { m: machine(id: $id) { state stateSince } }`, { id }, upper);
    expect(fresh.m).toEqual(acked); // new bytes miss the cache: only a kept answer can differ
    expect(await state(stack.gatewayUrl, id, upper)).toMatchObject(acked);
  });

  it("while the LISTEN connection is lost and after it heals, a change by hand is read at once", async () => {
    const id = b.machineIds[1]!;
    const sql = adminPool(stack, "equipment");
    const set = (s: string) => sql.query(`UPDATE "Machine" SET state = $2, "stateSince" = now() WHERE id = $1`, [id, s]);
    await state(stack.subgraphs.equipment.url, id, viewerAll);
    await state(stack.subgraphs.equipment.url, id, viewerAll);
    await sql.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'mes-live-events' AND datname = current_database()`,
    );
    for (const s of ["SETUP", "IDLE", "RUNNING", "SETUP"]) {
      await set(s);
      expect((await state(stack.subgraphs.equipment.url, id, viewerAll)).state).toBe(s);
      expect((await state(equipment2.url, id, viewerAll)).state).toBe(s);
      await new Promise((r) => setTimeout(r, 150));
    }
    await until(
      "the LISTEN connection back",
      async () =>
        stack.subgraphs.equipment.readCache?.stats &&
        (await sql.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'mes-live-events' AND datname = current_database()`)).rowCount ===
          2,
    );
    for (const s of ["IDLE", "RUNNING"]) {
      await state(stack.subgraphs.equipment.url, id, viewerAll);
      await set(s);
      expect((await state(stack.subgraphs.equipment.url, id, viewerAll)).state).toBe(s);
    }
  });
});

describe("errors and the clock", () => {
  it("a partial answer (one field errors) is not kept", async () => {
    const { openNcr } = await mustQuery(
      stack.gatewayUrl,
      `mutation($p: ID!) { openNcr(input: { plantId: $p, number: "PRB-NCR-P", title: "t", severity: MAJOR }) { id } }`,
      { p: a.plantId },
    );
    const Q = `query($id: ID!) { ncr(id: $id) { defects { type } } bad: ncr(id: "not-an-id") { id } }`;
    const url = stack.subgraphs.quality.url;
    for (let i = 0; i < 3; i++) {
      const got = await read(url, Q, { id: openNcr.id }, viewerA);
      expect(got.errors?.length).toBeGreaterThan(0);
      expect(got.data?.ncr.defects).toHaveLength(i);
      await mustQuery(stack.gatewayUrl, `mutation($id: ID!, $t: String!) { addNcrDefect(ncrId: $id, type: $t, quantity: 1) { id } }`, {
        id: openNcr.id,
        t: `d${i}`,
      });
    }
  });

  it("time-derived answers age within READ_CACHE_CLOCK_MS (operating hours up to now)", async () => {
    const id = b.machineIds[0]!;
    await setState(stack.gatewayUrl, id, "RUNNING");
    const now = Date.now();
    const vars = { id, f: new Date(now - 3_600_000).toISOString(), t: new Date(now + 3_600_000).toISOString() };
    const Q = `query($id: ID!, $f: DateTime!, $t: DateTime!) { machine(id: $id) { reliability(from: $f, to: $t) { operatingHours } } }`;
    const hours = async () => (await mustQuery(stack.subgraphs.equipment.url, Q, vars, viewerAll)).machine.reliability.operatingHours as number;
    const first = await hours();
    await hours();
    await new Promise((r) => setTimeout(r, stack.subgraphs.equipment.readCache ? 1_300 : 0));
    expect(await hours()).toBeGreaterThan(first);
  });
});

describe("many writers and readers at once", () => {
  it("counts no stale answer and no leak over thousands of probes through two gateways and two replicas", async () => {
    const machines = [...a.machineIds.map((id) => ({ id, plant: a.plantId })), ...b.machineIds.map((id) => ({ id, plant: b.plantId }))];
    const written = machines.slice(0, 4); // the rest stays quiet: its answers are served from the cache
    const acked = new Map<string, number>(machines.map((m) => [m.id, 0]));
    const callers = [
      { h: viewerA, plants: [a.plantId] },
      { h: await bearer({ userId: "probe.va2", organizationId: ORG, plantIds: [a.plantId], roles: ["VIEWER"] }), plants: [a.plantId] },
      { h: await bearer({ userId: "probe.vb2", organizationId: ORG, plantIds: [b.plantId], roles: ["VIEWER"] }), plants: [b.plantId] },
      { h: viewerAll, plants: null },
      { h: await bearer({ userId: "probe.sup", organizationId: ORG, roles: ["SUPERVISOR"] }), plants: null },
    ];
    const other = await bearer({ userId: "probe.other", organizationId: randomUUID(), roles: ["ADMIN"] });
    const gateways = [stack.gatewayUrl, gateway2.url];
    const shapes = [MACHINE, `query($id: ID!) { x: machine(id: $id) { id state stateSince } }`];
    const PROBES = Number(process.env.CACHE_PROBES ?? 1500); // CACHE_PROBES=10000 for a longer run
    let done = 0;
    let stale = 0;
    let leaks = 0;
    let failures = 0;
    let stop = false;
    const writer = async (m: { id: string }, gw: string) => {
      for (let i = 0; !stop; i++) {
        const r = await setState(gw, m.id, i % 2 ? "IDLE" : "RUNNING").catch(() => null);
        if (r) acked.set(m.id, Math.max(acked.get(m.id)!, Date.parse(r.stateSince)));
      }
    };
    const reader = async (n: number) => {
      while (done < PROBES) {
        done += 1;
        const i = done + n;
        const m = machines[i % machines.length]!;
        const c = i % 7 === 0 ? { h: other, plants: [] as string[] } : callers[i % callers.length]!;
        const floor = acked.get(m.id)!;
        const shape = shapes[i % shapes.length]!;
        const res = await read(gateways[i % 2]!, shape, { id: m.id }, c.h);
        const got = (res.data?.machine ?? res.data?.x) as { stateSince: string } | null | undefined;
        if (res.errors?.length) failures += 1;
        else if (c.plants && !c.plants.includes(m.plant)) leaks += got ? 1 : 0;
        else if (!got || Date.parse(got.stateSince) < floor) stale += 1;
      }
    };
    const hitsBefore = hits(stack.subgraphs.equipment) + hits(equipment2);
    const writers = written.map((m, i) => writer(m, gateways[i % 2]!));
    await Promise.all(Array.from({ length: 12 }, (_, n) => reader(n)));
    stop = true;
    await Promise.all(writers);
    const cacheHits = hits(stack.subgraphs.equipment) + hits(equipment2) - hitsBefore;
    console.log(`read-cache probe: ${done} reads, ${stale} stale, ${leaks} leaks, ${failures} errors, ${cacheHits} cache hits at equipment`);
    expect({ stale, leaks, failures }).toEqual({ stale: 0, leaks: 0, failures: 0 });
    expect(cacheHits).toBeGreaterThan(0);
  }, 300_000);
});

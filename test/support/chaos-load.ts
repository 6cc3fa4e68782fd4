// The chaos run's workload: a plant with machines, materials, locations and a product with a BOM;
// then writers (work orders, receipts, issues, machine states, holds) and readers through the
// gateways, recording every acknowledged and refused write for the checks at the end.
import type { ChaosWriter, WriteOutcome } from "./chaos-client.ts";
import { createPlant, createProduct, createWorkOrder } from "./fixtures.ts";
import { mustQuery } from "./graphql.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
const between = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1));

export interface ChaosFixture {
  plantId: string;
  machineIds: string[];
  materialIds: string[];
  locationIds: string[];
  productId: string;
  bom: { materialId: string; quantityPer: number }[];
  /** The work order whose holds come and go: a quiet, filtered stream. */
  heldOrderId: string;
  /** Planned work orders that material is issued to (never released: no reservation to consume). */
  issueTargets: string[];
}

export async function createChaosFixture(url: string, organizationId: string): Promise<ChaosFixture> {
  const plant = await createPlant(url, organizationId, "CHAOS", 4);
  const materialIds: string[] = [];
  for (const code of ["CH-M1", "CH-M2", "CH-M3"]) {
    const { createMaterial } = await mustQuery(
      url,
      `mutation($c: String!) { createMaterial(input: { code: $c, description: $c, unitOfMeasure: "EA", reorderPoint: 100, safetyStock: 20 }) { id } }`,
      { c: code },
    );
    materialIds.push(createMaterial.id);
  }
  const locationIds: string[] = [];
  for (const code of ["CH-WH", "CH-LS"]) {
    const { createLocation } = await mustQuery(
      url,
      `mutation($p: ID!, $c: String!) { createLocation(input: { plantId: $p, code: $c, name: $c }) { id } }`,
      {
        p: plant.plantId,
        c: code,
      },
    );
    locationIds.push(createLocation.id);
  }
  const bom = [
    { materialId: materialIds[0]!, quantityPer: 2 },
    { materialId: materialIds[1]!, quantityPer: 1 },
  ];
  const productId = await createProduct(url, plant, "CH-P", 1, bom);
  const held = await createWorkOrder(url, productId, "WO-CH-HELD", 1);
  await mustQuery(url, `mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id: held.id });
  await mustQuery(url, `mutation($id: ID!) { startOperation(id: $id) { id } }`, { id: held.operations[0] });
  const issueTargets: string[] = [];
  for (let i = 1; i <= 4; i++) issueTargets.push((await createWorkOrder(url, productId, `WO-CH-ISSUE-${i}`, 1)).id);
  return { plantId: plant.plantId, machineIds: plant.machineIds, materialIds, locationIds, productId, bom, heldOrderId: held.id, issueTargets };
}

/** What the clients were told: the checks compare it with the databases. */
export interface Ledger {
  workOrders: { id: string; number: string; quantity: number }[];
  released: string[];
  cancelled: string[];
  receipts: { lotNumber: string; materialId: string; quantity: number }[];
  issues: { workOrderId: string; materialId: string; quantity: number }[];
  refusedIssues: { workOrderId: string; materialId: string; quantity: number }[];
  machineStates: Map<string, string[]>;
  holds: number;
  /** Refusals nobody should get (anything but an issue of more than there is). */
  unexpected: { what: string; code: string; message: string }[];
  /** Writes that took effect whose answer was lost (the key says so): they must exist too. */
  answerLost: number;
  reads: { ok: number; partial: number; failed: number };
}

export function emptyLedger(): Ledger {
  return {
    workOrders: [],
    released: [],
    cancelled: [],
    receipts: [],
    issues: [],
    refusedIssues: [],
    machineStates: new Map(),
    holds: 0,
    unexpected: [],
    answerLost: 0,
    reads: { ok: 0, partial: 0, failed: 0 },
  };
}

const CREATE_WO = `mutation($i: CreateWorkOrderInput!) { createWorkOrder(input: $i) { id } }`;
const RELEASE = `mutation($id: ID!) { releaseWorkOrder(id: $id) { id status } }`;
const CANCEL = `mutation($id: ID!) { cancelWorkOrder(id: $id, reason: "chaos") { id status } }`;
const RECEIVE = `mutation($i: ReceiveStockInput!) { receiveStock(input: $i) { quantity } }`;
const ISSUE = `mutation($i: IssueStockInput!) { issueStock(input: $i) { quantity } }`;
const SET_STATE = `mutation($m: ID!, $s: MachineState!) { setMachineState(machineId: $m, state: $s) { id state } }`;
const HOLD = `mutation($w: ID!) { placeWorkOrderHold(workOrderId: $w, reason: "chaos") { id } }`;
const UNHOLD = `mutation($h: ID!) { releaseWorkOrderHold(holdId: $h) { id } }`;
const READ = `query($p: ID!) { workOrders(limit: 5) { totalCount items { number status product { code } } } stockAlerts(plantId: $p) { items { severity material { code } } } machines(plantId: $p) { items { code state } } }`;

let sequence = 0;

export class ChaosLoad {
  readonly ledger = emptyLedger();
  private running = true;
  private readonly loops: Promise<void>[] = [];

  constructor(
    private readonly writer: ChaosWriter,
    private readonly fx: ChaosFixture,
    private readonly readUrls: string[],
    private readonly token: () => Promise<string>,
  ) {}

  /** Writers and a reader until stop(). */
  start(writers = 3): void {
    for (let i = 0; i < writers; i++) this.loops.push(this.loop(() => this.writeOnce()));
    this.loops.push(this.loop(() => this.machineOnce(), 250));
    this.loops.push(this.loop(() => this.holdOnce(), 1500));
    this.loops.push(this.loop(() => this.readOnce(), 200));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async loop(step: () => Promise<void>, pauseMs = 50): Promise<void> {
    while (this.running) {
      await step();
      await sleep(pauseMs);
    }
  }

  private note(what: string, out: WriteOutcome<unknown>): boolean {
    if (out.acked) {
      if (out.data === undefined) this.ledger.answerLost += 1;
      return true;
    }
    this.ledger.unexpected.push({ what, code: out.code, message: out.message });
    return false;
  }

  async writeOnce(): Promise<void> {
    const roll = Math.random();
    if (roll < 0.3) {
      const number = `WO-CH-${process.pid}-${++sequence}`;
      const quantity = between(1, 5);
      const created = await this.writer.write<{ createWorkOrder: { id: string } }>(CREATE_WO, {
        i: { productId: this.fx.productId, number, quantity, dueDate: "2027-06-30T00:00:00Z" },
      });
      if (!this.note(`create ${number}`, created)) return;
      // An answer lost after commit carries no id: the checks find the order by its number.
      const id = created.acked && created.data ? created.data.createWorkOrder.id : null;
      this.ledger.workOrders.push({ id: id ?? "", number, quantity });
      if (!id) return;
      if (!this.note(`release ${number}`, await this.writer.write(RELEASE, { id }))) return;
      this.ledger.released.push(id);
      if (Math.random() < 0.3 && this.note(`cancel ${number}`, await this.writer.write(CANCEL, { id }))) this.ledger.cancelled.push(id);
    } else if (roll < 0.65) {
      const lotNumber = `LOT-${process.pid}-${++sequence}`;
      const materialId = pick(this.fx.materialIds);
      const quantity = between(10, 60);
      const out = await this.writer.write(RECEIVE, { i: { materialId, locationId: pick(this.fx.locationIds), lotNumber, quantity, unitCost: 1.5 } });
      if (this.note(`receive ${lotNumber}`, out)) this.ledger.receipts.push({ lotNumber, materialId, quantity });
    } else {
      // The checks add up, per work order and material, what was acknowledged against what was booked.
      const workOrderId = pick(this.fx.issueTargets);
      const materialId = pick(this.fx.materialIds);
      const quantity = between(5, 50);
      const out = await this.writer.write(ISSUE, { i: { materialId, workOrderId, plantId: this.fx.plantId, quantity } });
      if (out.acked) this.ledger.issues.push({ workOrderId, materialId, quantity });
      else if (out.code === "CONFLICT") this.ledger.refusedIssues.push({ workOrderId, materialId, quantity });
      else this.note(`issue ${workOrderId}`, out);
    }
  }

  /** One machine at a time, each alternating RUNNING and IDLE: every acknowledged call is one change. */
  private machineTurn = 0;
  async machineOnce(): Promise<void> {
    const machineId = this.fx.machineIds[this.machineTurn++ % this.fx.machineIds.length]!;
    const states = this.ledger.machineStates.get(machineId) ?? [];
    const state = states.at(-1) === "RUNNING" ? "IDLE" : "RUNNING";
    if (this.note(`machine ${machineId} ${state}`, await this.writer.write(SET_STATE, { m: machineId, s: state }))) {
      this.ledger.machineStates.set(machineId, [...states, state]);
    }
  }

  async holdOnce(): Promise<void> {
    const held = await this.writer.write<{ placeWorkOrderHold: { id: string } }>(HOLD, { w: this.fx.heldOrderId });
    if (!this.note("hold", held) || !held.acked || !held.data) return;
    if (this.note("unhold", await this.writer.write(UNHOLD, { h: held.data.placeWorkOrderHold.id }))) this.ledger.holds += 1;
  }

  async readOnce(): Promise<void> {
    try {
      const res = await fetch(pick(this.readUrls), {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${await this.token()}` },
        body: JSON.stringify({ query: READ, variables: { p: this.fx.plantId } }),
        signal: AbortSignal.timeout(15_000),
      });
      const body = (await res.json()) as { data?: unknown; errors?: unknown[] };
      if (body.data && !body.errors?.length) this.ledger.reads.ok += 1;
      else if (body.data) this.ledger.reads.partial += 1;
      else this.ledger.reads.failed += 1;
    } catch {
      this.ledger.reads.failed += 1;
    }
  }
}

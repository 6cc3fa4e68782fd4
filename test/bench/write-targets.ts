// What the bench writes to: running operations and bill-of-materials materials of the work
// orders each plant's dashboard shows (so the writes change what the dashboards read), with room
// for many runs' writes (an operation takes at most its order's quantity, an issue what is on hand).
import { scaleId } from "../../scripts/scale-data.ts";
import { operationTarget, stockTarget, type Target } from "./freshness.ts";

interface DashboardData {
  workOrders: {
    items: {
      number: string;
      status: string;
      operations: { sequence: number; status: string }[];
      product: { billOfMaterials: { material: { code: string } }[] };
    }[];
  };
}

const CAPACITY = `query Capacity($id: ID!) { workOrder(id: $id) { quantity operations { id status goodQuantity scrapQuantity } } }`;
const ON_HAND = `query OnHand($m: ID!, $p: ID!) { material(id: $m) { onHand(plantId: $p) } }`;
type Operation = { id: string; status: string; goodQuantity: number; scrapQuantity: number };
const indexOf = (code: string) => Number(code.replace(/^\D+-/, ""));

/** A GraphQL read through the gateway with one caller's token (data only). */
const asker =
  (url: string, authorization: string) =>
  async <T>(query: string, variables: Record<string, unknown>): Promise<T | undefined> => {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization },
      body: JSON.stringify({ query, variables }),
    });
    return ((await res.json()) as { data?: T }).data;
  };

/**
 * (c)'s materials: `count` materials of the scale data with at least `room` on hand at the plant,
 * spread over the catalogue (every run issues from them, so a material run dry is passed over
 * rather than answering every issue with CONFLICT).
 */
export async function materialsWithStock(
  url: string,
  authorization: string,
  plantId: string,
  total: number,
  count = 200,
  room = 50,
): Promise<string[]> {
  const ask = asker(url, authorization);
  const found: string[] = [];
  for (let k = 0; k < total && found.length < count; k++) {
    const id = scaleId("material", (k * 7) % total);
    const onHand = (await ask<{ material: { onHand: number } | null }>(ON_HAND, { m: id, p: plantId }))?.material?.onHand ?? 0;
    if (onHand >= room && !found.includes(id)) found.push(id);
  }
  if (found.length < count) throw new Error(`only ${found.length} materials have ${room} on hand at plant ${plantId}: seed the scale data again`);
  return found;
}

/**
 * Per plant: up to `perPlant` running operations with at least `room` units left, and as many
 * materials, from the plant's dashboard answer; falls back to other running orders of the plant.
 */
export async function pickTargets(
  url: string,
  authorization: string,
  plantIds: string[],
  dashboards: DashboardData[],
  fallbackOrders: number[][],
  perPlant = 6,
  room = 150,
): Promise<Target[]> {
  const ask = asker(url, authorization);
  const targets: Target[] = [];
  for (const [plant, dashboard] of dashboards.entries()) {
    const candidates = [
      ...dashboard.workOrders.items.filter((w) => w.status === "IN_PROGRESS").map((w) => indexOf(w.number)),
      ...(fallbackOrders[plant] ?? []),
    ];
    const ops: Target[] = [];
    let workOrderId = "";
    for (const i of new Set(candidates)) {
      if (ops.length >= perPlant) break;
      const wo = (await ask<{ workOrder: { quantity: number; operations: Operation[] } | null }>(CAPACITY, { id: scaleId("wo", i) }))?.workOrder;
      const op = wo?.operations.find((o) => o.status === "IN_PROGRESS" && wo.quantity - o.goodQuantity - o.scrapQuantity >= room);
      if (!op) continue;
      ops.push(operationTarget(plant, scaleId("wo", i), op.id));
      workOrderId ||= scaleId("wo", i);
    }
    if (!ops.length) throw new Error(`no running operation of plant ${plant} has ${room} units of room left: seed the scale data again`);
    // Materials with stock for many runs' issues (an issue of more than is on hand is refused).
    const materials: Target[] = [];
    for (const code of new Set(dashboard.workOrders.items.flatMap((w) => w.product.billOfMaterials.map((b) => b.material.code)))) {
      if (materials.length >= perPlant) break;
      const id = scaleId("material", indexOf(code));
      const onHand = (await ask<{ material: { onHand: number } | null }>(ON_HAND, { m: id, p: plantIds[plant] }))?.material?.onHand ?? 0;
      if (onHand >= room) materials.push(stockTarget(plant, plantIds[plant]!, id, workOrderId));
    }
    if (!materials.length) throw new Error(`no material of plant ${plant}'s dashboard has ${room} on hand: seed the scale data again`);
    targets.push(...ops, ...materials);
  }
  return targets;
}

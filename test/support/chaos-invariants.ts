// What must hold after a chaos run, read straight from the subgraphs' databases.
import pg from "pg";
import type { SubgraphName } from "@mes/db";

export async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** The last outbox event of a subgraph now: subscribers start after it. */
export async function streamPosition(url: string): Promise<string> {
  const [row] = await query<{ id: string | null }>(url, `SELECT max(id)::text AS id FROM "OutboxEvent"`);
  return row?.id ?? "0";
}

/** Which events a subscription should deliver: one event type of one subgraph, by plant or aggregate. */
export interface StreamFilter {
  subgraph: SubgraphName;
  type: string;
  plantId?: string;
  aggregateId?: string;
}

/** The committed events of a filter after `from`, in cursor order. */
export async function committedEvents(url: string, f: StreamFilter, from: string): Promise<string[]> {
  const rows = await query<{ id: string }>(
    url,
    `SELECT id::text AS id FROM "OutboxEvent"
      WHERE type = $1 AND id > $2::bigint AND ($3::uuid IS NULL OR "plantId" = $3::uuid) AND ($4::text IS NULL OR "aggregateId" = $4)
      ORDER BY "OutboxEvent".id`, // the bigint, not its text
    [f.type, from, f.plantId ?? null, f.aggregateId ?? null],
  );
  return rows.map((r) => r.id);
}

/**
 * Stock = receipts − issues for every material and location: what the stock rows hold against
 * the sum of the stock transactions that booked them. Returns the places where they differ.
 */
export async function stockMismatches(inventoryUrl: string): Promise<{ materialId: string; locationId: string; onHand: string; booked: string }[]> {
  return query(
    inventoryUrl,
    `WITH booked AS (
       SELECT "materialId", "locationId",
              sum(CASE WHEN type = 'RECEIPT' THEN abs(quantity) WHEN type = 'ISSUE' THEN -abs(quantity) ELSE quantity END) AS q
         FROM "StockTransaction" GROUP BY 1, 2),
     held AS (SELECT "materialId", "locationId", sum(quantity) AS q FROM "Stock" GROUP BY 1, 2)
     SELECT coalesce(b."materialId", h."materialId")::text AS "materialId", coalesce(b."locationId", h."locationId")::text AS "locationId",
            coalesce(h.q, 0)::text AS "onHand", coalesce(b.q, 0)::text AS booked
       FROM booked b FULL JOIN held h ON b."materialId" = h."materialId" AND b."locationId" = h."locationId"
      WHERE coalesce(b.q, 0) <> coalesce(h.q, 0)`,
  );
}

/** Released and not ended: the statuses that hold a reservation. */
const OPEN = new Set(["RELEASED", "IN_PROGRESS", "ON_HOLD"]);

/**
 * Reservations = BOM × quantity for every released work order (none for the others), from
 * production's orders and BOM against inventory's reservations. Returns the differences.
 */
export async function reservationMismatches(
  productionUrl: string,
  inventoryUrl: string,
  bom: { materialId: string; quantityPer: number }[],
): Promise<{ workOrderId: string; materialId: string; expected: number; reserved: number }[]> {
  const orders = await query<{ id: string; status: string; quantity: string }>(
    productionUrl,
    `SELECT id::text, status::text, quantity::text FROM "WorkOrder"`,
  );
  const reservations = await query<{ workOrderId: string; materialId: string; quantity: string }>(
    inventoryUrl,
    `SELECT "workOrderId"::text, "materialId"::text, quantity::text FROM "Reservation"`,
  );
  const reserved = new Map(reservations.map((r) => [`${r.workOrderId}/${r.materialId}`, Number(r.quantity)]));
  const out: { workOrderId: string; materialId: string; expected: number; reserved: number }[] = [];
  for (const wo of orders) {
    for (const line of bom) {
      const expected = OPEN.has(wo.status) ? line.quantityPer * Number(wo.quantity) : 0;
      const key = `${wo.id}/${line.materialId}`;
      const got = reserved.get(key) ?? 0;
      reserved.delete(key);
      if (got !== expected) out.push({ workOrderId: wo.id, materialId: line.materialId, expected, reserved: got });
    }
  }
  for (const [key, q] of reserved) {
    const [workOrderId, materialId] = key.split("/") as [string, string];
    out.push({ workOrderId, materialId, expected: 0, reserved: q });
  }
  return out;
}

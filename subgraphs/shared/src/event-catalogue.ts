import { z } from "zod";

// The one catalogue of events that subgraphs write to their outbox and others follow. A producer
// builds a payload of its event's type and a consumer reads the same type, so a change on either
// side breaks the other at compile time; followers also parse payloads with these schemas, so a
// producer of another version cannot hand them something else silently.
// Quantities and amounts travel as decimal strings (no float rounding between databases).

const id = z.string();
const decimal = z.string().regex(/^-?\d+(\.\d+)?$/, "must be a decimal number as a string");
const instant = z.string(); // ISO 8601, UTC
const workOrderStatus = z.enum(["PLANNED", "RELEASED", "IN_PROGRESS", "ON_HOLD", "COMPLETED", "CLOSED", "CANCELLED"]);
const machineState = z.enum(["RUNNING", "IDLE", "SETUP", "DOWN", "MAINTENANCE"]);

const stockLevel = {
  materialId: id,
  plantId: id,
  code: z.string(),
  alertId: id,
  available: decimal,
  onHand: decimal,
  reserved: decimal,
  reorderPoint: decimal,
  safetyStock: decimal,
};

export const EVENT_CATALOGUE = {
  /** production: a work order moved from one status to another (RELEASED carries its material needs). */
  WorkOrderStatusChanged: z.object({
    workOrderId: id,
    number: z.string(),
    from: workOrderStatus.nullable(),
    to: workOrderStatus,
    actor: z.string(),
    reason: z.string().nullable(),
    at: instant,
    materialRequirements: z.array(z.object({ materialId: id, quantity: decimal })).optional(),
  }),
  /** production: good and scrap counts logged on an operation. */
  ProductionLogged: z.object({
    productionLogId: id,
    workOrderId: id,
    operationId: id,
    sequence: z.number().int(),
    machineId: id.nullable(),
    shiftId: id.nullable(),
    goodQuantity: decimal,
    scrapQuantity: decimal,
    loggedAt: instant,
  }),
  /** equipment: a machine changed state. */
  MachineStatusChanged: z.object({
    machineId: id,
    code: z.string(),
    from: machineState,
    to: machineState,
    reasonCode: z.string().nullable(),
    actor: z.string(),
    at: instant,
  }),
  /** equipment: a due PM schedule generation produced its maintenance order. */
  MaintenanceOrderCreated: z.object({
    maintenanceOrderId: id,
    number: z.string(),
    machineId: id,
    scheduleId: id,
    generation: z.number().int(),
  }),
  /** quality: an NCR was opened, by a failed inspection or by hand. */
  NcrOpened: z.object({
    ncrId: id,
    number: z.string(),
    severity: z.enum(["MINOR", "MAJOR", "CRITICAL"]),
    workOrderId: id.nullable(),
    materialId: id.nullable(),
    lotId: id.nullable(),
    inspectionId: id.nullable(),
  }),
  /** quality: an NCR was dispositioned; SCRAP asks inventory to scrap `quantity` of the lot at the location. */
  NcrDispositioned: z.object({
    ncrId: id,
    number: z.string(),
    disposition: z.enum(["USE_AS_IS", "REWORK", "SCRAP", "RETURN_TO_SUPPLIER"]),
    materialId: id.nullable(),
    lotId: id.nullable(),
    locationId: id.nullable(),
    quantity: decimal.nullable(),
    workOrderId: id.nullable(),
  }),
  /** quality: an NCR asks inventory to hold its lot. */
  LotHoldRequested: z.object({ ncrId: id, number: z.string(), lotId: id, reason: z.string() }),
  /** quality: the NCR that held a lot was closed; inventory releases that hold. */
  LotHoldReleaseRequested: z.object({ ncrId: id, number: z.string(), lotId: id }),
  /** inventory: availability of a material at a plant crossed below its reorder point. */
  LowStockAlert: z.object({ ...stockLevel, severity: z.enum(["BELOW_REORDER_POINT", "BELOW_SAFETY_STOCK", "STOCKOUT"]) }),
  /** inventory: availability climbed back to or above the reorder point. */
  Restocked: z.object(stockLevel),
  /** inventory: an NCR's scrap disposition could not be applied (not enough stock there). */
  ScrapRejected: z.object({ ncrId: id, number: z.string(), lotId: id, locationId: id, quantity: decimal, available: decimal }),
  /**
   * any subgraph: the reference data of one of its entities (organization, plant, status, time
   * window) was created, changed or deleted. Written by the mes_reference() trigger (prisma/kit.sql);
   * compacted, not pruned: the newest of each entity outlives retention (see COMPACTED_EVENT_TYPES).
   */
  ReferenceChanged: z.object({
    kind: z.string(),
    id,
    organizationId: id,
    plantId: id.nullable(),
    status: z.string().nullable(),
    startsAt: instant.nullable(),
    endsAt: instant.nullable(),
    deleted: z.boolean(),
    /** The kind's detail columns (PublishedKind.details), as the owner's row has them. */
    details: z.record(z.string(), z.unknown()).optional(),
  }),
} as const;

/** Event types kept per aggregate past retention (the newest of each): a new follower reads them all. */
export const COMPACTED_EVENT_TYPES: readonly EventType[] = ["ReferenceChanged"];

export type EventType = keyof typeof EVENT_CATALOGUE;
export type EventPayload<T extends EventType> = z.infer<(typeof EVENT_CATALOGUE)[T]>;

export const EVENT_TYPES = Object.keys(EVENT_CATALOGUE) as EventType[];

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(EVENT_CATALOGUE, type);
}

/** Who caused an event and where it belongs: recorded on every outbox row. */
export interface EventOrigin {
  organizationId: string;
  plantId: string | null;
  /** The token subject whose request wrote the event (`system` for a service's own tasks). */
  actor: string;
  /** The request that wrote it, to follow one change through every service's logs and audit. */
  requestId: string | null;
}

/** An event to append: its type, the aggregate it is about, and the payload of that type. */
export type NewEvent<T extends EventType = EventType> = {
  [K in T]: { type: K; organizationId: string; plantId: string | null; aggregateId: string; payload: EventPayload<K> };
}[T];

/** An event as read from an outbox (feed, live subscriptions): its id is the cursor. */
export type OutboxEvent<T extends EventType = EventType> = {
  [K in T]: EventOrigin & { id: string; type: K; aggregateId: string; payload: EventPayload<K>; createdAt: string };
}[T];

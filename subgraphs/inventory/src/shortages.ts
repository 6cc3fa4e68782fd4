import DataLoader from "dataloader";
import { isUuid, plantFilter, type Tenant } from "@mes/shared";
import { Prisma, type PrismaClient } from "./generated/prisma/client.ts";

// Which open work orders are short of material: production knows what an order requires (its
// bill of materials × quantity), inventory what was issued, what is reserved and what is in stock.

type Decimal = Prisma.Decimal;
const ZERO = new Prisma.Decimal(0);

/** Statuses after which a work order needs no more material: its reservations are freed. */
export const ENDED_STATUSES: ReadonlySet<string> = new Set(["COMPLETED", "CLOSED", "CANCELLED"]);

/** One line of production's MaterialRequirement as the gateway hands it over (@requires). */
export interface RequirementLine {
  materialId: string;
  requiredQuantity: Decimal;
}

/** What inventory knows of one material for one work order at the order's plant. */
export interface MaterialPosition {
  /** Sum of the order's ISSUE (negative) and RETURN (positive) quantities of the material. */
  moved: Decimal;
  /** Still reserved for this order (0 without a reservation). */
  reservedForOrder: Decimal;
  /** On hand at the order's plant, every lot and location. */
  onHand: Decimal;
  /** Reserved at the order's plant for every order, this one included. */
  reservedAtPlant: Decimal;
}

export const NO_POSITION: MaterialPosition = { moved: ZERO, reservedForOrder: ZERO, onHand: ZERO, reservedAtPlant: ZERO };

export interface MaterialShortage {
  materialId: string;
  requiredQuantity: Decimal;
  /** Issued less returned. */
  issuedQuantity: Decimal;
  /** max(0, required − issued + returned). */
  stillNeededQuantity: Decimal;
  reservedQuantity: Decimal;
  /** On hand − reserved at the plant (Material.available); negative when over-reserved. */
  availableQuantity: Decimal;
  /** max(0, stillNeeded − max(0, reserved + available)). */
  shortQuantity: Decimal;
}

/**
 * One line's shortage. This order's reservation plus what is available is what the plant can still
 * give it (on hand less the other orders' reservations); it cannot cover less than nothing, so an
 * over-reserved plant leaves the order short of what it still needs, never of more.
 */
export function shortageOf(line: RequirementLine, p: MaterialPosition): MaterialShortage {
  const issuedQuantity = p.moved.neg();
  const stillNeededQuantity = Prisma.Decimal.max(ZERO, line.requiredQuantity.sub(issuedQuantity));
  const availableQuantity = p.onHand.sub(p.reservedAtPlant);
  const coverable = Prisma.Decimal.max(ZERO, p.reservedForOrder.add(availableQuantity));
  return {
    materialId: line.materialId,
    requiredQuantity: line.requiredQuantity,
    issuedQuantity,
    stillNeededQuantity,
    reservedQuantity: p.reservedForOrder,
    availableQuantity,
    shortQuantity: Prisma.Decimal.max(ZERO, stillNeededQuantity.sub(coverable)),
  };
}

/** Requirement lines with one line per material (a material named twice needs both quantities), first-seen order. */
export function mergeRequirements(lines: readonly RequirementLine[]): RequirementLine[] {
  const merged = new Map<string, RequirementLine>();
  for (const line of lines) {
    const seen = merged.get(line.materialId);
    merged.set(line.materialId, seen ? { ...seen, requiredQuantity: seen.requiredQuantity.add(line.requiredQuantity) } : line);
  }
  return [...merged.values()];
}

/** The lines the order is short of (shortQuantity above 0); none once the order has ended. */
export function shortagesOf(
  status: string | null | undefined,
  lines: readonly RequirementLine[],
  positions: readonly MaterialPosition[],
): MaterialShortage[] {
  if (status && ENDED_STATUSES.has(status)) return [];
  return lines.map((line, i) => shortageOf(line, positions[i] ?? NO_POSITION)).filter((s) => s.shortQuantity.gt(0));
}

/** A DataLoader key: one material of one work order at the order's plant. */
export interface PositionKey {
  workOrderId: string;
  plantId: string;
  materialId: string;
}
const keyOf = (k: PositionKey) => `${k.workOrderId}|${k.plantId}|${k.materialId}`;

type PositionRow = { n: number; moved: Decimal | null; reservedForOrder: Decimal | null; onHand: Decimal | null; reservedAtPlant: Decimal | null };

/**
 * Positions of every (work order, plant, material) asked for in a tick, in one SQL statement. Raw
 * SQL is outside the scoped Prisma client, so it filters by the caller's tenant itself: another
 * organization's or plant's rows count as nothing.
 */
export function materialPositionLoader(db: Pick<PrismaClient, "$queryRaw">, tenant: Tenant) {
  return new DataLoader<PositionKey, MaterialPosition, string>(
    async (keys) => {
      // Ids come from a representation: anything that is not a UUID has nothing here.
      const valid = keys.filter((k) => isUuid(k.workOrderId) && isUuid(k.plantId) && isUuid(k.materialId));
      if (!valid.length) return keys.map(() => NO_POSITION);
      const plants = plantFilter(tenant);
      const org = tenant.organizationId;
      const rows = await db.$queryRaw<PositionRow[]>`
        SELECT l.n::int AS n,
          (SELECT sum(t.quantity) FROM "StockTransaction" t
            WHERE t."workOrderId" = l.wo AND t.type IN ('ISSUE', 'RETURN') AND t."materialId" = l.mat
              AND t."organizationId" = ${org}::uuid AND (${plants}::uuid[] IS NULL OR t."plantId" = ANY(${plants}::uuid[]))) AS moved,
          (SELECT sum(r.quantity) FROM "Reservation" r
            WHERE r."workOrderId" = l.wo AND r."materialId" = l.mat
              AND r."organizationId" = ${org}::uuid AND (${plants}::uuid[] IS NULL OR r."plantId" = ANY(${plants}::uuid[]))) AS "reservedForOrder",
          (SELECT sum(s.quantity) FROM "Stock" s
            WHERE s."organizationId" = ${org}::uuid AND s."plantId" = l.plant AND s."materialId" = l.mat
              AND (${plants}::uuid[] IS NULL OR s."plantId" = ANY(${plants}::uuid[]))) AS "onHand",
          (SELECT sum(r.quantity) FROM "Reservation" r
            WHERE r."materialId" = l.mat AND r."plantId" = l.plant
              AND r."organizationId" = ${org}::uuid AND (${plants}::uuid[] IS NULL OR r."plantId" = ANY(${plants}::uuid[]))) AS "reservedAtPlant"
        FROM unnest(${valid.map((k) => k.workOrderId)}::uuid[], ${valid.map((k) => k.plantId)}::uuid[], ${valid.map((k) => k.materialId)}::uuid[])
          WITH ORDINALITY AS l(wo, plant, mat, n)`;
      const found = new Map<string, MaterialPosition>();
      for (const r of rows) {
        found.set(keyOf(valid[r.n - 1]!), {
          moved: r.moved ?? ZERO,
          reservedForOrder: r.reservedForOrder ?? ZERO,
          onHand: r.onHand ?? ZERO,
          reservedAtPlant: r.reservedAtPlant ?? ZERO,
        });
      }
      return keys.map((k) => found.get(keyOf(k)) ?? NO_POSITION);
    },
    { cacheKeyFn: keyOf },
  );
}

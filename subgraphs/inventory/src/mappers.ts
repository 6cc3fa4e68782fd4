// Which TypeScript value stands behind each GraphQL type (what resolvers return and receive as
// parent), read by `pnpm codegen`: `export type XMapper` maps GraphQL type X. Tables are Prisma rows
// (quantities are Decimals, references are ids), so resolvers of those fields see the stored row.
import type {
  CostLayer,
  Location,
  Lot,
  Material,
  Reservation,
  Stock,
  StockAlert,
  StockAlertSeverity,
  StockTransaction,
} from "./generated/prisma/client.ts";
import type { Movement } from "./stock.ts";
import type { GenealogyLink } from "./genealogy.ts";
import type { MaterialShortage } from "./shortages.ts";
import type { MaterialValuation, SettlementSummary } from "./valuation.ts";

export type MaterialMapper = Material;
export type LocationMapper = Location;
export type LotMapper = Lot;
export type StockMapper = Stock;
export type StockTransactionMapper = StockTransaction;
export type StockAlertMapper = StockAlert;
export type ReservationMapper = Reservation;
export type CostLayerMapper = CostLayer;
/** One material's quantity and value at a plant (Decimals). */
export type MaterialValuationMapper = MaterialValuation;
/** A work order's settlement, summed from its transactions. */
export type CostSettlementMapper = SettlementSummary;

/** A stock mutation's result: the ids of its transactions (loaded when asked for). */
export type StockMovementMapper = Movement;

/** A genealogy query's row: lot and work order by id. */
export type GenealogyLinkMapper = GenealogyLink;

/**
 * Production owns work orders; inventory knows one by its id and adds its material side. The other
 * fields arrive only in a representation whose selection @requires them (materialShortages), as
 * plain JSON.
 */
export interface WorkOrderMapper {
  id: string;
  plant?: { id: string };
  status?: string;
  materialRequirements?: { material: { id: string }; requiredQuantity: number | string }[];
}

/** One requirement line the order is short of (Decimals). */
export type MaterialShortageMapper = MaterialShortage;

/** A LowStockAlert or Restocked outbox event, as its subscription field resolves it. */
export interface StockLevelEventMapper {
  cursor: string;
  at: string;
  materialId: string;
  plantId: string;
  severity: StockAlertSeverity | null;
  available: number;
  onHand: number;
  reserved: number;
  reorderPoint: number;
  safetyStock: number;
}

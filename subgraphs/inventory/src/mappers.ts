// Which TypeScript value stands behind each GraphQL type (what resolvers return and receive as
// parent), read by `pnpm codegen`: `export type XMapper` maps GraphQL type X. Tables are Prisma rows
// (quantities are Decimals, references are ids), so resolvers of those fields see the stored row.
import type { Location, Lot, Material, Reservation, Stock, StockAlert, StockAlertSeverity, StockTransaction } from "./generated/prisma/client.ts";
import type { Movement } from "./stock.ts";
import type { GenealogyLink } from "./genealogy.ts";

export type MaterialMapper = Material;
export type LocationMapper = Location;
export type LotMapper = Lot;
export type StockMapper = Stock;
export type StockTransactionMapper = StockTransaction;
export type StockAlertMapper = StockAlert;
export type ReservationMapper = Reservation;

/** A stock mutation's result: the ids of its transactions (loaded when asked for). */
export type StockMovementMapper = Movement;

/** A genealogy query's row: lot and work order by id. */
export type GenealogyLinkMapper = GenealogyLink;

/** Production owns work orders; inventory knows one by its id and adds its material side. */
export interface WorkOrderMapper {
  id: string;
}

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

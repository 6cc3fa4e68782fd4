import { z } from "zod";
import {
  badUserInput,
  zCode,
  zDate,
  zDecimal,
  zId,
  zOptionalText,
  zQuantity,
  zText,
  zUnitCost,
  type FieldProblem,
  type InputShape,
} from "@mes/shared";
import type {
  AdjustStockInput,
  IssueStockInput,
  ReceiveStockInput,
  ReturnStockInput,
  ScrapStockInput,
  TransferStockInput,
} from "./resolvers-types.generated.ts";

// What stock mutations accept, checked before anything is read or written, and the pure rules
// about their inputs that the domain functions apply once the rows are read.

/**
 * Transaction values and stock quantities are NUMERIC(18,4): below 10^14. Each number may be within
 * its own bounds and their product still beyond, so a movement's value is checked as well.
 */
export const MAX_AMOUNT = 1e14;

/** Whether `quantity` at `unitCost` is a value a transaction can record (rounded to 4 places, as stored). */
export function valueFits(quantity: number, unitCost: number): boolean {
  return Math.abs(Math.round(quantity * unitCost * 1e4) / 1e4) < MAX_AMOUNT;
}

const VALUE_TOO_LARGE = `quantity times unitCost must be less than ${MAX_AMOUNT} (the largest value a stock transaction records)`;

/** Adds an issue at both numbers when their product is beyond what a transaction records. */
function checkValue(quantityKey: string, quantity: number, unitCost: number | null | undefined, ctx: z.RefinementCtx) {
  if (unitCost == null || valueFits(quantity, unitCost)) return;
  ctx.addIssue({ code: "custom", path: [quantityKey], message: VALUE_TOO_LARGE });
  ctx.addIssue({ code: "custom", path: ["unitCost"], message: VALUE_TOO_LARGE });
}

/** A signed change of a NUMERIC(18,4) quantity: not 0, at most 4 decimal places. */
export const zQuantityChange = zDecimal(4, { min: -1e12, max: 1e12 }).refine((v) => v !== 0, "must not be 0");

export const receiptInput = z
  .object({
    materialId: zId,
    locationId: zId,
    lotNumber: zCode,
    quantity: zQuantity,
    unitCost: zUnitCost.nullish(),
    supplier: zOptionalText(200),
    expiresAt: zDate.nullish(),
    workOrderId: zId.nullish(),
  } satisfies InputShape<ReceiveStockInput>)
  .superRefine((v, ctx) => checkValue("quantity", v.quantity, v.unitCost, ctx));

export const issueInput = z.object({
  materialId: zId,
  workOrderId: zId,
  quantity: zQuantity,
  plantId: zId.nullish(),
  locationId: zId.nullish(),
  lotId: zId.nullish(),
} satisfies InputShape<IssueStockInput>);

export const returnInput = z.object({
  materialId: zId,
  workOrderId: zId,
  lotId: zId,
  locationId: zId,
  quantity: zQuantity,
} satisfies InputShape<ReturnStockInput>);

export const adjustInput = z
  .object({
    materialId: zId,
    lotId: zId,
    locationId: zId,
    reason: zText,
    quantityChange: zQuantityChange,
    unitCost: zUnitCost.nullish(),
  } satisfies InputShape<AdjustStockInput>)
  .superRefine((v, ctx) => {
    // Stock counted short leaves at FIFO cost: a unit cost given for it would be silently ignored.
    if (v.quantityChange < 0 && v.unitCost != null)
      ctx.addIssue({ code: "custom", path: ["unitCost"], message: "only for a positive quantityChange (stock taken out leaves at FIFO cost)" });
    else checkValue("quantityChange", v.quantityChange, v.unitCost, ctx);
  });

export const scrapInput = z.object({
  materialId: zId,
  lotId: zId,
  locationId: zId,
  quantity: zQuantity,
  reason: zText,
} satisfies InputShape<ScrapStockInput>);

export const transferInput = z.object({
  materialId: zId,
  lotId: zId,
  fromLocationId: zId,
  toLocationId: zId,
  quantity: zQuantity,
} satisfies InputShape<TransferStockInput>);

/**
 * The plant an issue takes from: plantId, or the plant of the location or lot given. Where several
 * are given they must agree; a disagreement is refused naming the fields involved.
 */
export function issuePlant(given: { plantId?: string | null; locationPlantId?: string | null; lotPlantId?: string | null }): string {
  const { plantId, locationPlantId, lotPlantId } = given;
  const problems: FieldProblem[] = [];
  if (plantId && locationPlantId && plantId !== locationPlantId)
    problems.push({ field: "input.plantId", message: "is not the plant of locationId" }, { field: "input.locationId", message: "at another plant" });
  if (plantId && lotPlantId && plantId !== lotPlantId)
    problems.push({ field: "input.plantId", message: "is not the plant of lotId" }, { field: "input.lotId", message: "at another plant" });
  if (locationPlantId && lotPlantId && locationPlantId !== lotPlantId)
    problems.push({ field: "input.lotId", message: "at another plant than locationId" });
  if (problems.length) throw badUserInput("The location, lot and plant given are not at the same plant", problems);
  const plant = locationPlantId ?? lotPlantId ?? plantId;
  if (!plant)
    throw badUserInput("Say where to issue from: plantId, locationId or lotId", [
      { field: "input.plantId", message: "give plantId, locationId or lotId" },
    ]);
  return plant;
}

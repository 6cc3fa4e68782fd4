import { z } from "zod";
import {
  appendEvent,
  badUserInput,
  notFound,
  orderByOf,
  paginate,
  zCode,
  zId,
  zName,
  zOptionalText,
  zQuantity,
  zText,
  type OrderArg,
  type Page,
  type PageArgs,
  type InputShape,
  clockNow,
} from "@mes/shared";
import type { Ncr, NcrStatus, Prisma } from "./generated/prisma/client.ts";
import { NcrDisposition, NcrSeverity } from "./generated/prisma/enums.ts";
import type { QualityTx } from "./context.ts";
import { assertMove, assertNotClosed, scrapProblems } from "./ncr-status.ts";
import type { DispositionNcrInput, OpenNcrInput } from "./resolvers-types.generated.ts";

export const openNcrInput = z.object({
  plantId: zId,
  number: zCode,
  title: zName,
  description: zOptionalText(5000),
  severity: z.enum(NcrSeverity),
  workOrderId: zId.nullish(),
  materialId: zId.nullish(),
  lotId: zId.nullish(),
  inspectionId: zId.nullish(),
} satisfies InputShape<OpenNcrInput>);

export const dispositionNcrInput = z.object({
  id: zId,
  disposition: z.enum(NcrDisposition),
  rootCause: zText,
  containmentAction: zText,
  // dispositionQuantity is NUMERIC(18,4)
  quantity: zQuantity.nullish(),
  locationId: zId.nullish(),
} satisfies InputShape<DispositionNcrInput>);

/** Who an NCR is assigned to. */
export const assigneeInput = z.string().trim().min(1, "must not be empty").max(128);
export const defectTypeInput = zText;
/** NcrDefect.quantity is NUMERIC(18,4). */
export const defectQuantityInput = zQuantity;

export type NewNcr = z.infer<typeof openNcrInput>;
export type NcrDispositionDecision = z.infer<typeof dispositionNcrInput>;

/** Where an NCR's events belong, and the NCR every payload names. */
const ncrOrigin = (ncr: Ncr) => ({ organizationId: ncr.organizationId, plantId: ncr.plantId, aggregateId: ncr.id });
const ncrKey = (ncr: Ncr) => ({ ncrId: ncr.id, number: ncr.number });

/** NcrOpened, the same whether a failed inspection or a person opened the NCR. */
export function announceNcrOpened(tx: QualityTx, ncr: Ncr): Promise<void> {
  return appendEvent(tx, {
    ...ncrOrigin(ncr),
    type: "NcrOpened",
    payload: {
      ...ncrKey(ncr),
      severity: ncr.severity,
      workOrderId: ncr.workOrderId,
      materialId: ncr.materialId,
      lotId: ncr.lotId,
      inspectionId: ncr.inspectionId,
    },
  });
}

/** The NCR, locked until the transaction ends, so concurrent moves apply one after the other. */
async function lockNcr(tx: QualityTx, id: string): Promise<Ncr> {
  await tx.$queryRaw`SELECT id FROM "Ncr" WHERE id = ${id}::uuid FOR UPDATE`;
  const ncr = await tx.ncr.findUnique({ where: { id } });
  if (!ncr) throw notFound("NCR", id);
  return ncr;
}

/** Opens an NCR by hand; an inspection it names must be one of the same plant. */
export async function openNcr(tx: QualityTx, organizationId: string, input: NewNcr): Promise<Ncr> {
  if (input.inspectionId) {
    const inspection = await tx.inspection.findUnique({ where: { id: input.inspectionId } });
    if (!inspection) {
      throw badUserInput(`Inspection ${input.inspectionId} does not exist`, [{ field: "input.inspectionId", message: "no such inspection" }]);
    }
    // Either may be the wrong one: name both, the plant first (the inspection exists).
    if (inspection.plantId !== input.plantId) {
      throw badUserInput(`Inspection ${input.inspectionId} is of another plant than ${input.plantId}`, [
        { field: "input.plantId", message: "not the plant of the inspection" },
        { field: "input.inspectionId", message: "an inspection of another plant" },
      ]);
    }
  }
  const ncr = await tx.ncr.create({ data: { ...input, organizationId } });
  await announceNcrOpened(tx, ncr);
  return ncr;
}

/** OPEN -> UNDER_REVIEW, optionally assigning it. */
export async function reviewNcr(tx: QualityTx, id: string, assignee: string | null): Promise<Ncr> {
  const ncr = await lockNcr(tx, id);
  assertMove(ncr, "UNDER_REVIEW");
  return tx.ncr.update({ where: { id: ncr.id }, data: { status: "UNDER_REVIEW", ...(assignee ? { assignee } : {}) } });
}

export async function assignNcr(tx: QualityTx, id: string, assignee: string): Promise<Ncr> {
  const ncr = await lockNcr(tx, id);
  assertNotClosed(ncr);
  return tx.ncr.update({ where: { id: ncr.id }, data: { assignee } });
}

/** Records a defect; answers the NCR as it was (its defects are a field of their own). */
export async function addNcrDefect(tx: QualityTx, ncrId: string, type: string, quantity: number): Promise<Ncr> {
  const ncr = await lockNcr(tx, ncrId);
  assertNotClosed(ncr);
  await tx.ncrDefect.create({ data: { ncrId: ncr.id, type, quantity } });
  return ncr;
}

/** UNDER_REVIEW -> DISPOSITIONED; announced, so inventory scraps the stock of a SCRAP disposition. */
export async function dispositionNcr(tx: QualityTx, input: NcrDispositionDecision): Promise<Ncr> {
  const ncr = await lockNcr(tx, input.id);
  assertMove(ncr, "DISPOSITIONED");
  if (input.disposition === "SCRAP") {
    const gaps = scrapProblems(ncr, input);
    if (gaps.length) throw badUserInput(`A SCRAP disposition needs stock to scrap: ${gaps.map((g) => g.message).join("; ")}`, gaps);
  }
  const updated = await tx.ncr.update({
    where: { id: ncr.id },
    data: {
      status: "DISPOSITIONED",
      disposition: input.disposition,
      rootCause: input.rootCause,
      containmentAction: input.containmentAction,
      dispositionQuantity: input.quantity ?? null,
      locationId: input.locationId ?? ncr.locationId,
      dispositionedAt: clockNow(),
    },
  });
  await appendEvent(tx, {
    ...ncrOrigin(updated),
    type: "NcrDispositioned",
    payload: {
      ...ncrKey(updated),
      disposition: input.disposition,
      materialId: updated.materialId,
      lotId: updated.lotId,
      locationId: updated.locationId,
      // toFixed: a decimal string in plain notation, as the catalogue wants
      quantity: updated.dispositionQuantity?.toFixed() ?? null,
      workOrderId: updated.workOrderId,
    },
  });
  return updated;
}

/** DISPOSITIONED -> CLOSED; a lot hold this NCR requested is released. */
export async function closeNcr(tx: QualityTx, id: string): Promise<Ncr> {
  const ncr = await lockNcr(tx, id);
  assertMove(ncr, "CLOSED");
  const closed = await tx.ncr.update({ where: { id: ncr.id }, data: { status: "CLOSED", closedAt: clockNow() } });
  if (ncr.lotHoldRequested && ncr.lotId) {
    await appendEvent(tx, { ...ncrOrigin(closed), type: "LotHoldReleaseRequested", payload: { ...ncrKey(closed), lotId: ncr.lotId } });
  }
  return closed;
}

/** Asks inventory to hold the NCR's lot (once); `locationId` says where the lot is. */
export async function requestLotHold(tx: QualityTx, ncrId: string, locationId: string | null): Promise<Ncr> {
  const ncr = await lockNcr(tx, ncrId);
  if (!ncr.lotId) throw badUserInput(`${ncr.number} names no lot to hold`, [{ field: "ncrId", message: "an NCR naming no lot" }]);
  assertNotClosed(ncr);
  if (ncr.lotHoldRequested) return ncr;
  const updated = await tx.ncr.update({ where: { id: ncr.id }, data: { lotHoldRequested: true, ...(locationId ? { locationId } : {}) } });
  await appendEvent(tx, {
    ...ncrOrigin(updated),
    type: "LotHoldRequested",
    payload: { ...ncrKey(updated), lotId: ncr.lotId, reason: `${ncr.number}: ${ncr.title}` },
  });
  return updated;
}

/** Columns of NcrOrderField; left out, newest first. */
const NCR_ORDER = { NUMBER: "number", CREATED_AT: "createdAt", SEVERITY: "severity", STATUS: "status" } as const;

/** NCRs, newest first unless `orderBy` says otherwise, of a plant and/or in some statuses. */
export function listNcrs(
  db: QualityTx,
  filter: { plantId: string | null; status?: NcrStatus[] | null; from?: Date | null; to?: Date | null; defectType?: string | null },
  page: PageArgs & { orderBy?: OrderArg<keyof typeof NCR_ORDER> | null },
): Promise<Page<Ncr>> {
  const where: Prisma.NcrWhereInput = {
    ...(filter.plantId ? { plantId: filter.plantId } : {}),
    ...(filter.status?.length ? { status: { in: filter.status } } : {}),
    ...(filter.from || filter.to ? { createdAt: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lt: filter.to } : {}) } } : {}),
    ...(filter.defectType ? { defects: { some: { type: filter.defectType } } } : {}),
  };
  return paginate(
    page,
    (w) => db.ncr.findMany({ where, orderBy: orderByOf(page.orderBy, NCR_ORDER, [{ createdAt: "desc" }]), ...w }),
    () => db.ncr.count({ where }),
  );
}

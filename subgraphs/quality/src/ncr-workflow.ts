import { z } from "zod";
import { appendEvent, badUserInput, conflict, decimalToNumber, entityRef, notFound, parseInput, plantFilter, ratio, requireId, zId, zText, type RawSqlClient } from "@mes/shared";
import { Prisma, type Characteristic, type Inspection, type Ncr, type NcrStatus } from "./generated/prisma/client.ts";
import type { QualityContext } from "./context.ts";

export type Tx = Prisma.TransactionClient & RawSqlClient;
const text = zText;
const person = z.string().trim().min(1, "must not be empty").max(128);

export const NCR_NEXT: Record<NcrStatus, NcrStatus[]> = { OPEN: ["UNDER_REVIEW"], UNDER_REVIEW: ["DISPOSITIONED"], DISPOSITIONED: ["CLOSED"], CLOSED: [] };

const recordInput = z.object({
  planId: zId, workOrderId: zId.nullish(), materialId: zId.nullish(), lotId: zId.nullish(),
  quantityInspected: z.number().int().min(1, "must be at least 1"),
  measurements: z.array(z.object({ characteristicId: zId, value: z.number().finite().nullish(), passed: z.boolean().nullish() })),
  inspector: z.string().trim().max(200).nullish(),
  openNcrOnFailure: z.boolean(),
  ncrSeverity: z.enum(["MINOR", "MAJOR", "CRITICAL"]),
});

const dispositionInput = z.object({
  id: zId, disposition: z.enum(["USE_AS_IS", "REWORK", "SCRAP", "RETURN_TO_SUPPLIER"]),
  rootCause: text, containmentAction: text,
  quantity: z.number().finite().positive("must be greater than 0").nullish(), locationId: zId.nullish(),
});

/** Pass/fail of one reading: a numeric value within its limits (inclusive), or the attribute's verdict. */
function judge(c: Characteristic, m: { value?: number | null; passed?: boolean | null }): { value: number | null; passed: boolean } | string {
  if (c.kind === "ATTRIBUTE") return m.passed == null ? `${c.name} is pass/fail: give passed` : { value: null, passed: m.passed };
  if (m.value == null) return `${c.name} is numeric: give value`;
  const ok = (c.lowerLimit === null || new Prisma.Decimal(m.value).gte(c.lowerLimit)) && (c.upperLimit === null || new Prisma.Decimal(m.value).lte(c.upperLimit));
  return { value: m.value, passed: ok };
}

async function lockNcr(tx: Tx, id: string): Promise<Ncr> {
  await tx.$queryRaw`SELECT id FROM "Ncr" WHERE id = ${id}::uuid FOR UPDATE`;
  const ncr = await tx.ncr.findUnique({ where: { id } });
  if (!ncr) throw notFound("NCR", id);
  return ncr;
}

function assertMove(ncr: Ncr, to: NcrStatus) {
  if (!NCR_NEXT[ncr.status].includes(to)) {
    const allowed = NCR_NEXT[ncr.status];
    throw conflict(`${ncr.number} is ${ncr.status}; it can go to ${allowed.join(" or ") || "no other status"}, not ${to}`, { currentStatus: ncr.status, allowedNextStatuses: allowed });
  }
}

const ncrEvent = (tx: Tx, ncr: Ncr, type: string, payload: Record<string, unknown>) =>
  appendEvent(tx, { organizationId: ncr.organizationId, plantId: ncr.plantId, type, aggregateId: ncr.id, payload: { ncrId: ncr.id, number: ncr.number, ...payload } });

/** NcrOpened, the same whether a failed inspection or a person opened the NCR. */
export const announceNcrOpened = (tx: Tx, ncr: Ncr) =>
  ncrEvent(tx, ncr, "NcrOpened", { severity: ncr.severity, workOrderId: ncr.workOrderId, materialId: ncr.materialId, lotId: ncr.lotId, inspectionId: ncr.inspectionId });

export const ncrWorkflow = {
  Mutation: {
    recordInspection: async (_: unknown, a: { input: unknown }, ctx: QualityContext) => {
      const input = parseInput(recordInput, a.input);
      return ctx.db.$transaction(async (txc) => {
        const tx = txc as Tx;
        const plan = await tx.inspectionPlan.findUnique({ where: { id: input.planId }, include: { characteristics: true } });
        if (!plan) throw badUserInput(`Inspection plan ${input.planId} does not exist`, [{ field: "input.planId", message: "no such inspection plan" }]);
        const problems: { field: string; message: string }[] = [];
        const readings = plan.characteristics.map((c) => {
          const given = input.measurements.filter((m) => m.characteristicId === c.id);
          if (given.length !== 1) {
            problems.push({ field: "input.measurements", message: `${c.name} needs exactly one measurement` });
            return null;
          }
          const verdict = judge(c, given[0]!);
          if (typeof verdict === "string") {
            problems.push({ field: "input.measurements", message: verdict });
            return null;
          }
          return { characteristic: c, ...verdict };
        });
        const unknown = input.measurements.filter((m) => !plan.characteristics.some((c) => c.id === m.characteristicId));
        if (unknown.length) problems.push({ field: "input.measurements", message: `${unknown.length} measurement(s) name no characteristic of plan ${plan.code}` });
        if (problems.length) throw badUserInput(`Invalid input: ${problems.map((p) => p.message).join("; ")}`, problems);
        const ok = readings as NonNullable<(typeof readings)[number]>[];
        const failed = ok.filter((r) => !r.passed);
        const inspection = await tx.inspection.create({
          data: {
            organizationId: plan.organizationId, plantId: plan.plantId, planId: plan.id, workOrderId: input.workOrderId ?? null, materialId: input.materialId ?? null,
            lotId: input.lotId ?? null, quantityInspected: input.quantityInspected, inspector: input.inspector ?? ctx.actor, result: failed.length ? "FAIL" : "PASS",
            measurements: { create: ok.map((r) => ({ characteristicId: r.characteristic.id, value: r.value, passed: r.passed })) },
          },
        });
        if (failed.length && input.openNcrOnFailure) {
          const ncr = await tx.ncr.create({
            data: {
              organizationId: plan.organizationId, plantId: plan.plantId, number: `NCR-${inspection.id.slice(0, 8).toUpperCase()}`, severity: input.ncrSeverity,
              title: `${plan.code} failed: ${failed.map((f) => f.characteristic.name).join(", ")}`,
              description: failed.map((f) => `${f.characteristic.name}: ${f.value ?? "fail"}${f.characteristic.unit ? ` ${f.characteristic.unit}` : ""} (limits ${f.characteristic.lowerLimit ?? "-"}..${f.characteristic.upperLimit ?? "-"})`).join("; "),
              workOrderId: input.workOrderId ?? null, materialId: input.materialId ?? plan.materialId, lotId: input.lotId ?? null, inspectionId: inspection.id,
            },
          });
          await announceNcrOpened(tx, ncr);
        }
        return inspection;
      });
    },
    reviewNcr: (_: unknown, a: { id: string; assignee?: string | null }, ctx: QualityContext) => ctx.db.$transaction(async (tx) => {
      const ncr = await lockNcr(tx as Tx, requireId(a.id));
      assertMove(ncr, "UNDER_REVIEW");
      return tx.ncr.update({ where: { id: ncr.id }, data: { status: "UNDER_REVIEW", ...(a.assignee ? { assignee: parseInput(person, a.assignee, "assignee") } : {}) } });
    }),
    assignNcr: (_: unknown, a: { id: string; assignee: string }, ctx: QualityContext) => ctx.db.$transaction(async (tx) => {
      const ncr = await lockNcr(tx as Tx, requireId(a.id));
      if (ncr.status === "CLOSED") throw conflict(`${ncr.number} is closed`);
      return tx.ncr.update({ where: { id: ncr.id }, data: { assignee: parseInput(person, a.assignee, "assignee") } });
    }),
    addNcrDefect: (_: unknown, a: { ncrId: string; type: string; quantity: number }, ctx: QualityContext) => {
      const type = parseInput(text, a.type, "type");
      const quantity = parseInput(z.number().finite().positive("must be greater than 0"), a.quantity, "quantity");
      return ctx.db.$transaction(async (tx) => {
        const ncr = await lockNcr(tx as Tx, requireId(a.ncrId, "ncrId"));
        if (ncr.status === "CLOSED") throw conflict(`${ncr.number} is closed`);
        await tx.ncrDefect.create({ data: { ncrId: ncr.id, type, quantity } });
        return ncr;
      });
    },
    dispositionNcr: (_: unknown, a: { input: unknown }, ctx: QualityContext) => {
      const input = parseInput(dispositionInput, a.input);
      return ctx.db.$transaction(async (txc) => {
        const tx = txc as Tx;
        const ncr = await lockNcr(tx, input.id);
        assertMove(ncr, "DISPOSITIONED");
        if (input.disposition === "SCRAP") {
          const missing = [!ncr.materialId && "the NCR names no material", !ncr.lotId && "the NCR names no lot", !input.quantity && "give quantity", !(input.locationId ?? ncr.locationId) && "give locationId"].filter(Boolean);
          if (missing.length) throw badUserInput(`A SCRAP disposition needs stock to scrap: ${missing.join("; ")}`);
        }
        const updated = await tx.ncr.update({
          where: { id: ncr.id },
          data: {
            status: "DISPOSITIONED", disposition: input.disposition, rootCause: input.rootCause, containmentAction: input.containmentAction,
            dispositionQuantity: input.quantity ?? null, locationId: input.locationId ?? ncr.locationId, dispositionedAt: new Date(),
          },
        });
        await ncrEvent(tx, updated, "NcrDispositioned", {
          disposition: input.disposition, materialId: updated.materialId, lotId: updated.lotId, locationId: updated.locationId,
          quantity: updated.dispositionQuantity?.toString() ?? null, workOrderId: updated.workOrderId,
        });
        return updated;
      });
    },
    closeNcr: (_: unknown, a: { id: string }, ctx: QualityContext) => ctx.db.$transaction(async (txc) => {
      const tx = txc as Tx;
      const ncr = await lockNcr(tx, requireId(a.id));
      assertMove(ncr, "CLOSED");
      const closed = await tx.ncr.update({ where: { id: ncr.id }, data: { status: "CLOSED", closedAt: new Date() } });
      if (ncr.lotHoldRequested && ncr.lotId) await ncrEvent(tx, closed, "LotHoldReleaseRequested", { lotId: ncr.lotId });
      return closed;
    }),
    requestLotHold: (_: unknown, a: { ncrId: string; locationId?: string | null }, ctx: QualityContext) => ctx.db.$transaction(async (txc) => {
      const tx = txc as Tx;
      const ncr = await lockNcr(tx, requireId(a.ncrId, "ncrId"));
      if (!ncr.lotId) throw badUserInput(`${ncr.number} names no lot to hold`);
      if (ncr.status === "CLOSED") throw conflict(`${ncr.number} is closed`);
      if (ncr.lotHoldRequested) return ncr;
      const updated = await tx.ncr.update({ where: { id: ncr.id }, data: { lotHoldRequested: true, ...(a.locationId ? { locationId: requireId(a.locationId, "locationId") } : {}) } });
      await ncrEvent(tx, updated, "LotHoldRequested", { lotId: ncr.lotId, reason: `${ncr.number}: ${ncr.title}` });
      return updated;
    }),
  },
  NcrFields: {
    location: (n: Ncr) => entityRef("Location", n.locationId),
    dispositionQuantity: (n: Ncr) => decimalToNumber(n.dispositionQuantity),
    defects: (n: Ncr, _: unknown, ctx: QualityContext) => ctx.loaders.defectsOfNcr.load(n.id),
    allowedTransitions: (n: Ncr) => NCR_NEXT[n.status],
  },
  InspectionFields: {
    measurements: (i: Inspection, _: unknown, ctx: QualityContext) => ctx.loaders.measurementsOfInspection.load(i.id),
    ncrs: (i: Inspection, _: unknown, ctx: QualityContext) => ctx.loaders.ncrsOfInspection.load(i.id),
  },
  Measurement: {
    value: (m: { value: Prisma.Decimal | null }) => decimalToNumber(m.value),
  },
  NcrDefect: {
    quantity: (d: { quantity: Prisma.Decimal }) => decimalToNumber(d.quantity),
  },
};


/** First pass yield of first inspections made in [from, to) at a plant: overall, per product and per work center. */
export async function firstPassYield(ctx: QualityContext, plantId: string, from: Date, to: Date) {
  // The earliest inspection per plan and subject (work order, else lot, else the inspection itself).
  const firsts = await ctx.db.$queryRaw<{ passed: boolean; quantity: number; productId: string | null; workCenterId: string | null; inspectedAt: Date }[]>`
    SELECT DISTINCT ON (i."planId", coalesce(i."workOrderId", i."lotId", i.id))
           i.result = 'PASS' AS passed, i."quantityInspected" AS quantity, p."productId"::text AS "productId", p."workCenterId"::text AS "workCenterId", i."inspectedAt"
      FROM "Inspection" i JOIN "InspectionPlan" p ON p.id = i."planId"
     WHERE i."plantId" = ${plantId}::uuid AND i.result <> 'PENDING'
       AND i."organizationId" = ${ctx.tenant.organizationId}::uuid -- raw SQL: outside the scoped client
       AND (${plantFilter(ctx.tenant)}::uuid[] IS NULL OR i."plantId" = ANY(${plantFilter(ctx.tenant)}::uuid[]))
     ORDER BY i."planId", coalesce(i."workOrderId", i."lotId", i.id), i."inspectedAt", i.id`;
  // A subject first inspected before the window does not count again for a re-inspection in it.
  const inWindow = firsts.filter((f) => f.inspectedAt >= from && f.inspectedAt < to);
  const yieldOf = (rows: typeof firsts) => ratio(rows.filter((r) => r.passed).reduce((s, r) => s + r.quantity, 0), rows.reduce((s, r) => s + r.quantity, 0));
  const group = (key: "productId" | "workCenterId") => {
    const map = new Map<string, typeof firsts>();
    for (const r of inWindow) if (r[key]) map.set(r[key]!, [...(map.get(r[key]!) ?? []), r]);
    return [...map.entries()].sort(([a], [b]) => a.localeCompare(b));
  };
  return {
    overall: yieldOf(inWindow),
    byProduct: group("productId").map(([id, rows]) => ({ product: entityRef("Product", id), yield: yieldOf(rows) })),
    byWorkCenter: group("workCenterId").map(([id, rows]) => ({ workCenter: entityRef("WorkCenter", id), yield: yieldOf(rows) })),
  };
}

import { z } from "zod";
import {
  liveField, requireWindow, badUserInput, entityRef, decimalToNumber, paginate, parseInput, requireId, scalarResolvers,
  zCode, zId, zName, type Resolvers,
} from "@mes/shared";
import type { Characteristic, Inspection, InspectionPlan, InspectionResult, Ncr, NcrStatus, Prisma } from "./generated/prisma/client.ts";
import type { QualityContext } from "./context.ts";
import { announceNcrOpened, firstPassYield, ncrWorkflow, type Tx } from "./ncr-workflow.ts";

const finite = z.number().finite();

const characteristicInput = z.object({
  name: zName,
  kind: z.enum(["NUMERIC", "ATTRIBUTE"]),
  nominal: finite.nullish(),
  lowerLimit: finite.nullish(),
  upperLimit: finite.nullish(),
  unit: z.string().trim().max(32).nullish(),
}).superRefine((c, ctx) => {
  if (c.kind === "NUMERIC") {
    if (c.lowerLimit == null && c.upperLimit == null) ctx.addIssue({ code: "custom", path: ["lowerLimit"], message: "a numeric characteristic needs a lower or upper limit" });
    if (c.lowerLimit != null && c.upperLimit != null && c.lowerLimit > c.upperLimit) ctx.addIssue({ code: "custom", path: ["upperLimit"], message: "must not be below lowerLimit" });
  } else if (c.nominal != null || c.lowerLimit != null || c.upperLimit != null) {
    ctx.addIssue({ code: "custom", path: ["kind"], message: "an attribute (pass/fail) characteristic has no nominal or limits" });
  }
});

const createPlanInput = z.object({
  plantId: zId,
  code: zCode,
  name: zName,
  productId: zId.nullish(),
  materialId: zId.nullish(),
  operationSequence: z.number().int().positive().nullish(),
  workCenterId: zId.nullish(),
  sampleSize: z.number().int().min(1, "must be at least 1").max(10_000),
  characteristics: z.array(characteristicInput).min(1, "needs at least one characteristic"),
}).superRefine((p, ctx) => {
  if (!p.productId && !p.materialId) ctx.addIssue({ code: "custom", path: ["productId"], message: "a plan applies to a product or a material" });
  if (p.operationSequence != null && !p.productId) ctx.addIssue({ code: "custom", path: ["operationSequence"], message: "an operation belongs to a product's routing; give productId" });
  const names = p.characteristics.map((c) => c.name);
  if (new Set(names).size !== names.length) ctx.addIssue({ code: "custom", path: ["characteristics"], message: "characteristic names must be unique" });
});

const openNcrInput = z.object({
  plantId: zId,
  number: zCode,
  title: zName,
  description: z.string().trim().max(5000).nullish(),
  severity: z.enum(["MINOR", "MAJOR", "CRITICAL"]),
  workOrderId: zId.nullish(),
  materialId: zId.nullish(),
  lotId: zId.nullish(),
  inspectionId: zId.nullish(),
});

interface ListArgs { plantId?: string | null; limit?: number; offset?: number }

export const resolvers: Resolvers<QualityContext> = {
  ...scalarResolvers,
  Subscription: {
    ncrOpened: liveField<{ plantId?: string | null; after?: string | null }>(["NcrOpened"], (e, a) => !a.plantId || e.plantId === a.plantId, (e) => e.payload),
  },
  NcrEvent: {
    ncr: (e: { ncrId: string }, _: unknown, ctx: QualityContext) => ctx.loaders.ncr.load(e.ncrId),
  },
  Query: {
    inspectionPlan: (_: unknown, { id }: { id: string }, ctx: QualityContext) => ctx.loaders.plan.load(requireId(id)),
    inspectionPlans: (_: unknown, { plantId }: { plantId: string }, ctx: QualityContext) =>
      ctx.db.inspectionPlan.findMany({ where: { plantId: requireId(plantId, "plantId") }, orderBy: { code: "asc" } }),
    inspection: (_: unknown, { id }: { id: string }, ctx: QualityContext) => ctx.loaders.inspection.load(requireId(id)),
    inspections: (_: unknown, args: ListArgs & { result?: InspectionResult[] | null }, ctx: QualityContext) => {
      const where: Prisma.InspectionWhereInput = {
        ...(args.plantId ? { plantId: requireId(args.plantId, "plantId") } : {}),
        ...(args.result?.length ? { result: { in: args.result } } : {}),
      };
      return paginate(args, (w) => ctx.db.inspection.findMany({ where, orderBy: [{ inspectedAt: "desc" }, { id: "asc" }], ...w }), () => ctx.db.inspection.count({ where }));
    },
    ncr: (_: unknown, { id }: { id: string }, ctx: QualityContext) => ctx.loaders.ncr.load(requireId(id)),
    firstPassYield: (_: unknown, a: { plantId: string; from: Date; to: Date }, ctx: QualityContext) => {
      requireWindow(a.from, a.to, 366);
      return firstPassYield(ctx, requireId(a.plantId, "plantId"), a.from, a.to);
    },
    ncrs: (_: unknown, args: ListArgs & { status?: NcrStatus[] | null }, ctx: QualityContext) => {
      const where: Prisma.NcrWhereInput = {
        ...(args.plantId ? { plantId: requireId(args.plantId, "plantId") } : {}),
        ...(args.status?.length ? { status: { in: args.status } } : {}),
      };
      return paginate(args, (w) => ctx.db.ncr.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "asc" }], ...w }), () => ctx.db.ncr.count({ where }));
    },
  },
  Mutation: {
    ...ncrWorkflow.Mutation,
    createInspectionPlan(_: unknown, args: { input: unknown }, ctx: QualityContext) {
      const { characteristics, ...plan } = parseInput(createPlanInput, args.input);
      return ctx.db.inspectionPlan.create({ data: { ...plan, organizationId: ctx.tenant.organizationId, characteristics: { create: characteristics } } });
    },
    async openNcr(_: unknown, args: { input: unknown }, ctx: QualityContext) {
      const input = parseInput(openNcrInput, args.input);
      if (input.inspectionId) {
        const inspection = await ctx.loaders.inspection.load(input.inspectionId);
        if (!inspection || inspection.plantId !== input.plantId) {
          throw badUserInput(`Inspection ${input.inspectionId} does not exist`, [{ field: "input.inspectionId", message: "no such inspection" }]);
        }
      }
      // Opened by hand or by a failed inspection, an NCR is announced the same way (ncrOpened).
      return ctx.db.$transaction(async (tx) => {
        const ncr = await tx.ncr.create({ data: { ...input, organizationId: ctx.tenant.organizationId } });
        await announceNcrOpened(tx as Tx, ncr);
        return ncr;
      });
    },
  },
  InspectionPlan: {
    __resolveReference: (r: { id: string }, ctx: QualityContext) => ctx.loaders.plan.load(r.id),
    workCenter: (p: InspectionPlan) => entityRef("WorkCenter", p.workCenterId),
    plant: (p: InspectionPlan) => entityRef("Plant", p.plantId),
    product: (p: InspectionPlan) => entityRef("Product", p.productId),
    material: (p: InspectionPlan) => entityRef("Material", p.materialId),
    characteristics: (p: InspectionPlan, _: unknown, ctx: QualityContext) => ctx.loaders.characteristicsOfPlan.load(p.id),
  },
  Characteristic: {
    nominal: (c: Characteristic) => decimalToNumber(c.nominal),
    lowerLimit: (c: Characteristic) => decimalToNumber(c.lowerLimit),
    upperLimit: (c: Characteristic) => decimalToNumber(c.upperLimit),
  },
  Measurement: ncrWorkflow.Measurement,
  NcrDefect: ncrWorkflow.NcrDefect,
  Inspection: {
    ...ncrWorkflow.InspectionFields,
    __resolveReference: (r: { id: string }, ctx: QualityContext) => ctx.loaders.inspection.load(r.id),
    plant: (i: Inspection) => entityRef("Plant", i.plantId),
    plan: (i: Inspection, _: unknown, ctx: QualityContext) => ctx.loaders.plan.load(i.planId),
    workOrder: (i: Inspection) => entityRef("WorkOrder", i.workOrderId),
    material: (i: Inspection) => entityRef("Material", i.materialId),
    lot: (i: Inspection) => entityRef("Lot", i.lotId),
  },
  Ncr: {
    ...ncrWorkflow.NcrFields,
    __resolveReference: (r: { id: string }, ctx: QualityContext) => ctx.loaders.ncr.load(r.id),
    plant: (n: Ncr) => entityRef("Plant", n.plantId),
    workOrder: (n: Ncr) => entityRef("WorkOrder", n.workOrderId),
    material: (n: Ncr) => entityRef("Material", n.materialId),
    lot: (n: Ncr) => entityRef("Lot", n.lotId),
    inspection: (n: Ncr, _: unknown, ctx: QualityContext) => (n.inspectionId ? ctx.loaders.inspection.load(n.inspectionId) : null),
  },
  WorkOrder: {
    // Quality holds no work-order rows; any referenced id is a work order it may know inspections of.
    __resolveReference: (r: { id: string }) => ({ id: r.id }),
    inspections: (w: { id: string }, _: unknown, ctx: QualityContext) => ctx.loaders.inspectionsOfWorkOrder.load(w.id),
    lastInspection: async (w: { id: string }, _: unknown, ctx: QualityContext) => (await ctx.loaders.inspectionsOfWorkOrder.load(w.id))[0] ?? null,
    ncrs: (w: { id: string }, _: unknown, ctx: QualityContext) => ctx.loaders.ncrsOfWorkOrder.load(w.id),
  },
};

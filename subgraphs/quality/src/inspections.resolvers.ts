import { decimalToNumber, entityRef, parseInput, requireId, requireWindow, withTx } from "@mes/shared";
import { loadRequired } from "./context.ts";
import { listInspections, recordInspection, recordInspectionInput } from "./inspections.ts";
import type { Resolvers } from "./resolvers-types.generated.ts";

export const inspectionsResolvers = {
  Query: {
    inspection: (_, { id }, ctx) => ctx.loaders.inspection.load(requireId(id)),
    inspections: (_, { plantId, result, from, to, orderBy, limit, offset }, ctx) => {
      if (from && to) requireWindow(from, to, Number.POSITIVE_INFINITY);
      return listInspections(
        ctx.db,
        { plantId: plantId != null ? requireId(plantId, "plantId") : null, result, from, to },
        { limit, offset, orderBy },
      );
    },
  },
  Mutation: {
    recordInspection: (_, { input }, ctx) => {
      const record = parseInput(recordInspectionInput, input);
      return withTx(ctx.db, (tx) => recordInspection(tx, record, ctx.actor));
    },
  },
  Inspection: {
    __resolveReference: (r, ctx) => ctx.loaders.inspection.load(r.id),
    // Every inspection has a plant (entityRef is for the optional references).
    plant: (i) => ({ id: i.plantId }),
    plan: (i, _, ctx) => loadRequired(ctx.loaders.plan, "InspectionPlan", i.planId),
    workOrder: (i) => entityRef("WorkOrder", i.workOrderId),
    material: (i) => entityRef("Material", i.materialId),
    lot: (i) => entityRef("Lot", i.lotId),
    measurements: (i, _, ctx) => ctx.loaders.measurementsOfInspection.load(i.id),
    quantityFailed: (i) => i.quantityInspected - i.quantityPassed,
    firstPass: (i) => i.reinspectionOfId === null,
    reinspectionOf: (i, _, ctx) => (i.reinspectionOfId ? ctx.loaders.inspection.load(i.reinspectionOfId) : null),
    ncrs: (i, _, ctx) => ctx.loaders.ncrsOfInspection.load(i.id),
  },
  Measurement: {
    value: (m) => decimalToNumber(m.value),
    values: (m) => m.values.map((v) => v.toNumber()),
  },
} satisfies Resolvers;

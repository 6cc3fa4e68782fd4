import { badUserInput, decimalToNumber, entityRef, liveField, parseInput, requireId, requireWindow, withTx } from "@mes/shared";
import { ncrDefectSummary } from "./ncr-defects.ts";
import { loadRequired } from "./context.ts";
import { NCR_NEXT } from "./ncr-status.ts";
import {
  addNcrDefect,
  assigneeInput,
  assignNcr,
  closeNcr,
  defectQuantityInput,
  defectTypeInput,
  dispositionNcr,
  dispositionNcrInput,
  listNcrs,
  openNcr,
  openNcrInput,
  requestLotHold,
  reviewNcr,
} from "./ncrs.ts";
import { withPlantIdChecked } from "./subscription-args.ts";
import type { Resolvers, SubscriptionNcrOpenedArgs } from "./resolvers-types.generated.ts";

export const ncrsResolvers = {
  Query: {
    ncr: (_, { id }, ctx) => ctx.loaders.ncr.load(requireId(id)),
    ncrs: (_, { plantId, status, from, to, defectType, orderBy, limit, offset }, ctx) => {
      if (from && to && !(from < to)) throw badUserInput("to must be after from", [{ field: "to", message: "must be after from" }]);
      const filter = { plantId: plantId != null ? requireId(plantId, "plantId") : null, status, from, to, defectType: defectType?.trim() || null };
      return listNcrs(ctx.db, filter, { limit, offset, orderBy });
    },
    ncrDefectSummary: (_, { plantId, from, to }, ctx) => {
      requireWindow(from, to, 366);
      return ncrDefectSummary(ctx.db, requireId(plantId, "plantId"), from, to);
    },
  },
  Mutation: {
    openNcr: (_, { input }, ctx) => {
      const ncr = parseInput(openNcrInput, input);
      // Opened by hand or by a failed inspection, an NCR is announced the same way (ncrOpened).
      return withTx(ctx.db, (tx) => openNcr(tx, ctx.tenant.organizationId, ncr));
    },
    reviewNcr: (_, { id, assignee }, ctx) => {
      const ncrId = requireId(id);
      // Blank is refused like in assignNcr, not taken for "no assignee".
      const person = assignee != null ? parseInput(assigneeInput, assignee, "assignee") : null;
      return withTx(ctx.db, (tx) => reviewNcr(tx, ncrId, person));
    },
    assignNcr: (_, { id, assignee }, ctx) => {
      const ncrId = requireId(id);
      const person = parseInput(assigneeInput, assignee, "assignee");
      return withTx(ctx.db, (tx) => assignNcr(tx, ncrId, person));
    },
    addNcrDefect: (_, args, ctx) => {
      const type = parseInput(defectTypeInput, args.type, "type");
      const quantity = parseInput(defectQuantityInput, args.quantity, "quantity");
      const ncrId = requireId(args.ncrId, "ncrId");
      return withTx(ctx.db, (tx) => addNcrDefect(tx, ncrId, type, quantity));
    },
    dispositionNcr: (_, { input }, ctx) => {
      const decision = parseInput(dispositionNcrInput, input);
      return withTx(ctx.db, (tx) => dispositionNcr(tx, decision));
    },
    closeNcr: (_, { id }, ctx) => {
      const ncrId = requireId(id);
      return withTx(ctx.db, (tx) => closeNcr(tx, ncrId));
    },
    requestLotHold: (_, args, ctx) => {
      const ncrId = requireId(args.ncrId, "ncrId");
      const locationId = args.locationId != null ? requireId(args.locationId, "locationId") : null;
      return withTx(ctx.db, (tx) => requestLotHold(tx, ncrId, locationId));
    },
  },
  Subscription: {
    ncrOpened: withPlantIdChecked(
      liveField(
        ["NcrOpened"],
        (e, a: SubscriptionNcrOpenedArgs) => !a.plantId || e.plantId === a.plantId,
        (e) => e.payload,
      ),
    ),
  },
  NcrEvent: {
    ncr: (e, _, ctx) => loadRequired(ctx.loaders.ncr, "NCR", e.ncrId),
  },
  Ncr: {
    __resolveReference: (r, ctx) => ctx.loaders.ncr.load(r.id),
    // Every NCR has a plant (entityRef is for the optional references).
    plant: (n) => ({ id: n.plantId }),
    workOrder: (n) => entityRef("WorkOrder", n.workOrderId),
    material: (n) => entityRef("Material", n.materialId),
    lot: (n) => entityRef("Lot", n.lotId),
    location: (n) => entityRef("Location", n.locationId),
    inspection: (n, _, ctx) => (n.inspectionId ? ctx.loaders.inspection.load(n.inspectionId) : null),
    dispositionQuantity: (n) => decimalToNumber(n.dispositionQuantity),
    defects: (n, _, ctx) => ctx.loaders.defectsOfNcr.load(n.id),
    allowedTransitions: (n) => NCR_NEXT[n.status],
  },
  NcrDefect: {
    quantity: (d) => d.quantity.toNumber(),
  },
} satisfies Resolvers;

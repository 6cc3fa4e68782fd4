import { conflict, notFound, orderByOf, paginate } from "@mes/shared";
import type { CostingMethod, Prisma } from "./generated/prisma/client.ts";
import type { CreateLocationInput, CreateMaterialInput, QueryMaterialsArgs, RequireFields } from "./resolvers-types.generated.ts";
import type { InventoryDb, InventoryTx } from "./context.ts";

const MATERIAL_ORDER = { CODE: "code", DESCRIPTION: "description", CREATED_AT: "createdAt" } as const;

/** Materials by code unless `orderBy` says otherwise; `search` matches code or description. */
export function materialPage(db: InventoryDb, args: QueryMaterialsArgs) {
  const search = args.search?.trim();
  const where: Prisma.MaterialWhereInput = {
    ...(search ? { OR: [{ code: { contains: search, mode: "insensitive" } }, { description: { contains: search, mode: "insensitive" } }] } : {}),
  };
  return paginate(
    args,
    (w) => db.material.findMany({ where, orderBy: orderByOf(args.orderBy, MATERIAL_ORDER, [{ code: "asc" }, { id: "asc" }]), ...w }),
    () => db.material.count({ where }),
  );
}

/** A validated material (its reorder point and safety stock given or defaulted). */
export function createMaterial(
  db: InventoryDb,
  organizationId: string,
  input: RequireFields<CreateMaterialInput, "reorderPoint" | "safetyStock" | "costingMethod">,
) {
  return db.material.create({ data: { ...input, organizationId } });
}

/** Locations of a plant, or of every plant of the caller (plantId null), by code then plant. */
export function locationsAt(db: InventoryDb, plantId: string | null) {
  return db.location.findMany({ where: plantId ? { plantId } : {}, orderBy: [{ code: "asc" }, { plantId: "asc" }, { id: "asc" }] });
}

export function createLocation(db: InventoryDb, organizationId: string, input: RequireFields<CreateLocationInput, "type">) {
  return db.location.create({ data: { ...input, organizationId } });
}

/**
 * Changes a material's description or costing method. The method cannot change while there is
 * stock of the material at any plant: its layers were valued by the old method (simplest rule;
 * issue or scrap the stock first, or keep the method).
 */
export async function updateMaterial(tx: InventoryTx, id: string, input: { description?: string | null; costingMethod?: CostingMethod | null }) {
  const m = await tx.material.findUnique({ where: { id } });
  if (!m) throw notFound("Material", id);
  // Every stock change of the material at a plant holds that plant's lock; lock the whole material instead.
  await tx.$executeRaw`SELECT id FROM "Material" WHERE id = ${id}::uuid FOR UPDATE`;
  if (input.costingMethod && input.costingMethod !== m.costingMethod) {
    const { _sum } = await tx.stock.aggregate({ where: { materialId: id }, _sum: { quantity: true } });
    const onHand = _sum.quantity?.toNumber() ?? 0;
    if (onHand > 0)
      throw conflict(
        `${m.code} has ${onHand} ${m.unitOfMeasure} in stock valued by ${m.costingMethod}; its costing method can change only with no stock`,
        {
          field: "input.costingMethod",
        },
      );
  }
  return tx.material.update({
    where: { id },
    data: {
      ...(input.description ? { description: input.description } : {}),
      ...(input.costingMethod ? { costingMethod: input.costingMethod } : {}),
    },
  });
}

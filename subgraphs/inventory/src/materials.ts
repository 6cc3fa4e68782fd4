import { paginate } from "@mes/shared";
import type { Prisma } from "./generated/prisma/client.ts";
import type { CreateLocationInput, CreateMaterialInput, QueryMaterialsArgs, RequireFields } from "./resolvers-types.generated.ts";
import type { InventoryDb } from "./context.ts";

/** Materials by code; `search` matches code or description. */
export function materialPage(db: InventoryDb, args: QueryMaterialsArgs) {
  const search = args.search?.trim();
  const where: Prisma.MaterialWhereInput = {
    ...(search ? { OR: [{ code: { contains: search, mode: "insensitive" } }, { description: { contains: search, mode: "insensitive" } }] } : {}),
  };
  return paginate(
    args,
    (w) => db.material.findMany({ where, orderBy: [{ code: "asc" }, { id: "asc" }], ...w }),
    () => db.material.count({ where }),
  );
}

/** A validated material (its reorder point and safety stock given or defaulted). */
export function createMaterial(db: InventoryDb, organizationId: string, input: RequireFields<CreateMaterialInput, "reorderPoint" | "safetyStock">) {
  return db.material.create({ data: { ...input, organizationId } });
}

export function locationsAt(db: InventoryDb, plantId: string) {
  return db.location.findMany({ where: { plantId }, orderBy: { code: "asc" } });
}

export function createLocation(db: InventoryDb, organizationId: string, input: RequireFields<CreateLocationInput, "type">) {
  return db.location.create({ data: { ...input, organizationId } });
}

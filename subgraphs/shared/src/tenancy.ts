import fs from "node:fs";
import path from "node:path";
import { forbidden } from "./errors.ts";
import type { Identity } from "./auth.ts";

/** The data a caller may see and change: one organization, and some or all of its plants. */
export interface Tenant {
  organizationId: string;
  /** null: every plant of the organization. */
  plantIds: readonly string[] | null;
}

export function tenantOf(identity: Identity): Tenant {
  return { organizationId: identity.organizationId, plantIds: identity.plantIds };
}

/** Whether a row (or event) with these tenant columns belongs to the tenant. */
export function sees(tenant: Tenant, row: { organizationId: string | null; plantId?: string | null }): boolean {
  if (row.organizationId !== tenant.organizationId) return false;
  if (!tenant.plantIds || row.plantId == null) return true;
  return tenant.plantIds.includes(row.plantId);
}

/** The plant ids for raw SQL: `(${plants}::uuid[] IS NULL OR "plantId" = ANY(${plants}::uuid[]))`. */
export function plantFilter(tenant: Tenant): string[] | null {
  return tenant.plantIds ? [...tenant.plantIds] : null;
}

/** How a Prisma model is scoped, read from its columns. */
export interface ModelTenancy {
  organization: boolean;
  plant: "required" | "optional" | "none";
  /** The model is the plant itself (equipment's Plant): its id is the plant id. */
  isPlant: boolean;
}

/** Bookkeeping models of @mes/shared that no request reads through Prisma. */
const SYSTEM_MODELS: Record<string, string> = {
  EventCursor: "event-feed bookkeeping, read by followers only",
  OutboxWatermark: "outbox retention bookkeeping",
};

/**
 * The tenancy of every model in a Prisma schema (a file, or a folder of .prisma files). A model without organizationId must be declared
 * in `untenanted` with the reason it needs no scope (reached only through a scoped parent), so a
 * new table cannot silently skip isolation.
 */
export function modelTenancy(schemaFile: string, untenanted: Record<string, string>): Map<string, ModelTenancy> {
  const files = fs.statSync(schemaFile).isDirectory()
    ? fs
        .readdirSync(schemaFile)
        .filter((f) => f.endsWith(".prisma"))
        .map((f) => path.join(schemaFile, f))
    : [schemaFile];
  const text = files.map((f) => fs.readFileSync(f, "utf8")).join("\n");
  const models = new Map<string, ModelTenancy>();
  for (const [, name, body] of text.matchAll(/^model\s+(\w+)\s*\{([^}]*)\}/gm)) {
    const field = (f: string) => new RegExp(`^\\s*${f}\\s+String(\\?)?\\s`, "m").exec(body!);
    const org = field("organizationId");
    const plant = field("plantId");
    if (!org && !untenanted[name!] && !SYSTEM_MODELS[name!]) {
      throw new Error(
        `${schemaFile}: model ${name} has no organizationId; add one, or declare in the subgraph's untenantedModels why it needs no tenant scope`,
      );
    }
    if (!org) continue;
    models.set(name!, { organization: true, plant: plant ? (plant[1] ? "optional" : "required") : "none", isPlant: name === "Plant" });
  }
  return models;
}

type Where = Record<string, unknown>;

function scopeFilter(t: ModelTenancy, tenant: Tenant): Where {
  const filter: Where = { organizationId: tenant.organizationId };
  const plants = tenant.plantIds;
  if (!plants) return filter;
  if (t.isPlant) filter.id = { in: plants };
  else if (t.plant === "required") filter.plantId = { in: plants };
  else if (t.plant === "optional") filter.OR = [{ plantId: null }, { plantId: { in: plants } }];
  return filter;
}

function checkWrite(model: string, t: ModelTenancy, tenant: Tenant, row: Where, creating: boolean): void {
  if (row.organizationId === undefined) {
    if (creating) row.organizationId = tenant.organizationId;
  } else if (row.organizationId !== tenant.organizationId) {
    throw forbidden(`You may not write ${model} data of another organization`);
  }
  const plantId = t.isPlant ? row.id : t.plant === "none" ? undefined : row.plantId;
  if (tenant.plantIds && typeof plantId === "string" && !tenant.plantIds.includes(plantId)) {
    throw forbidden(`You may not act in plant ${plantId}`);
  }
}

const FILTERED = new Set([
  "findUnique",
  "findUniqueOrThrow",
  "findFirst",
  "findFirstOrThrow",
  "findMany",
  "count",
  "aggregate",
  "groupBy",
  "update",
  "updateMany",
  "updateManyAndReturn",
  "delete",
  "deleteMany",
  "upsert",
]);
const CREATES = new Set(["create", "createMany", "createManyAndReturn"]);

interface Extendable {
  $extends(extension: unknown): unknown;
}

// Scoped clients by base client and tenant: a client extension is built once per tenant, not per
// request (building one costs more than a lookup through it). Its filter depends on the tenant only.
const scopedClients = new WeakMap<object, WeakMap<Map<string, ModelTenancy>, Map<string, unknown>>>();
const SCOPED_CLIENTS_MAX = 1000;
// What each scoped client filters by, for statements written in SQL (see scopeSql).
const scopes = new WeakMap<object, { tenant: Tenant; models: Map<string, ModelTenancy> }>();

/**
 * The tenant choke point of a subgraph: a Prisma client that adds the caller's organization and
 * plants to every query's filter and refuses writes into another tenant. Every request's resolvers,
 * loaders and `_entities` lookups use it; only event followers and the demo seed use the raw client.
 * Callers of one tenant (organization and plants) share one scoped client.
 */
export function scopedDb<TDb extends Extendable>(db: TDb, tenant: Tenant, models: Map<string, ModelTenancy>): TDb {
  const key = `${tenant.organizationId}|${tenant.plantIds ? [...tenant.plantIds].sort().join(",") : "*"}`;
  let byModels = scopedClients.get(db);
  if (!byModels) {
    byModels = new WeakMap();
    scopedClients.set(db, byModels);
  }
  let byTenant = byModels.get(models);
  if (!byTenant) {
    byTenant = new Map();
    byModels.set(models, byTenant);
  }
  const known = byTenant.get(key);
  if (known) return known as TDb;
  if (byTenant.size >= SCOPED_CLIENTS_MAX) byTenant.clear();
  // The filter keeps its own copy: the caller's tenant object may change after this.
  const scope: Tenant = { organizationId: tenant.organizationId, plantIds: tenant.plantIds ? [...tenant.plantIds] : null };
  const scoped = extendWithScope(db, scope, models);
  scopes.set(scoped, { tenant: scope, models });
  byTenant.set(key, scoped);
  return scoped;
}

/**
 * The tenant filter of a scoped client for a model, as a SQL condition for a statement written by
 * hand (raw lookups skip the client's query extension): exactly the rows scopeFilter admits. Its
 * values are appended to `values` and referred to by position. Only a scopedDb client has one, so
 * a raw lookup cannot leave the choke point by mistake.
 */
export function scopeSql(db: object, model: string, values: unknown[]): string {
  const scope = scopes.get(db);
  if (!scope) throw new Error("scopeSql needs a client made by scopedDb (the tenant choke point)");
  const t = scope.models.get(model);
  if (!t) throw new Error(`${model} has no tenant columns: look it up through its scoped parent`);
  values.push(scope.tenant.organizationId);
  const organization = `"organizationId" = $${values.length}::uuid`;
  const plants = scope.tenant.plantIds;
  if (!plants || (!t.isPlant && t.plant === "none")) return organization;
  values.push([...plants]);
  const any = `ANY($${values.length}::uuid[])`;
  if (t.isPlant) return `${organization} AND "id" = ${any}`;
  if (t.plant === "required") return `${organization} AND "plantId" = ${any}`;
  return `${organization} AND ("plantId" IS NULL OR "plantId" = ${any})`;
}

function extendWithScope<TDb extends Extendable>(db: TDb, tenant: Tenant, models: Map<string, ModelTenancy>): TDb {
  return db.$extends({
    query: {
      $allModels: {
        async $allOperations({
          model,
          operation,
          args,
          query,
        }: {
          model: string;
          operation: string;
          args: Where;
          query: (args: Where) => Promise<unknown>;
        }) {
          const t = models.get(model);
          if (!t) return query(args);
          if (FILTERED.has(operation)) {
            const where = (args.where ?? {}) as Where;
            const and = where.AND === undefined ? [] : Array.isArray(where.AND) ? where.AND : [where.AND];
            args.where = { ...where, AND: [...and, scopeFilter(t, tenant)] };
          }
          if (CREATES.has(operation)) {
            const rows = Array.isArray(args.data) ? args.data : [args.data];
            for (const row of rows as Where[]) checkWrite(model, t, tenant, row, true);
          }
          if (operation === "upsert") checkWrite(model, t, tenant, args.create as Where, true);
          if ((operation === "update" || operation === "updateMany" || operation === "upsert") && args[operation === "upsert" ? "update" : "data"]) {
            checkWrite(model, t, tenant, args[operation === "upsert" ? "update" : "data"] as Where, false);
          }
          return query(args);
        },
      },
    },
  }) as TDb;
}

// Which subgraph owns each entity type and each root field, from the committed supergraph: an id
// argument names a local entity (its field's own subgraph owns the type, so it can check the id
// exists and is the caller's) or a foreign one (another subgraph's: checked by issue 12's
// event-fed local copies of reference data, not built yet).
import fs from "node:fs";
import { baseType, Supergraph } from "@apollo/federation-internals";
import type { SubgraphName } from "@mes/db";
import { SUPERGRAPH_PATH } from "../../gateway/src/composition.ts";
import { rootFieldOwners } from "./input-values.ts";

const ROOTS = new Set(["Query", "Mutation", "Subscription"]);

/**
 * The owner of every object type. A subgraph that names a type only as a reference
 * (`@key(resolvable: false)`) does not define it. Of several that define it (an entity others
 * extend: quality adds WorkOrder.inspections), the owner is the one with a mutation returning it
 * (createWorkOrder), else the one defining the most fields; a tie (shared value types) has none.
 */
export function typeOwners(supergraphSdl = fs.readFileSync(SUPERGRAPH_PATH, "utf8")): Map<string, SubgraphName> {
  const definers = new Map<string, { subgraph: SubgraphName; fields: number; created: boolean }[]>();
  for (const subgraph of Supergraph.build(supergraphSdl).subgraphs().values()) {
    const mutation = subgraph.schema.schemaDefinition.rootType("mutation");
    const created = new Set((mutation?.fields() ?? []).map((f) => baseType(f.type!).name));
    for (const t of subgraph.schema.objectTypes()) {
      if (ROOTS.has(t.name) || t.name.startsWith("_")) continue;
      const keys = t.appliedDirectivesOf("key");
      if (keys.length && keys.every((k) => (k.arguments() as { resolvable?: boolean }).resolvable === false)) continue;
      const own = t.fields().filter((f) => !f.hasAppliedDirective("external")).length;
      const list = definers.get(t.name) ?? [];
      list.push({ subgraph: subgraph.name as SubgraphName, fields: own, created: created.has(t.name) });
      definers.set(t.name, list);
    }
  }
  const owners = new Map<string, SubgraphName>();
  for (const [type, list] of definers) {
    const creators = list.filter((d) => d.created);
    if (list.length === 1) owners.set(type, list[0]!.subgraph);
    else if (creators.length === 1) owners.set(type, creators[0]!.subgraph);
    else {
      const [first, second] = [...list].sort((a, b) => b.fields - a.fields);
      if (first!.fields > second!.fields) owners.set(type, first!.subgraph);
    }
  }
  return owners;
}

export type ReferenceScope = "local" | "foreign";

export interface Reference {
  /** The entity type the id names. */
  type: string;
  /** The subgraph owning that type. */
  owner: SubgraphName;
  scope: ReferenceScope;
}

/** Owners of types and root fields, read once per process. */
let cached: { types: Map<string, SubgraphName>; fields: Map<string, SubgraphName> } | null = null;
const owners = () => (cached ??= { types: typeOwners(), fields: rootFieldOwners() });

/** Every type some subgraph owns (what an id name can refer to). */
export const ownedTypeNames = (): Set<string> => new Set(owners().types.keys());

/**
 * Whether an id sent to a root field names an entity of the field's own subgraph. Null when the
 * type or the field has no owner in the supergraph (then the id is judged as a local one: strictly).
 */
export function referenceOf(kind: "mutation" | "query", fieldName: string, type: string | null): Reference | null {
  const { types, fields } = owners();
  const owner = type ? types.get(type) : undefined;
  const fieldOwner = fields.get(`${kind === "mutation" ? "Mutation" : "Query"}.${fieldName}`);
  if (!type || !owner || !fieldOwner) return null;
  return { type, owner, scope: owner === fieldOwner ? "local" : "foreign" };
}

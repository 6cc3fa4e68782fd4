import fs from "node:fs";
import path from "node:path";
import { parse, type DocumentNode } from "graphql";

/** The SDL every subgraph shares: @allow, Role, scalars and the audit trail types. */
export const KIT_SDL_PATH = path.join(import.meta.dirname, "..", "schema", "kit.graphql");

/** The `<name>AuditLog` query field, the one part of the kit that carries the subgraph's name. */
function auditLogField(name: string): string {
  return `
extend type Query {
  "The audit trail of ${name} data: every row inserted, updated or deleted, newest first unless orderBy says otherwise (administrators only; their organization's entries)."
  ${name}AuditLog(
    "Only changes to this table, named as in AuditEntry.entity; every table when left out."
    entity: String
    "Only changes to the row with this id (AuditEntry.entityId)."
    entityId: ID
    "Only changes recorded at or after this instant (UTC, included)."
    from: DateTime
    "Only changes recorded before this instant (UTC, excluded); after from when both are given."
    to: DateTime
    "How to sort; newest first (by entry number) when left out."
    orderBy: AuditOrder
    "Page size: 1 to 100 entries."
    limit: Int = 25
    "How many matching entries to skip (0 or more): offset + limit asks for the next page."
    offset: Int = 0
  ): AuditPage! @allow(roles: [ADMIN])
}
`;
}

/**
 * A subgraph's whole SDL: its own schema.graphql composed with the kit. This is what the subgraph
 * serves (`_service { sdl }`), what the supergraph is composed from and what codegen types.
 */
export function subgraphSdl(name: string, ownSchemaPath: string): string {
  return `${fs.readFileSync(ownSchemaPath, "utf8")}\n${fs.readFileSync(KIT_SDL_PATH, "utf8")}${auditLogField(name)}`;
}

export function subgraphTypeDefs(name: string, ownSchemaPath: string): DocumentNode {
  return parse(subgraphSdl(name, ownSchemaPath));
}

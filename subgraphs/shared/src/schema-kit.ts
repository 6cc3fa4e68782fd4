import fs from "node:fs";
import path from "node:path";
import { parse, type DocumentNode } from "graphql";

/** The SDL every subgraph shares: @allow, Role, scalars and the audit trail types. */
export const KIT_SDL_PATH = path.join(import.meta.dirname, "..", "schema", "kit.graphql");

/** The `<name>AuditLog` query field, the one part of the kit that carries the subgraph's name. */
function auditLogField(name: string): string {
  return `
extend type Query {
  "The ${name} subgraph's audit trail, newest first (administrators only)."
  ${name}AuditLog(entity: String, entityId: ID, from: DateTime, to: DateTime, limit: Int = 25, offset: Int = 0): AuditPage! @allow(roles: [ADMIN])
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

import type { Identity } from "./auth.ts";

/**
 * What decides what a read may see, in one place: the caller's organization, plants and roles
 * (roles decide which fields it may read at all, e.g. audit logs). Two callers with the same key
 * get the same answer to the same read, so in-flight reads are shared between them (the gateway's
 * operation and subgraph-fetch deduplication); callers with different keys never share. A field
 * whose answer depends on anything else about the caller (the user id) must add it here.
 */
export function visibilityKey(identity: Pick<Identity, "organizationId" | "plantIds" | "roles">): string {
  const plants = identity.plantIds ? [...new Set(identity.plantIds)].sort().join(",") : "*";
  const roles = [...new Set(identity.roles)].sort().join(",");
  return `${identity.organizationId}|${plants}|${roles}`;
}

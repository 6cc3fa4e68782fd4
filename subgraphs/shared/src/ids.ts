import { badUserInput } from "./errors.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}

/** Ids are UUIDs: a malformed one is the caller's mistake, not a database error. */
export function requireId(value: string, field = "id"): string {
  if (!isUuid(value)) throw badUserInput(`${field} "${value}" is not a valid id (expected a UUID)`, [{ field, message: "must be a UUID" }]);
  return value;
}

/** For lookups: a malformed id cannot match anything. */
export function validIds(ids: readonly string[]): string[] {
  return ids.filter(isUuid);
}

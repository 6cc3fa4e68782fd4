import { randomUUID } from "node:crypto";
import { buildClientSchema, getIntrospectionQuery, type GraphQLSchema } from "graphql";
import { graphql } from "./graphql.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Argument and input field names that hold an id, and the entity type they name. */
const ID_NAMES: Record<string, string> = {
  planId: "InspectionPlan",
  holdId: "WorkOrderHold",
  scheduleId: "PmSchedule",
  toLocationId: "Location",
  reasonId: "DowntimeReason",
  problemId: "ProblemReport",
  reportId: "ProblemReport",
  personId: "",
};

/** The entity type an id argument or input field refers to ("workOrderId" -> WorkOrder). */
export function typeOfIdName(name: string, fieldType?: string): string {
  if (name === "id" && fieldType) return fieldType;
  if (name in ID_NAMES) return ID_NAMES[name]!;
  return name.endsWith("Id") ? name[0]!.toUpperCase() + name.slice(1, -2) : "";
}

/** Every (typename, id) pair in a response. */
export function harvest(value: unknown, into: Map<string, Set<string>>): void {
  if (Array.isArray(value)) {
    for (const v of value) harvest(v, into);
  } else if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (typeof o.__typename === "string" && typeof o.id === "string" && UUID.test(o.id)) {
      if (!into.has(o.__typename)) into.set(o.__typename, new Set());
      into.get(o.__typename)!.add(o.id);
    }
    for (const v of Object.values(o)) harvest(v, into);
  }
}

/** All string values in a response (ids, codes, names, timestamps). */
export function stringsOf(value: unknown, into = new Set<string>()): Set<string> {
  if (typeof value === "string") into.add(value);
  else if (Array.isArray(value)) for (const v of value) stringsOf(v, into);
  else if (value && typeof value === "object") for (const v of Object.values(value)) stringsOf(v, into);
  return into;
}

/** A caller's view of one operation: data and error codes (messages name ids, so they are left out). */
export interface View {
  data: unknown;
  codes: string[];
}

export async function view(url: string, query: string, headers: Record<string, string>): Promise<View> {
  const res = await graphql(url, query, {}, headers);
  return { data: res.data ?? null, codes: (res.errors ?? []).map((e) => String(e.extensions?.code ?? "")) };
}

/**
 * Whether an attacker learns anything about the owner's data from `query`:
 * - it returns none of the owner's values (`secrets`: ids always; for a caller of another
 *   organization also names, codes and times the owner saw), and
 * - it answers exactly as for ids that do not exist (every owner id in the query replaced by a
 *   fresh one), so no count, sum or error tells that the owner's rows are there.
 * Returns what leaked, empty if nothing.
 */
export async function leaksOf(
  url: string,
  query: string,
  attacker: Record<string, string>,
  secrets: Set<string>,
  replaceable: Set<string>,
): Promise<string[]> {
  const seen = await view(url, query, attacker);
  const leaks: string[] = [];
  const asked = stringsOf(query.match(/"[^"]*"/g)?.map((s) => JSON.parse(s) as string) ?? []);
  for (const s of stringsOf(seen.data)) if (secrets.has(s) && !asked.has(s)) leaks.push(`returned ${s}`);
  const ids = [...new Set(query.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi) ?? [])].filter((id) => replaceable.has(id));
  if (ids.length) {
    const fresh = new Map(ids.map((id) => [id, randomUUID()]));
    let unknownQuery = query;
    for (const [id, f] of fresh) unknownQuery = unknownQuery.split(id).join(f);
    const baseline = await view(url, unknownQuery, attacker);
    let normalized = JSON.stringify(baseline);
    for (const [id, f] of fresh) normalized = normalized.split(f).join(id);
    if (normalized !== JSON.stringify(seen))
      leaks.push(`answers differently than for unknown ids: ${JSON.stringify(seen).slice(0, 300)} vs ${normalized.slice(0, 300)}`);
  }
  return leaks;
}

/** A subgraph's own schema (with _entities), read by introspection as the given caller. */
export async function introspect(url: string, headers: Record<string, string>): Promise<GraphQLSchema> {
  const res = await graphql(url, getIntrospectionQuery(), {}, headers);
  if (!res.data) throw new Error(`introspection of ${url} failed: ${JSON.stringify(res.errors)}`);
  return buildClientSchema(res.data as never);
}

import type { FeedEvent } from "../events.ts";
import { kindOfArgument } from "./catalogue.ts";
import type { ReferenceBook } from "./book.ts";

/** Why an event may not change this subgraph's entities it names, or null when it may. */
export type EventTenantCheck = (event: FeedEvent) => Promise<string | null>;

/**
 * An event from another subgraph may only touch this subgraph's entities of the event's own
 * organization and plant: every id in its payload that names one of this subgraph's kinds
 * (`lotId`, `machineId`, `materialRequirements.0.materialId`) must belong there. Ids naming no
 * row are the handler's business (it reports or skips them as before).
 */
export function eventTenantCheck(book: ReferenceBook): EventTenantCheck {
  const local = new Set(book.local.keys());
  return async (event) => {
    const named = new Map<string, Set<string>>();
    const walk = (value: unknown, key: string, depth: number): void => {
      if (depth > 8 || value == null) return;
      if (typeof value === "string") {
        const kind = kindOfArgument(key, local);
        if (kind) named.set(kind, (named.get(kind) ?? new Set()).add(value));
      } else if (Array.isArray(value)) for (const v of value) walk(v, key, depth + 1);
      else if (typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, k, depth + 1);
    };
    walk(event.payload, "", 0);
    for (const [kind, ids] of named) {
      const valid = [...ids].filter((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id));
      for (const fact of (await book.lookup(kind, valid)).values()) {
        if (fact.organizationId !== event.organizationId)
          return `its ${kind} ${fact.id} belongs to another organization than the event (${event.organizationId})`;
        if (event.plantId && fact.plantId && fact.plantId !== event.plantId)
          return `its ${kind} ${fact.id} is in plant ${fact.plantId}, the event in plant ${event.plantId}`;
      }
    }
    return null;
  };
}

import type { SubgraphName } from "@mes/db";

/** An entity kind a subgraph publishes as reference data for the others (ReferenceChanged events). */
export interface PublishedKind {
  owner: SubgraphName;
  /** The column carried as `status` (the owner's migration passes the same to mes_publish_reference). */
  status?: string;
  /** Statuses a new reference may not name: the entity is retired. */
  refused?: readonly string[];
  /** Columns carried as the entity's time window (startsAt, endsAt). */
  window?: readonly [string, string];
  /** Columns carried as they are, as `details`, for subgraphs that compute with them. */
  details?: readonly string[];
}

/**
 * What each subgraph publishes. The owner's migration attaches the mes_reference() trigger with
 * the same status and window columns (references.test.ts checks they agree); every other subgraph
 * that references a kind (by an argument named after it) keeps a copy by following the owner's feed.
 */
export const PUBLISHED_KINDS = {
  Plant: { owner: "equipment" },
  Area: { owner: "equipment" },
  WorkCenter: { owner: "equipment" },
  Machine: { owner: "equipment", status: "state" },
  Product: { owner: "production" },
  WorkOrder: { owner: "production", status: "status", refused: ["CANCELLED"] },
  Operation: { owner: "production", status: "status" },
  // A shift's breaks: its pattern's, placed on its business date (equipment's period OEE).
  Shift: { owner: "shifts", window: ["startsAt", "endsAt"], details: ["patternId", "businessDate"] },
  ShiftPattern: { owner: "shifts", details: ["startMinute", "timeZone", "breaks"] },
  Crew: { owner: "shifts" },
  Material: { owner: "inventory" },
  Location: { owner: "inventory" },
  Lot: { owner: "inventory", status: "status" },
} as const satisfies Record<string, PublishedKind>;

export type PublishedKindName = keyof typeof PUBLISHED_KINDS;

export function publishedKind(kind: string): PublishedKind | undefined {
  return Object.hasOwn(PUBLISHED_KINDS, kind) ? (PUBLISHED_KINDS as Record<string, PublishedKind>)[kind] : undefined;
}

/**
 * The entity kind an argument or input field names, by its name: `machineId` a Machine,
 * `fromLocationId` a Location (the longest known kind its name ends with), `planId` an
 * InspectionPlan (the one known kind ending with the name). Null when it names no known kind.
 */
export function kindOfArgument(name: string, known: ReadonlySet<string>): string | null {
  const stem = /^(.*?)(Id|Ids)$/.exec(name)?.[1];
  if (!stem) return null;
  const base = stem[0]!.toUpperCase() + stem.slice(1);
  // The longest suffix of the name that is a kind (fromLocation -> Location, workCenter -> WorkCenter).
  for (let i = 0; i < base.length; i++) {
    if (i > 0 && !/[A-Z]/.test(base[i]!)) continue;
    const suffix = base.slice(i);
    if (known.has(suffix)) return suffix;
  }
  // A short name for a longer kind (plan -> InspectionPlan), when only one kind fits.
  const longer = [...known].filter((k) => k.endsWith(base));
  return longer.length === 1 ? longer[0]! : null;
}

/**
 * The statements that (re)publish every row of the kinds a subgraph owns: for rows written with
 * triggers off (bulk loads in replica mode), run by the database's owner afterwards. Each is the
 * same call its migration makes; a row published twice is harmless (a copy keeps the newest).
 */
export function republishStatements(subgraph: SubgraphName): string[] {
  return Object.entries(PUBLISHED_KINDS as Record<string, PublishedKind>)
    .filter(([, k]) => k.owner === subgraph)
    .map(
      ([kind, k]) =>
        `SELECT mes_publish_reference('${kind}', '${k.status ?? ""}', '${k.window?.[0] ?? ""}', '${k.window?.[1] ?? ""}', '${k.details?.join(" ") ?? ""}')`,
    );
}

import DataLoader from "dataloader";

/**
 * One query for all ids asked for in the same tick (entity references, parent lookups).
 * Results come back in the order of the ids; a missing row resolves to null.
 */
export function byIdLoader<T extends { id: string }>(fetch: (ids: string[]) => Promise<T[]>): DataLoader<string, T | null> {
  return new DataLoader(async (ids) => {
    const rows = await fetch([...ids]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

/** One query for the children of all parents asked for in the same tick. */
export function childrenLoader<T>(fetch: (parentIds: string[]) => Promise<T[]>, parentKey: (row: T) => string): DataLoader<string, T[]> {
  return new DataLoader(async (parentIds) => {
    const rows = await fetch([...parentIds]);
    const groups = new Map<string, T[]>();
    for (const row of rows) {
      const key = parentKey(row);
      const list = groups.get(key);
      if (list) list.push(row);
      else groups.set(key, [row]);
    }
    return parentIds.map((id) => groups.get(id) ?? []);
  });
}

/** A reference to an entity another subgraph owns, for the gateway to resolve, typed by its type name. */
export function entityRef<T extends string>(typename: T, id: string): { __typename: T; id: string };
/** The same for an optional foreign key: no id, no entity. */
export function entityRef<T extends string>(typename: T, id: string | null | undefined): { __typename: T; id: string } | null;
export function entityRef<T extends string>(typename: T, id: string | null | undefined): { __typename: T; id: string } | null {
  return id ? { __typename: typename, id } : null;
}

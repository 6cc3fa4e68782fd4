// References to entities other subgraphs own (plants, machines, ...), for the gateway to resolve.
// Typed by their typename, unlike the kit's entityRef, so they fit the generated resolver types.

export function entity<T extends string>(__typename: T, id: string): { __typename: T; id: string } {
  return { __typename, id };
}

/** The same for an optional foreign key: no id, no entity. */
export function optionalEntity<T extends string>(__typename: T, id: string | null): { __typename: T; id: string } | null {
  return id ? { __typename, id } : null;
}

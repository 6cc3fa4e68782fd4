// References to entities other subgraphs own, for the gateway to resolve. Typed by their GraphQL
// type name (unlike @mes/shared's entityRef), so a Plant field cannot be handed a work order.

export const plantRef = (id: string) => ({ __typename: "Plant" as const, id });

export const workOrderRef = (id: string) => ({ __typename: "WorkOrder" as const, id });

/** A work order reference for an optional column: none stays null. */
export const optionalWorkOrderRef = (id: string | null | undefined) => (id ? workOrderRef(id) : null);

// Type-level guards, checked by `pnpm typecheck` and never run: each `@ts-expect-error` marks a
// mistake the typed seams must refuse. If one of these mistakes ever compiles again (a seam lost
// its types), the directive is unused and type-checking fails.
import type { Resolvers } from "../subgraphs/production/src/resolvers-types.generated.ts";
import { appendEvent, liveField, startEventConsumer, type Logger, type RawSqlClient } from "@mes/shared";

/** A resolver key that is not a field of its type. */
export const typoedFieldKey = {
  WorkOrder: {
    // @ts-expect-error WorkOrder has no field `quantty` (a typo of `quantity`)
    quantty: () => 1,
  },
} satisfies Resolvers;

/** An argument of the wrong type. */
export const wrongArgument = {
  Query: {
    // @ts-expect-error workOrder takes `id: ID!` (a string), not a number
    workOrder: (_parent: unknown, args: { id: number }) => (args.id > 0 ? null : null),
  },
} satisfies Resolvers;

/** A return value of the wrong shape. */
export const wrongReturn = {
  Query: {
    // @ts-expect-error products answers a page of products, not a string
    products: () => "P-1",
  },
} satisfies Resolvers;

declare const tx: RawSqlClient;
declare const log: Logger;

/** A producer whose payload does not match the catalogue. */
export const producerMismatch = () =>
  appendEvent(tx, {
    type: "MachineStatusChanged",
    organizationId: "o",
    plantId: null,
    aggregateId: "m",
    // @ts-expect-error MachineStatusChanged's payload needs `to`; `toState` is not in the catalogue
    payload: { machineId: "m", code: "M-1", from: "IDLE", toState: "RUNNING", reasonCode: null, actor: "a", at: "2026-01-01T00:00:00Z" },
  });

/** A consumer reading a field its event does not carry. */
export const consumerMismatch = () =>
  startEventConsumer({
    name: "type-seams",
    sourceUrl: "http://127.0.0.1:1",
    token: "unused",
    log,
    types: ["ProductionLogged"],
    transaction: (fn) => fn(tx),
    handle: async (event) => {
      // @ts-expect-error ProductionLogged carries goodQuantity, not goodQty
      void event.payload.goodQty;
    },
  });

/** A subscription shaping an event from a field its type does not carry. */
export const liveMismatch = liveField(
  ["NcrOpened"],
  () => true,
  // @ts-expect-error NcrOpened has no `disposition`
  (event) => ({ disposition: event.payload.disposition }),
);

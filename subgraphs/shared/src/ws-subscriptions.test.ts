import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { requestQueries, rowSecuritySettings } from "./db.ts";
import { freshContextPerEvent } from "./ws-subscriptions.ts";

// The CommonJS graphql, as ws-subscriptions.ts executes with it.
const graphql = createRequire(import.meta.url)("graphql") as typeof import("graphql");

/** A subscription of one event whose resolver notes the row-level security its statements would run under. */
function schemaNoting(seen: string[][]) {
  const Subscription = new graphql.GraphQLObjectType({
    name: "Subscription",
    fields: {
      tick: {
        type: graphql.GraphQLString,
        subscribe: async function* () {
          yield { tick: "one" };
        },
        resolve: (event: { tick: string }) => {
          seen.push(rowSecuritySettings(requestQueries.getStore()));
          return event.tick;
        },
      },
    },
  });
  const Query = new graphql.GraphQLObjectType({ name: "Query", fields: { ok: { type: graphql.GraphQLString } } });
  return new graphql.GraphQLSchema({ query: Query, subscription: Subscription });
}

async function firstEvent(identity: unknown) {
  const seen: string[][] = [];
  const perEvent = freshContextPerEvent();
  const stream = await perEvent.subscribe({
    schema: schemaNoting(seen),
    document: graphql.parse("subscription { tick }"),
    contextValue: perEvent.remember({ identity }, () => ({ identity })),
  });
  const step = await (stream as AsyncIterableIterator<unknown>).next();
  return { step, seen };
}

describe("freshContextPerEvent", () => {
  it("resolves each event inside a scope of the subscriber's tenant (row-level security), not as the service", async () => {
    const { step, seen } = await firstEvent({ organizationId: "org-1", plantIds: ["p-1", "p-2"] });
    expect(step).toEqual({ value: { data: { tick: "one" } }, done: false });
    expect(seen).toEqual([["tenant", "org-1", "p-1,p-2"]]);
    expect((await firstEvent({ organizationId: "org-1", plantIds: null })).seen).toEqual([["tenant", "org-1", "*"]]);
  });

  it("lets an event resolved without a caller see nothing", async () => {
    expect((await firstEvent(null)).seen).toEqual([["tenant", "", ""]]);
  });
});

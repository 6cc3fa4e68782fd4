import { describe, expect, it } from "vitest";
import { ApolloServer } from "@apollo/server";
import { inflightQueryDedupe } from "../gateway/src/operation-dedupe.ts";

interface Caller {
  token: string;
  organizationId: string;
  plantIds: string[] | null;
  roles: "VIEWER"[] | "ADMIN"[];
}
const viewer = (token: string, organizationId = "org-a", plantIds: string[] | null = ["p1"]): Caller => ({
  token,
  organizationId,
  plantIds,
  roles: ["VIEWER"],
});
const a = viewer("token-of-ann");

// A server whose fields take 100 ms and count their executions.
function server() {
  const calls = { query: 0, mutation: 0 };
  const apollo = new ApolloServer<{ identity: Caller | null }>({
    typeDefs: `type Query { slow(n: Int): Int version: Int } type Mutation { bump: Int }`,
    resolvers: {
      Query: {
        // What the data said when this execution read it (its snapshot), then slow.
        version: async () => {
          calls.query += 1;
          const seen = calls.mutation;
          await new Promise((r) => setTimeout(r, 100));
          return seen;
        },
        slow: async (_: unknown, a: { n?: number }) => {
          calls.query += 1;
          await new Promise((r) => setTimeout(r, 100));
          return a.n ?? 0;
        },
      },
      Mutation: {
        bump: async () => {
          calls.mutation += 1;
          const n = calls.mutation;
          await new Promise((r) => setTimeout(r, 100));
          return n;
        },
      },
    },
    plugins: [inflightQueryDedupe() as never],
  });
  const run = (query: string, caller: Caller, variables?: Record<string, unknown>) =>
    apollo
      .executeOperation({ query, variables }, { contextValue: { identity: caller } })
      .then((r) => (r.body as { singleResult: { data?: Record<string, unknown> } }).singleResult);
  return { apollo, calls, run };
}

describe("identical queries in flight at the gateway", () => {
  it("share executions between callers who may see the same (other users of the same plant too), each getting its own copy", async () => {
    const { apollo, calls, run } = server();
    await apollo.start();
    const users = [a, viewer("token-of-bob"), viewer("token-of-cem"), viewer("token-of-dora"), a];
    const same = await Promise.all(users.map((u) => run(`query($n: Int) { slow(n: $n) }`, u, { n: 7 })));
    // The first runs; the four that arrived while it ran share the one next execution.
    expect(calls.query).toBe(2);
    expect(same.map((r) => r.data)).toEqual(Array(5).fill({ slow: 7 }));
    same[0]!.data!.slow = 99;
    expect(same[1]!.data!.slow).toBe(7);
    await apollo.stop();
  });

  it("never answer a caller with an execution that began before it arrived (read-your-writes)", async () => {
    const { apollo, calls, run } = server();
    await apollo.start();
    const first = run(`{ version }`, a);
    await new Promise((r) => setTimeout(r, 20)); // the first execution has read version 0 and is still running
    calls.mutation += 1; // a write acknowledged (through another gateway) before the next reads are sent
    const later = await Promise.all([viewer("token-of-bob"), viewer("token-of-cem"), a].map((u) => run(`{ version }`, u)));
    expect((await first).data).toEqual({ version: 0 });
    expect(later.map((r) => r.data)).toEqual(Array(3).fill({ version: 1 }));
    expect(calls.query).toBe(2);
    await apollo.stop();
  });

  it("never share between callers who may see different things, nor across variables", async () => {
    const { apollo, calls, run } = server();
    await apollo.start();
    await Promise.all([
      run(`query($n: Int) { slow(n: $n) }`, a, { n: 1 }),
      run(`query($n: Int) { slow(n: $n) }`, viewer("eve", "org-b"), { n: 1 }), // another organization
      run(`query($n: Int) { slow(n: $n) }`, viewer("pia", "org-a", ["p2"]), { n: 1 }), // another plant
      run(`query($n: Int) { slow(n: $n) }`, viewer("all", "org-a", null), { n: 1 }), // every plant
      run(`query($n: Int) { slow(n: $n) }`, { ...a, token: "adm", roles: ["ADMIN"] }, { n: 1 }), // other roles
      run(`query($n: Int) { slow(n: $n) }`, a, { n: 2 }),
    ]);
    expect(calls.query).toBe(6);
    await apollo.stop();
  });

  it("never share mutations", async () => {
    const { apollo, calls, run } = server();
    await apollo.start();
    const results = await Promise.all(Array.from({ length: 3 }, () => run(`mutation { bump }`, a)));
    expect(calls.mutation).toBe(3);
    expect(results.map((r) => r.data!.bump).sort()).toEqual([1, 2, 3]);
    await apollo.stop();
  });
});

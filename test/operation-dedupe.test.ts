import { describe, expect, it } from "vitest";
import { ApolloServer } from "@apollo/server";
import { inflightQueryDedupe } from "../gateway/src/operation-dedupe.ts";

// A server whose fields take 100 ms and count their executions.
function server() {
  const calls = { query: 0, mutation: 0 };
  const apollo = new ApolloServer<{ identity: { token: string } | null }>({
    typeDefs: `type Query { slow(n: Int): Int } type Mutation { bump: Int }`,
    resolvers: {
      Query: {
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
  const run = (query: string, token: string, variables?: Record<string, unknown>) =>
    apollo
      .executeOperation({ query, variables }, { contextValue: { identity: { token } } })
      .then((r) => (r.body as { singleResult: { data?: Record<string, unknown> } }).singleResult);
  return { apollo, calls, run };
}

describe("identical queries in flight at the gateway", () => {
  it("run once for one caller, each getting its own copy; different callers and different variables run apart", async () => {
    const { apollo, calls, run } = server();
    await apollo.start();
    const same = await Promise.all(Array.from({ length: 5 }, () => run(`query($n: Int) { slow(n: $n) }`, "a", { n: 7 })));
    expect(calls.query).toBe(1);
    expect(same.map((r) => r.data)).toEqual(Array(5).fill({ slow: 7 }));
    same[0]!.data!.slow = 99;
    expect(same[1]!.data!.slow).toBe(7);
    await Promise.all([
      run(`query($n: Int) { slow(n: $n) }`, "a", { n: 1 }),
      run(`query($n: Int) { slow(n: $n) }`, "b", { n: 1 }),
      run(`query($n: Int) { slow(n: $n) }`, "a", { n: 2 }),
    ]);
    expect(calls.query).toBe(1 + 3);
    await apollo.stop();
  });

  it("never share mutations", async () => {
    const { apollo, calls, run } = server();
    await apollo.start();
    const results = await Promise.all(Array.from({ length: 3 }, () => run(`mutation { bump }`, "a")));
    expect(calls.mutation).toBe(3);
    expect(results.map((r) => r.data!.bump).sort()).toEqual([1, 2, 3]);
    await apollo.stop();
  });
});

import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dedupedFetch } from "../gateway/src/subgraph-fetch.ts";

// A subgraph stand-in that answers after 150 ms and counts what reached it.
let server: http.Server;
let url: string;
const received: { auth: string; body: string }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ auth: req.headers.authorization ?? "", body });
      setTimeout(() => res.setHeader("content-type", "application/json").end(JSON.stringify({ data: { n: received.length } })), 150);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/graphql`;
});
afterAll(() => server.close());

const send = (fetcher: ReturnType<typeof dedupedFetch>, query: string, auth: string) =>
  fetcher(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: auth },
    body: JSON.stringify({ query, variables: { id: "1" } }),
  }).then((r) => {
    expect(r.headers.get("content-type")).toBe("application/json");
    return r.json() as Promise<{ data: { n: number } }>;
  });

describe("subgraph fetches from the gateway", () => {
  it("send identical reads of one caller once, never answering one with a fetch sent before it was asked, each waiter getting its own copy", async () => {
    received.length = 0;
    const fetcher = dedupedFetch(5000);
    const answers = await Promise.all(Array.from({ length: 5 }, () => send(fetcher, "query Q($id: ID!) { workOrder(id: $id) { id } }", "Bearer a")));
    // The first goes out; the four asked while it was in flight share the one next fetch.
    expect(received).toHaveLength(2);
    expect(answers.map((a) => a.data.n)).toEqual([1, 2, 2, 2, 2]);
    answers[1]!.data.n = 99; // copies, not one shared object
    expect(answers[2]!.data.n).toBe(2);
    await send(fetcher, "query Q($id: ID!) { workOrder(id: $id) { id } }", "Bearer a");
    expect(received).toHaveLength(3); // done is done: a later read goes out again
  });

  it("never share between callers, and never share mutations", async () => {
    received.length = 0;
    const fetcher = dedupedFetch(5000);
    await Promise.all([
      send(fetcher, "query Q($id: ID!) { workOrder(id: $id) { id } }", "Bearer a"),
      send(fetcher, "query Q($id: ID!) { workOrder(id: $id) { id } }", "Bearer b"),
      send(fetcher, "mutation M($id: ID!) { releaseWorkOrder(id: $id) { id } }", "Bearer a"),
      send(fetcher, "mutation M($id: ID!) { releaseWorkOrder(id: $id) { id } }", "Bearer a"),
    ]);
    expect(received.map((r) => r.auth).sort()).toEqual(["Bearer a", "Bearer a", "Bearer a", "Bearer b"]);
    expect(received.filter((r) => r.body.includes("mutation"))).toHaveLength(2);
  });
});

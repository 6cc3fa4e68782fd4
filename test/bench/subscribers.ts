// The bench's shop-floor tablets, in a worker thread of their own: 1,000 graphql-ws subscribers whose
// arrival times are taken on a thread that is not also running the gateway and the subgraphs (real
// tablets are other machines). Messages: {subscribe: {query, variables[]}} → "subscribed";
// "collect" → {deliveries: [event's at, arrival ms][]}; "dispose".
import { parentPort, workerData } from "node:worker_threads";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

const { url, token, connections: connectionCount } = workerData as { url: string; token: string; connections: number };
const connections: Client[] = Array.from({ length: connectionCount }, () =>
  createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${token}` } }),
);
/** Each delivery: the event's `at` (its status change, inside the transaction) and when it arrived. */
let deliveries: [string, number][] = [];
let disposers: (() => void)[] = [];

parentPort!.on("message", (msg: { subscribe?: { query: string; variables: Record<string, unknown>[] } } | "collect" | "dispose" | "close") => {
  if (msg === "collect") {
    parentPort!.postMessage({ deliveries });
    deliveries = [];
  } else if (msg === "dispose") {
    for (const d of disposers) d();
    disposers = [];
    parentPort!.postMessage("disposed");
  } else if (msg === "close") {
    Promise.all(connections.map((c) => c.dispose())).then(() => process.exit(0));
  } else if (msg.subscribe) {
    const { query, variables } = msg.subscribe;
    disposers = variables.map((v, i) =>
      connections[i % connections.length]!.subscribe<{ workOrderStatusChanged: { at: string } }>(
        { query, variables: v },
        {
          next: (value) => deliveries.push([value.data!.workOrderStatusChanged.at, Date.now()]),
          error: () => {},
          complete: () => {},
        },
      ),
    );
    parentPort!.postMessage("subscribed");
  }
});

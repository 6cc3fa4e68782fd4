import { createClient, type Client, type Sink } from "graphql-ws";
import WebSocket from "ws";
import type { RequestContext } from "@mes/shared";

interface PooledSocket {
  client: Client;
  connected: boolean;
}

/**
 * graphql-ws connections from the gateway to the subgraphs, one per subgraph and caller token:
 * every upstream subscription with the same token shares one socket (graphql-ws multiplexes them),
 * so a thousand tablets catching up with one account open one socket, not a thousand. A socket
 * carries one token, verified by the subgraph when it connects: callers never share a socket.
 */
export class UpstreamSockets {
  private readonly sockets = new Map<string, PooledSocket>();
  private disposed = false;

  get size(): number {
    return this.sockets.size;
  }

  /** Subscribes over the socket of (url, the caller's token), opening it when needed; returns the unsubscribe. */
  subscribe(url: string, context: RequestContext, payload: { query: string; variables: Record<string, unknown> }, sink: Sink): () => void {
    // The gateway has stopped: nothing opens again.
    if (this.disposed) return () => {};
    return this.socketFor(url, context).client.subscribe(payload, sink);
  }

  /** Whether the socket a subscription of this caller would use is connected (acknowledged) now. */
  isConnected(url: string, context: RequestContext): boolean {
    return this.sockets.get(keyOf(url, context))?.connected ?? false;
  }

  private socketFor(url: string, context: RequestContext): PooledSocket {
    const key = keyOf(url, context);
    const known = this.sockets.get(key);
    if (known) return known;
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      // The streams reconnect themselves, from their own cursors.
      retryAttempts: 0,
      // Closed as soon as its last subscription ends.
      lazy: true,
      connectionParams: () => ({ requestId: context.requestId, authorization: `Bearer ${context.identity?.token ?? ""}` }),
    });
    const pooled: PooledSocket = { client, connected: false };
    client.on("connected", () => {
      pooled.connected = true;
    });
    // A closed socket (idle, lost, or refused) leaves the pool; the next subscription opens a new one.
    client.on("closed", () => {
      pooled.connected = false;
      if (this.sockets.get(key) === pooled) this.sockets.delete(key);
    });
    this.sockets.set(key, pooled);
    return pooled;
  }

  dispose(): void {
    this.disposed = true;
    for (const { client } of this.sockets.values()) void client.dispose();
    this.sockets.clear();
  }
}

const keyOf = (url: string, context: RequestContext) => `${url}\n${context.identity?.token ?? ""}`;

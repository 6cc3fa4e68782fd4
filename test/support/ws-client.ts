import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { currentCaller, tokenFor } from "./auth.ts";

/** A graphql-ws subscription that collects its events, for tests. */
export interface Collector<T> {
  events: T[];
  errors: unknown[];
  /** Resolves once `count` events have arrived (fails after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<T[]>;
  stop(): Promise<void>;
}

/** A graphql-ws client sending the test file's caller's token (or the given one; "" for none). */
export function wsClient(httpUrl: string, token?: string): Client {
  return createClient({
    url: httpUrl.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: async () => {
      const t = token ?? (await tokenFor(currentCaller()));
      return t ? { authorization: `Bearer ${t}` } : {};
    },
  });
}

export async function subscribe<T = Record<string, any>>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<Collector<T>> {
  const events: T[] = [];
  const errors: unknown[] = [];
  let notify = () => {};
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (value) => {
        if (value.errors) errors.push(...value.errors);
        if (value.data) events.push(value.data as T);
        notify();
      },
      error: (err) => {
        errors.push(err);
        notify();
      },
      complete: () => notify(),
    },
  );
  return {
    events,
    errors,
    waitFor(count, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`got ${events.length} of ${count} events; errors: ${JSON.stringify(errors)}`)), timeoutMs);
        const check = () => {
          if (events.length >= count) {
            clearTimeout(timer);
            resolve(events.slice(0, count));
          }
        };
        notify = check;
        check();
      });
    },
    async stop() {
      dispose();
    },
  };
}

/** Waits until `condition` holds (e.g. the server counts the new subscribers), polling. */
export async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

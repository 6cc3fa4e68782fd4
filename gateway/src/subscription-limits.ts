import type { ExecutionResult } from "graphql";
import type { Identity } from "@mes/shared";

export interface SubscriptionLimitSettings {
  perConnection: number;
  perUser: number;
  perOrganization: number;
  total: number;
}

/**
 * How many subscriptions are open per WebSocket, per user (across all their sockets), per
 * organization and in total, so that no one user or tenant can fill the gateway. A slot is taken
 * when a subscription starts and given back exactly once when it ends, however it ends.
 */
export class SubscriptionLimiter {
  private readonly perSocket = new WeakMap<object, number>();
  private readonly perUser = new Map<string, number>();
  private readonly perOrganization = new Map<string, number>();
  private total = 0;

  constructor(private readonly limits: SubscriptionLimitSettings) {}

  /** A refusal message, or the function that gives the slot back. */
  acquire(socket: object, identity: Identity): { refused: string } | { release: () => void } {
    const user = `${identity.organizationId}\n${identity.userId}`;
    const org = identity.organizationId;
    const { perConnection, perUser, perOrganization, total } = this.limits;
    if ((this.perSocket.get(socket) ?? 0) >= perConnection) return { refused: `At most ${perConnection} subscriptions per connection` };
    if ((this.perUser.get(user) ?? 0) >= perUser)
      return { refused: `At most ${perUser} subscriptions per user (on all connections together); close some before opening more` };
    if ((this.perOrganization.get(org) ?? 0) >= perOrganization)
      return { refused: `Your organization has ${perOrganization} subscriptions open, its limit; try again later` };
    if (this.total >= total) return { refused: "The gateway is at its subscription limit; try again later" };
    this.perSocket.set(socket, (this.perSocket.get(socket) ?? 0) + 1);
    bump(this.perUser, user, 1);
    bump(this.perOrganization, org, 1);
    this.total += 1;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.perSocket.set(socket, (this.perSocket.get(socket) ?? 1) - 1);
        bump(this.perUser, user, -1);
        bump(this.perOrganization, org, -1);
        this.total -= 1;
      },
    };
  }
}

function bump(counts: Map<string, number>, key: string, by: number): void {
  const n = (counts.get(key) ?? 0) + by;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
}

/** The iterator, giving its slot back when it completes, fails or is returned (graphql-ws calls return only on the last two). */
export function releasingOnEnd(events: AsyncIterableIterator<ExecutionResult>, release: () => void): AsyncIterableIterator<ExecutionResult> {
  return {
    async next() {
      try {
        const result = await events.next();
        if (result.done) release();
        return result;
      } catch (err) {
        release();
        throw err;
      }
    },
    async return() {
      release();
      return (await events.return?.()) ?? { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

import type { RequestContext } from "@mes/shared";
import { UpstreamFeed, type UpstreamFeedOptions } from "./upstream-feed.ts";
import type { ClientStream } from "./client-stream.ts";
import type { SharedStream } from "./shared-stream.ts";
import { upstreamErrors } from "./upstream-errors.ts";

export interface CatchUpOptions {
  feed: Omit<UpstreamFeedOptions, "caller" | "onEvent" | "onEnd" | "onStarted">;
  caller: RequestContext;
  client: ClientStream;
  /** The open shared stream of this subscription (opened when there is none). */
  sharedStream: () => SharedStream;
  /** Events queued for the client before its upstream is paused, and when it resumes. */
  page: { pauseAt: number; resumeAt: number };
  /** How often it looks whether it has gone quiet behind the frontier (0: never). */
  quietCheckMs: number;
  /** It has joined the shared stream. */
  onJoined: () => void;
}

/**
 * A client catching up at its own pace (one that fell behind its catching-up group, see
 * stream-family.ts) reads what it missed on its own upstream subscription (its own token, from its
 * last cursor): when it has `pauseAt` events queued the upstream is unsubscribed, and resubscribed
 * after the last cursor received once it has read down to `resumeAt`; events are resolved only
 * when it reads them. So a backlog of any length costs a page of memory and never counts against
 * the live queue. Once every event up to the shared stream's frontier has been received, it closes
 * its upstream and joins the shared stream, which delivers every event after the frontier (the
 * client drops those it has). A quiet stream may bring no event to tell it has caught up: a reader
 * that stayed subscribed and received nothing for two checks asks the shared stream to rewind to
 * its position and joins it then (see SharedStream.rewindTo).
 */
export class CatchUp {
  private feed: UpstreamFeed | null = null;
  private stream: SharedStream | null = null;
  private joined = false;
  private stopped = false;
  private readonly recheck = () => void this.tryJoin();
  private quietTimer: NodeJS.Timeout | null = null;
  private quietChecks = 0;
  private eventsAtLastCheck = -1;

  constructor(
    private readonly opts: CatchUpOptions,
    private readonly after: bigint,
  ) {
    // A client reconnecting with the last cursor it got is usually caught up already: no own upstream.
    if (this.tryJoin()) return;
    this.feed = new UpstreamFeed(
      {
        ...opts.feed,
        caller: () => opts.caller,
        onEvent: (event, cursor) => this.received(event, cursor),
        onEnd: (errors, cause) => {
          // E.g. CURSOR_EXPIRED: the client is told and ends, as it would at the subgraph.
          if (errors) opts.client.pushShared({ errors: upstreamErrors(errors) }, null);
          opts.client.end(errors ? undefined : cause);
        },
      },
      after,
    );
    if (opts.quietCheckMs > 0) {
      this.quietTimer = setInterval(() => this.checkQuiet(), opts.quietCheckMs);
      this.quietTimer.unref();
    }
  }

  private checkQuiet(): void {
    const feed = this.feed;
    if (!feed || this.joined || this.stopped) return;
    const quiet = feed.isSubscribed && feed.eventsReceived === this.eventsAtLastCheck;
    this.eventsAtLastCheck = feed.eventsReceived;
    this.quietChecks = quiet ? this.quietChecks + 1 : 0;
    if (this.quietChecks < 2 || this.tryJoin()) return;
    const position = this.position;
    if (!this.stream || position === null) return;
    this.quietChecks = 0;
    void this.stream.rewindTo(position).then((rewound) => {
      if (rewound) this.join();
    });
  }

  /** Every event up to this cursor has been received (or the client had it before subscribing). */
  private get position(): bigint | null {
    return this.feed ? this.feed.position : this.after;
  }

  private received(event: Record<string, unknown>, cursor: bigint | null): void {
    this.opts.client.pushCatchUp(event, cursor);
    if (this.tryJoin()) return;
    if (this.opts.client.catchUpQueued >= this.opts.page.pauseAt) this.feed?.pause();
  }

  /** The client read an event it was catching up on. */
  eventRead(): void {
    if (!this.joined && this.opts.client.catchUpQueued <= this.opts.page.resumeAt) this.feed?.resume();
  }

  private tryJoin(): boolean {
    if (this.joined || this.stopped) return this.joined;
    if (!this.stream || this.stream.isClosed) {
      this.stream = this.opts.sharedStream();
      this.stream.hold(this.recheck);
    }
    const frontier = this.stream.frontier;
    const position = this.position;
    if (frontier === null || position === null || position < frontier) return false;
    this.join();
    return true;
  }

  /**
   * Synchronously, so the frontier cannot move in between: the shared stream brings every event
   * after it, and the client drops those it has already (it has all up to its position).
   */
  private join(): void {
    if (this.joined || this.stopped || !this.stream || this.stream.isClosed) return;
    this.feed?.close();
    this.feed = null;
    this.joined = true;
    if (this.quietTimer) clearInterval(this.quietTimer);
    this.stream.join(this.opts.client, this.opts.caller);
    this.stream.release(this.recheck);
    this.opts.onJoined();
  }

  /** The client is gone. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.quietTimer) clearInterval(this.quietTimer);
    if (this.joined) {
      this.stream?.remove(this.opts.client);
      return;
    }
    this.feed?.close();
    this.stream?.release(this.recheck);
  }
}

import type { RequestContext } from "@mes/shared";
import type { ClientStream } from "./client-stream.ts";
import { SharedStream, type SharedStreamOptions } from "./shared-stream.ts";
import { CatchUp } from "./catch-up.ts";

type StreamSettings = Omit<SharedStreamOptions, "from" | "catchingUp" | "onDelivered" | "onClose">;

export interface StreamFamilyOptions {
  stream: StreamSettings;
  /** Events a client of the catching-up group may have waiting before it reads on its own instead. */
  ownPaceAfter: number;
  /** Paging of a client reading on its own (see CatchUp). */
  page: { pauseAt: number; resumeAt: number };
  /** How often a quiet catching-up stream is looked at (0: never). */
  quietCheckMs: number;
  /** The family has no clients left (the registry forgets it). */
  onEmpty: () => void;
}

interface Member {
  client: ClientStream;
  caller: RequestContext;
  where: "live" | "group" | "joining-group" | "gone" | CatchUp;
  catchingUp: boolean;
}

/**
 * The streams of one subscription (one operation, variables and tenant scope), whatever cursor its
 * clients resume from. Clients without `after` share the live stream. Clients resuming from a
 * cursor behind it share one catching-up stream, started at the earliest of their cursors (rewound
 * when an earlier one comes): every missed event is read from the subgraph and resolved once for
 * all of them, and is never counted against a client's live queue. Once the catching-up stream has
 * delivered up to the live stream's frontier, its clients move to the live stream (which delivers
 * everything after the frontier; each client drops what it has) and it closes. A quiet one, which
 * no event will bring there, asks the live stream to rewind to its frontier instead. A client that
 * falls `ownPaceAfter` events behind the group reads on at its own pace (CatchUp), so no reader
 * holds the others back or makes them hold its backlog.
 */
export class StreamFamily {
  private live: SharedStream | null = null;
  private group: SharedStream | null = null;
  private readonly members = new Map<ClientStream, Member>();
  private quietTimer: NodeJS.Timeout | null = null;
  private quietChecks = 0;
  private eventsAtLastCheck = -1;
  private readonly handOffCheck = () => this.handOff();

  /** `caller`: whose token opens the streams (each stream then follows its freshest client). */
  constructor(
    private readonly opts: StreamFamilyOptions,
    private caller: RequestContext,
  ) {}

  private get counters() {
    return this.opts.stream.counters;
  }

  /** The live stream, opened when there is none (held open while a catching-up stream waits for it). */
  liveStream(caller: RequestContext = this.caller): SharedStream {
    if (this.live && !this.live.isClosed) return this.live;
    const live: SharedStream = new SharedStream(
      {
        ...this.opts.stream,
        from: "now",
        onClose: () => {
          if (this.live === live) this.live = null;
        },
      },
      caller,
    );
    this.live = live;
    if (this.group) live.hold(this.handOffCheck);
    return live;
  }

  add(client: ClientStream, caller: RequestContext, after: bigint | null): void {
    this.caller = caller;
    const member: Member = { client, caller, where: "joining-group", catchingUp: after !== null };
    this.members.set(client, member);
    if (member.catchingUp) this.counters.catchingUp += 1;
    this.place(member, after);
  }

  private place(member: Member, after: bigint | null): void {
    const live = this.liveStream(member.caller);
    const frontier = live.frontier;
    if (after === null || (frontier !== null && after >= frontier)) this.toLive(member);
    else this.toGroup(member, after);
  }

  private toLive(member: Member): void {
    this.liveStream(member.caller).join(member.client, member.caller);
    member.where = "live";
    if (member.catchingUp) {
      member.catchingUp = false;
      this.counters.catchingUp -= 1;
    }
  }

  private toGroup(member: Member, after: bigint): void {
    if (!this.group || this.group.isClosed) this.openGroup(member.caller, after);
    const group = this.group!;
    const frontier = group.frontier;
    if (frontier !== null && after >= frontier) {
      group.join(member.client, member.caller);
      member.where = "group";
      return;
    }
    // The group is past this cursor: it goes back to it (its clients drop what comes again).
    member.where = "joining-group";
    void group.rewindTo(after).then((rewound) => {
      if (member.where !== "joining-group") return;
      if (rewound && group === this.group && !group.isClosed) {
        group.join(member.client, member.caller);
        member.where = "group";
      } else {
        this.place(member, after);
      }
    });
  }

  private openGroup(caller: RequestContext, from: bigint): void {
    const group: SharedStream = new SharedStream(
      {
        ...this.opts.stream,
        // It resumes only from what it received: it is brief, and its backlog may still be coming.
        positionRefreshMs: 0,
        from,
        catchingUp: true,
        onDelivered: () => this.delivered(),
        onClose: () => {
          if (this.group !== group) return;
          this.group = null;
          this.stopQuietChecks();
          this.live?.release(this.handOffCheck);
        },
      },
      caller,
    );
    this.group = group;
    this.liveStream(caller).hold(this.handOffCheck);
    if (this.opts.quietCheckMs > 0) {
      this.quietChecks = 0;
      this.eventsAtLastCheck = -1;
      this.quietTimer = setInterval(() => this.checkQuiet(), this.opts.quietCheckMs);
      this.quietTimer.unref();
    }
  }

  /** After each event the catching-up stream delivered. */
  private delivered(): void {
    if (this.handOff()) return;
    for (const client of [...(this.group?.clients ?? [])]) {
      if (client.catchUpQueued > this.opts.ownPaceAfter) this.readOnOwn(client);
    }
  }

  /** Moves the catching-up clients to the live stream once the group has reached its frontier. */
  private handOff(): boolean {
    const group = this.group;
    if (!group) return false;
    const reached = group.frontier;
    const frontier = this.liveStream().frontier;
    if (reached === null || frontier === null || reached < frontier) return false;
    this.moveGroupToLive(group);
    return true;
  }

  private moveGroupToLive(group: SharedStream): void {
    for (const client of [...group.clients]) {
      group.take(client);
      const member = this.members.get(client);
      if (member) this.toLive(member);
    }
    group.close();
  }

  /** A quiet catching-up stream: the live one rewinds to where the group is, and the group moves there. */
  private checkQuiet(): void {
    const group = this.group;
    if (!group) return;
    const { subscribed, eventsReceived } = group.activity;
    const quiet = subscribed && eventsReceived === this.eventsAtLastCheck;
    this.eventsAtLastCheck = eventsReceived;
    this.quietChecks = quiet ? this.quietChecks + 1 : 0;
    const reached = group.frontier;
    if (this.quietChecks < 2 || reached === null || this.handOff()) return;
    this.quietChecks = 0;
    const live = this.live;
    void live?.rewindTo(reached).then((rewound) => {
      if (rewound && this.group === group && this.live === live) this.moveGroupToLive(group);
    });
  }

  private stopQuietChecks(): void {
    if (this.quietTimer) clearInterval(this.quietTimer);
    this.quietTimer = null;
  }

  /** A client too far behind the group reads on by itself, from the last event it has. */
  private readOnOwn(client: ClientStream): void {
    const member = this.members.get(client);
    const after = client.lastCursor;
    if (!member || after === null || !this.group) return;
    this.group.take(client);
    const catchUp = new CatchUp(
      {
        feed: { ...this.opts.stream, positionRefreshMs: 0 },
        caller: member.caller,
        client,
        sharedStream: () => this.liveStream(member.caller),
        page: this.opts.page,
        quietCheckMs: this.opts.quietCheckMs,
        onJoined: () => {
          member.where = "live";
          if (member.catchingUp) {
            member.catchingUp = false;
            this.counters.catchingUp -= 1;
          }
        },
      },
      after,
    );
    if (member.where !== "live") member.where = catchUp;
    // The group may have no clients left.
    if (this.group.clients.size === 0) this.group.close();
  }

  /** Its client read an event it was catching up on (one reading on its own may fetch more). */
  eventRead(client: ClientStream): void {
    const where = this.members.get(client)?.where;
    if (where instanceof CatchUp) where.eventRead();
  }

  /** Its client is gone, however it ended. */
  remove(client: ClientStream): void {
    const member = this.members.get(client);
    if (!member) return;
    this.members.delete(client);
    const where = member.where;
    member.where = "gone";
    if (member.catchingUp) this.counters.catchingUp -= 1;
    if (where === "live") this.live?.remove(client);
    else if (where === "group") this.group?.remove(client);
    else if (where instanceof CatchUp) where.stop();
    if (this.members.size === 0) this.opts.onEmpty();
  }
}

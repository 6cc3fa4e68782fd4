import pg from "pg";
import type { Logger } from "./logger.ts";

export interface ListenConnectionOptions {
  connectionString: string;
  /** Shown in pg_stat_activity, so the one connection per process can be found (and counted). */
  applicationName: string;
  log: Logger;
}

type ListeningHandler = () => void;
type NotificationHandler = (payload: string) => void;

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5000;

/**
 * The one LISTEN connection of a process, shared by whatever needs notifications (live events on
 * `outbox`, the read cache on `mes_changed`): each registers its channel with `on` before start.
 * It heals: when it is lost (PostgreSQL restarted, the backend killed) it
 * reconnects with backoff until it listens again. At most one connection exists at any time: a
 * connection's error and end events, which both arrive when it dies, schedule one reconnect, and
 * a connection that is not the current one is ignored.
 */
export class ListenConnection {
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private attempts = 0;
  private stopped = false;
  private started: Promise<void> | null = null;
  private readonly channels = new Map<string, NotificationHandler>();
  private readonly listeningHandlers: ListeningHandler[] = [];
  /** Connections made after the first (for tests and logs). */
  reconnects = 0;

  constructor(private readonly opts: ListenConnectionOptions) {}

  /** LISTENs on `channel` (registered before start). */
  on(channel: string, handler: NotificationHandler): this {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
    this.channels.set(channel, handler);
    return this;
  }

  /** Listening (again): whatever was committed while not listening must be read (or forgotten) now. */
  onListening(handler: ListeningHandler): this {
    this.listeningHandlers.push(handler);
    return this;
  }

  /** Connects and listens; rejects if the first attempt fails (later ones retry by themselves). Once. */
  start(): Promise<void> {
    this.started ??= this.connect(true);
    return this.started;
  }

  /**
   * Sends a notification on this same connection. Notifications reach listeners in commit order,
   * so when this one comes back, every change committed before it was sent has been delivered.
   */
  async notify(channel: string, payload: string): Promise<void> {
    if (!this.client) throw new Error("not listening");
    await this.client.query("SELECT pg_notify($1, $2)", [channel, payload]);
  }

  get listening(): boolean {
    return this.client !== null;
  }

  private connect(first = false): Promise<void> {
    if (this.stopped || this.client || this.connecting) return this.connecting ?? Promise.resolve();
    const client = new pg.Client({ connectionString: this.opts.connectionString, application_name: this.opts.applicationName, keepAlive: true });
    client.on("notification", (n) => this.channels.get(n.channel)?.(n.payload ?? ""));
    client.on("error", (err) => this.lost(client, err));
    client.on("end", () => this.lost(client));
    this.connecting = (async () => {
      try {
        await client.connect();
        for (const channel of this.channels.keys()) await client.query(`LISTEN ${channel}`);
      } catch (err) {
        await client.end().catch(() => {});
        if (first) throw err;
        this.opts.log.debug({ err, attempt: this.attempts }, "live event connection: reconnect failed");
        this.retry();
        return;
      } finally {
        this.connecting = null;
      }
      if (this.stopped) {
        await client.end().catch(() => {});
        return;
      }
      if (!first) {
        this.reconnects += 1;
        this.opts.log.info({ attempts: this.attempts }, "live event connection restored");
      }
      this.attempts = 0;
      this.client = client;
      for (const handler of this.listeningHandlers) handler();
    })();
    return this.connecting;
  }

  private lost(client: pg.Client, err?: Error): void {
    // Only the current connection counts; its second signal (error, then end) finds it gone.
    if (client !== this.client) return;
    this.client = null;
    client.end().catch(() => {});
    if (this.stopped) return;
    this.opts.log.warn({ err }, "live event connection lost; reconnecting");
    this.retry();
  }

  private retry(): void {
    if (this.stopped || this.retryTimer) return;
    const delay = Math.min(FIRST_RETRY_MS * 2 ** this.attempts, MAX_RETRY_MS);
    this.attempts += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
    this.retryTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    await this.connecting?.catch(() => {});
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }
}

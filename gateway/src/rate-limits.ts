import type express from "express";
import { GraphQLError } from "graphql";
import { requestIdOf, requestToken, type Identity, type Logger, type TokenVerifier } from "@mes/shared";

/** One token bucket's shape: `burst` requests at once, refilled at `perSecond` (0: no limit). */
export interface BucketSettings {
  perSecond: number;
  burst: number;
}

export interface RateLimitSettings {
  user: BucketSettings;
  organization: BucketSettings;
}

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date (ms, monotonic clock). */
  at: number;
}

/** The tokens a bucket holds at `now`: what it had plus the refill since, never more than the burst. */
export function refilled(bucket: Bucket, settings: BucketSettings, now: number): number {
  return Math.min(settings.burst, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * settings.perSecond);
}

/** Whole seconds until a bucket holding `tokens` has one to give (at least 1: a client must wait some time). */
export function retryAfterSeconds(tokens: number, settings: BucketSettings): number {
  return Math.max(1, Math.ceil((1 - tokens) / settings.perSecond));
}

export type RateVerdict = { allowed: true } | { allowed: false; scope: "user" | "organization"; retryAfterSeconds: number; settings: BucketSettings };

/** Empty buckets are forgotten this often (a full bucket is the same as none). */
const SWEEP_EVERY_MS = 60_000;

/**
 * Requests (and subscription starts) per user and per organization, each a token bucket. A request
 * takes one token from both or from neither: a throttled user does not use up the organization's
 * tokens, so colleagues go on working until the organization as a whole is over its limit.
 */
export class RateLimiter {
  private readonly users = new Map<string, Bucket>();
  private readonly organizations = new Map<string, Bucket>();
  private lastSweep: number;

  constructor(
    private readonly settings: RateLimitSettings,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.lastSweep = now();
  }

  take(identity: Pick<Identity, "userId" | "organizationId">): RateVerdict {
    const now = this.now();
    if (now - this.lastSweep > SWEEP_EVERY_MS) this.sweep(now);
    const user = this.bucket(this.users, `${identity.organizationId}\n${identity.userId}`, this.settings.user, now);
    const org = this.bucket(this.organizations, identity.organizationId, this.settings.organization, now);
    if (user && user.tokens < 1)
      return { allowed: false, scope: "user", retryAfterSeconds: retryAfterSeconds(user.tokens, this.settings.user), settings: this.settings.user };
    if (org && org.tokens < 1)
      return {
        allowed: false,
        scope: "organization",
        retryAfterSeconds: retryAfterSeconds(org.tokens, this.settings.organization),
        settings: this.settings.organization,
      };
    if (user) user.tokens -= 1;
    if (org) org.tokens -= 1;
    return { allowed: true };
  }

  /** The bucket brought up to `now`, or null when this limit is off. */
  private bucket(buckets: Map<string, Bucket>, key: string, settings: BucketSettings, now: number): Bucket | null {
    if (settings.perSecond <= 0) return null;
    let bucket = buckets.get(key);
    if (!bucket) {
      bucket = { tokens: settings.burst, at: now };
      buckets.set(key, bucket);
    } else {
      bucket.tokens = refilled(bucket, settings, now);
      bucket.at = now;
    }
    return bucket;
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [buckets, settings] of [
      [this.users, this.settings.user],
      [this.organizations, this.settings.organization],
    ] as const) {
      for (const [key, bucket] of buckets) if (refilled(bucket, settings, now) >= settings.burst) buckets.delete(key);
    }
  }
}

/** The refusal clients act on: wait `retryAfterSeconds`, then try again. */
export function rateLimitedError(verdict: Extract<RateVerdict, { allowed: false }>): GraphQLError {
  const who = verdict.scope === "user" ? "you" : "your organization";
  return new GraphQLError(
    `Too many requests from ${who}: at most ${verdict.settings.perSecond} per second, in bursts of up to ${verdict.settings.burst}; retry after ${verdict.retryAfterSeconds} s`,
    { extensions: { code: "RATE_LIMITED", retryAfterSeconds: verdict.retryAfterSeconds, limit: verdict.scope } },
  );
}

/**
 * Express middleware in front of the GraphQL routes: a request with a valid token takes its tokens
 * here, before anything is parsed, and is answered 429 with Retry-After when over its limit. The
 * token is verified by the service's own (caching) verifier; a missing or bad one is left to the
 * route's authentication, which answers 401.
 */
export function rateLimitRequests(limiter: RateLimiter, authenticate: TokenVerifier, log: Logger): express.RequestHandler {
  return async (req, res, next) => {
    if (req.method !== "POST" && req.method !== "GET") return next();
    const token = requestToken(req);
    if (!token) return next();
    let identity: Identity;
    try {
      identity = await authenticate(token);
    } catch {
      return next();
    }
    const verdict = limiter.take(identity);
    if (verdict.allowed) return next();
    const error = rateLimitedError(verdict);
    log.info(
      {
        requestId: requestIdOf(req),
        userId: identity.userId,
        organizationId: identity.organizationId,
        limit: verdict.scope,
        outcome: "rate_limited",
      },
      "request refused: rate limit",
    );
    res
      .status(429)
      .set("retry-after", String(verdict.retryAfterSeconds))
      .json({ errors: [{ message: error.message, extensions: error.extensions }] });
  };
}

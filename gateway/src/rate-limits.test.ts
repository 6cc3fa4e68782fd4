import { describe, expect, it } from "vitest";
import { RateLimiter, rateLimitedError, refilled, retryAfterSeconds } from "./rate-limits.ts";

const settings = { perSecond: 2, burst: 5 };

describe("refilled", () => {
  it("adds perSecond tokens per second since the last update, never above the burst", () => {
    // 1 token, 1.5 s later at 2/s: 1 + 3 = 4.
    expect(refilled({ tokens: 1, at: 0 }, settings, 1500)).toBe(4);
    // 1 token, 10 s later: 21, capped at the burst of 5.
    expect(refilled({ tokens: 1, at: 0 }, settings, 10_000)).toBe(5);
    // A clock that went backwards adds nothing.
    expect(refilled({ tokens: 0.5, at: 1000 }, settings, 500)).toBe(0.5);
  });
});

describe("retryAfterSeconds", () => {
  it("is the whole seconds until one token is back, at least 1", () => {
    // 0 tokens at 2/s: 0.5 s, rounded up to 1.
    expect(retryAfterSeconds(0, settings)).toBe(1);
    // 0 tokens at 0.25/s: 4 s.
    expect(retryAfterSeconds(0, { perSecond: 0.25, burst: 1 })).toBe(4);
    // 0.5 tokens at 0.1/s: 5 s.
    expect(retryAfterSeconds(0.5, { perSecond: 0.1, burst: 1 })).toBe(5);
  });
});

describe("RateLimiter", () => {
  const ann = { organizationId: "org-a", userId: "ann" };
  const bob = { organizationId: "org-a", userId: "bob" };
  const cat = { organizationId: "org-b", userId: "cat" };

  it("lets a user take their burst, then refuses until the bucket refills", () => {
    let now = 0;
    const limiter = new RateLimiter({ user: { perSecond: 1, burst: 3 }, organization: { perSecond: 100, burst: 100 } }, () => now);
    expect([1, 2, 3].map(() => limiter.take(ann).allowed)).toEqual([true, true, true]);
    expect(limiter.take(ann)).toMatchObject({ allowed: false, scope: "user", retryAfterSeconds: 1 });
    // 1 s at 1/s: one more.
    now = 1000;
    expect(limiter.take(ann).allowed).toBe(true);
    expect(limiter.take(ann).allowed).toBe(false);
  });

  it("throttles one user, not a colleague, until the organization's bucket is empty; other organizations go on", () => {
    const now = 0;
    const limiter = new RateLimiter({ user: { perSecond: 1, burst: 2 }, organization: { perSecond: 1, burst: 3 } }, () => now);
    expect([limiter.take(ann), limiter.take(ann), limiter.take(ann)].map((v) => v.allowed)).toEqual([true, true, false]);
    // Ann's refusal took nothing from the organization: 3 - 2 = 1 left for Bob.
    expect(limiter.take(bob).allowed).toBe(true);
    expect(limiter.take(bob)).toMatchObject({ allowed: false, scope: "organization", retryAfterSeconds: 1 });
    expect([limiter.take(cat), limiter.take(cat)].map((v) => v.allowed)).toEqual([true, true]);
  });

  it("has no limit where perSecond is 0", () => {
    const limiter = new RateLimiter({ user: { perSecond: 0, burst: 1 }, organization: { perSecond: 0, burst: 1 } }, () => 0);
    expect(Array.from({ length: 50 }, () => limiter.take(ann).allowed).every(Boolean)).toBe(true);
  });

  it("forgets buckets that have refilled (a full bucket is the same as none)", () => {
    let now = 0;
    const limiter = new RateLimiter({ user: { perSecond: 1, burst: 1 }, organization: { perSecond: 1, burst: 1 } }, () => now);
    limiter.take(ann);
    now = 61_000;
    limiter.take(cat);
    const users = (limiter as unknown as { users: Map<string, unknown> }).users;
    expect([...users.keys()]).toEqual(["org-b\ncat"]);
  });
});

describe("rateLimitedError", () => {
  it("carries RATE_LIMITED, the seconds to wait and which limit", () => {
    const error = rateLimitedError({ allowed: false, scope: "organization", retryAfterSeconds: 3, settings: { perSecond: 10, burst: 20 } });
    expect(error.extensions).toEqual({ code: "RATE_LIMITED", retryAfterSeconds: 3, limit: "organization" });
    expect(error.message).toBe("Too many requests from your organization: at most 10 per second, in bursts of up to 20; retry after 3 s");
  });
});

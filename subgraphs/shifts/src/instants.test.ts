import { describe, expect, it } from "vitest";
import { CLOCK_SKEW_MS, hasHappened, zHappened } from "./instants.ts";

const now = new Date("2026-02-02T07:00:00Z");
const after = (ms: number) => new Date(now.getTime() + ms);

describe("hasHappened", () => {
  it("accepts the past, now and up to the clock skew ahead", () => {
    expect(hasHappened(after(-86_400_000), now)).toBe(true);
    expect(hasHappened(now, now)).toBe(true);
    expect(hasHappened(after(CLOCK_SKEW_MS), now)).toBe(true);
  });

  it("refuses anything later than the clock skew ahead", () => {
    expect(hasHappened(after(CLOCK_SKEW_MS + 1), now)).toBe(false);
    expect(hasHappened(after(2 * 86_400_000), now)).toBe(false);
  });
});

describe("zHappened", () => {
  it("parses a past instant and refuses one two days ahead of the real clock, saying why", () => {
    const past = new Date(Date.now() - 60_000);
    expect(zHappened.parse(past)).toEqual(past);
    const future = zHappened.safeParse(new Date(Date.now() + 2 * 86_400_000));
    expect(future.success).toBe(false);
    expect(future.error?.issues[0]?.message).toBe("must not be in the future: it records something that happened");
  });
});

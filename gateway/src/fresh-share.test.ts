import { describe, expect, it } from "vitest";
import { FreshShare } from "./fresh-share.ts";

const tick = () => new Promise((r) => setTimeout(r, 5));

describe("FreshShare", () => {
  it("never answers a caller with a run that started before it arrived", async () => {
    const share = new FreshShare<number>();
    let version = 0;
    let runs = 0;
    // A run reads the version when it starts (its snapshot), and takes a while.
    const work = async () => {
      runs += 1;
      const seen = version;
      await tick();
      return seen;
    };
    const first = share.run("k", work);
    version = 1; // a write acknowledged while the first run is in flight
    const later = [share.run("k", work), share.run("k", work), share.run("k", work)];
    expect(await first).toBe(0);
    expect(await Promise.all(later)).toEqual([1, 1, 1]);
    expect(runs).toBe(2); // the three later callers shared one run
    expect(share.size).toBe(0);
  });

  it("runs keys apart, and a failed run lets the next one run", async () => {
    const share = new FreshShare<string>();
    const failing = share.run("a", async () => {
      await tick();
      throw new Error("boom");
    });
    const after = share.run("a", async () => "ok");
    const other = share.run("b", async () => "b");
    await expect(failing).rejects.toThrow("boom");
    expect(await after).toBe("ok");
    expect(await other).toBe("b");
    expect(share.size).toBe(0);
  });
});

import { describe, expect, it } from "vitest";
import type { ExecutionResult } from "graphql";
import { EndableStream } from "./sse.ts";

/** A stream of the given results that waits (like a live subscription) once they are read, until returned. */
function source(results: ExecutionResult[]) {
  let wake: (() => void) | null = null;
  let returned = false;
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      const value = results.shift();
      if (value) return { value, done: false };
      if (!returned) await new Promise<void>((r) => (wake = r));
      return { value: undefined, done: true };
    },
    async return() {
      returned = true;
      wake?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return iterator;
}

describe("EndableStream", () => {
  it("passes events through; ended, it delivers its reason once after them, then is done, and reports its end once", async () => {
    let finished = 0;
    const stream = new EndableStream(source([{ data: { n: 1 } }]), () => (finished += 1));
    expect((await stream.next()).value).toEqual({ data: { n: 1 } });
    const pending = stream.next();
    stream.end({ errors: [{ message: "too slow" }] as never });
    stream.end({ errors: [{ message: "later reason" }] as never });
    expect((await pending).value).toEqual({ errors: [{ message: "too slow" }] });
    expect(await stream.next()).toEqual({ value: undefined, done: true });
    await stream.return();
    expect(finished).toBe(1);
  });

  it("returned by the client, it ends without a reason", async () => {
    let finished = 0;
    const stream = new EndableStream(source([]), () => (finished += 1));
    await stream.return();
    expect(await stream.next()).toEqual({ value: undefined, done: true });
    expect(finished).toBe(1);
  });
});

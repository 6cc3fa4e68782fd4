// Every answer that depends on the time must say so, or the read cache would keep it until the data
// changes (a "current shift" that never moves on). Subgraph code asks clockNow() (it marks the
// request), never new Date() / Date.now(); the kit's infrastructure (timeouts, token expiry,
// follower lag) is listed here with why it may read the clock directly.
import fs from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const CLOCK = /new Date\(\)|Date\.now\(\)/;
const KIT_INFRASTRUCTURE: Record<string, string> = {
  "subgraphs/shared/src/clock.ts": "the clock itself",
  "subgraphs/shared/src/auth.ts": "token expiry of the verifier's cache",
  "subgraphs/shared/src/event-follower.ts": "follower lag and outage times",
  "subgraphs/shared/src/idempotency.ts": "how long a retry waits for the first attempt",
  "subgraphs/shared/src/server.ts": "a second stop signal within a second",
  "subgraphs/shared/src/ws-subscriptions.ts": "closing a subscription when its token expires",
};

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" || e.name === "generated" ? [] : sourceFiles(p);
    return /\.ts$/.test(e.name) && !/\.test\.ts$|seed\.ts$|^demo-/.test(e.name) ? [p] : [];
  });
}

it("subgraph code reads the time through clockNow() only", () => {
  const offenders = sourceFiles(path.join(root, "subgraphs"))
    .map((f) => path.relative(root, f))
    .filter((f) => !(f in KIT_INFRASTRUCTURE))
    .flatMap((f) =>
      fs
        .readFileSync(path.join(root, f), "utf8")
        .split("\n")
        .flatMap((line, i) =>
          CLOCK.test(line) && !line.trimStart().startsWith("//") && !line.trimStart().startsWith("*") ? [`${f}:${i + 1}: ${line.trim()}`] : [],
        ),
    );
  expect(offenders).toEqual([]);
});

// Reading V8 .cpuprofile files (written by `node --cpu-prof`): self time per function and per
// package, counted only inside given time windows, so one profile of a whole process run can be
// split by load scenario (start-up and idle time left out).
import fs from "node:fs";
import path from "node:path";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A time window in microseconds of the monotonic clock (V8's profile clock is CLOCK_MONOTONIC too). */
export interface Window {
  from: number;
  to: number;
}

/** Now, in the profiles' clock: microseconds of CLOCK_MONOTONIC. */
export const monotonicMicros = (): number => Number(process.hrtime.bigint() / 1000n);

export interface SelfTime {
  /** Function name and where it is (package-relative file:line). */
  name: string;
  group: string;
  /** Samples that were in this function (its self time). */
  samples: number;
}

/**
 * Counted in samples, not in the profile's time deltas: on a machine shared with other work a
 * thread waits for a core, and the delta after such a wait is wall time, not CPU. Each sample is
 * one look at what the thread was running; shares of them times the CPU the process used
 * (from /proc) give CPU ms.
 */
export interface ProfileSummary {
  /** Samples that were not idle. */
  busy: number;
  functions: SelfTime[];
  groups: { group: string; samples: number }[];
  /** Samples with the group anywhere on the stack (total time under it). */
  inclusive: { group: string; samples: number }[];
  /** Samples by the innermost frame of our own code on the stack (who asked for the work). */
  ours: { group: string; samples: number }[];
}

const root = path.resolve(import.meta.dirname, "..", "..");

/** node_modules/<pkg> (the last one in the path, so pnpm's store paths name the real package), our file, or a runtime bucket. */
export function groupOf(url: string, functionName: string): { group: string; file: string } {
  if (!url) return { group: functionName.startsWith("(") ? functionName : "(native)", file: "" };
  if (url.startsWith("node:")) return { group: "node: internals", file: url };
  const file = url.startsWith("file://") ? decodeURIComponent(new URL(url).pathname) : url;
  const at = file.lastIndexOf("/node_modules/");
  if (at >= 0) {
    const rest = file.slice(at + "/node_modules/".length).split("/");
    const pkg = rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
    return { group: pkg, file: `${pkg}/${rest.slice(pkg.includes("/") ? 2 : 1).join("/")}` };
  }
  const relative = path.relative(root, file);
  return { group: relative.startsWith("..") ? file : relative, file: relative.startsWith("..") ? file : relative };
}

/** Self time per function and per package of the samples inside the windows. */
export function summarize(file: string, windows: Window[]): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile;
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const parents = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parents.set(c, n.id);
  const inclusive = new Map<string, number>();
  const ours = new Map<string, number>();
  const byFunction = new Map<string, SelfTime>();
  const byGroup = new Map<string, number>();
  let busy = 0;
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i]!;
    if (!windows.some((w) => t >= w.from && t < w.to)) continue;
    const frame = frames.get(profile.samples[i]!)!;
    if (frame.functionName === "(idle)") continue;
    const { group, file: where } = groupOf(frame.url, frame.functionName);
    const name = `${frame.functionName || "(anonymous)"}${where ? ` ${where}:${frame.lineNumber + 1}` : ""}`;
    const entry = byFunction.get(name) ?? { name, group, samples: 0 };
    entry.samples += 1;
    byFunction.set(name, entry);
    byGroup.set(group, (byGroup.get(group) ?? 0) + 1);
    busy += 1;
    const onStack = new Set<string>();
    let caller: string | null = null;
    for (let id: number | undefined = profile.samples[i]!; id !== undefined; id = parents.get(id)) {
      const f = frames.get(id)!;
      const g = groupOf(f.url, f.functionName);
      onStack.add(g.group);
      if (!caller && /^(subgraphs|gateway)\//.test(g.file)) caller = `${f.functionName || "(anonymous)"} ${g.file}:${f.lineNumber + 1}`;
    }
    for (const g of onStack) inclusive.set(g, (inclusive.get(g) ?? 0) + 1);
    ours.set(caller ?? "(no frame of ours)", (ours.get(caller ?? "(no frame of ours)") ?? 0) + 1);
  }
  return {
    busy,
    functions: [...byFunction.values()].sort((a, b) => b.samples - a.samples),
    groups: ranked(byGroup),
    inclusive: ranked(inclusive),
    ours: ranked(ours),
  };
}

const ranked = (counts: Map<string, number>) =>
  [...counts.entries()].map(([group, samples]) => ({ group, samples })).sort((a, b) => b.samples - a.samples);

/** The newest .cpuprofile in a folder (one process wrote it when it exited). */
export function newestProfile(dir: string): string | null {
  if (!fs.existsSync(dir)) return null;
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => path.join(dir, f))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  return files[0] ?? null;
}

/** Printable lines: the top functions by self time (with their group), then the groups, as shares and as CPU ms per request. */
export function formatSummary(summary: ProfileSummary, cpuMsPerRequest: number, top: number): string[] {
  const share = (samples: number) => samples / (summary.busy || 1);
  const cells = (samples: number) =>
    `${(share(samples) * 100).toFixed(1).padStart(5)}% ${(share(samples) * cpuMsPerRequest).toFixed(3).padStart(7)} ms/req`;
  const lines = [`  ${summary.busy} busy samples, ${cpuMsPerRequest.toFixed(2)} CPU ms/request (from /proc); top ${top} functions by self time:`];
  for (const f of summary.functions.slice(0, top)) lines.push(`    ${cells(f.samples)}  [${f.group}] ${f.name}`);
  lines.push("  by package (self time):");
  for (const g of summary.groups.slice(0, 15)) lines.push(`    ${cells(g.samples)}  ${g.group}`);
  lines.push("  by package, total (anywhere on the stack):");
  for (const g of summary.inclusive.slice(0, 15)) lines.push(`    ${cells(g.samples)}  ${g.group}`);
  lines.push("  by the innermost function of ours on the stack:");
  for (const g of summary.ours.slice(0, 15)) lines.push(`    ${cells(g.samples)}  ${g.group}`);
  return lines;
}

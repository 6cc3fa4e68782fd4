// CPU time per process from /proc, for "CPU ms per request" next to req/s: each named process with
// all its descendants (PostgreSQL's backends are children of the postmaster; Hive Gateway may fork
// workers). utime + stime of the living, plus cutime + cstime (what their exited, reaped children
// used), in clock ticks; a delta between two snapshots is the CPU the tree used in between.
import { execFileSync } from "node:child_process";
import fs from "node:fs";

const TICK_MS = 1000 / Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim() || 100);

interface ProcStat {
  ppid: number;
  ticks: number;
}

function readStat(pid: number): ProcStat | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: fields count from its last ')'.
    const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
    // After the name: state(3) ppid(4) … utime(14) stime(15) cutime(16) cstime(17); f[0] is field 3.
    return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) };
  } catch {
    return null; // gone
  }
}

function allStats(): Map<number, ProcStat> {
  const stats = new Map<number, ProcStat>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const s = readStat(Number(entry));
    if (s) stats.set(Number(entry), s);
  }
  return stats;
}

/** CPU milliseconds used so far by each named process tree. */
export function cpuSnapshot(roots: Record<string, number>): Record<string, number> {
  const stats = allStats();
  const children = new Map<number, number[]>();
  for (const [pid, s] of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  const treeTicks = (pid: number): number => (stats.get(pid)?.ticks ?? 0) + (children.get(pid) ?? []).reduce((sum, c) => sum + treeTicks(c), 0);
  const out: Record<string, number> = {};
  for (const [name, pid] of Object.entries(roots)) out[name] = treeTicks(pid) * TICK_MS;
  // The load generator itself (autocannon, the write mix and the probes run in this process).
  const self = process.cpuUsage();
  out["bench (load generator)"] = (self.user + self.system) / 1000;
  return out;
}

export function cpuDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.keys(after).map((k) => [k, after[k]! - (before[k] ?? 0)]));
}

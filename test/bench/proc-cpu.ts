// CPU time of processes from /proc/<pid>/stat, in clock ticks (USER_HZ, 1/100 s on Linux), for
// "CPU ms per request": a process's own, and the embedded PostgreSQL's with its backends.
import fs from "node:fs";
import path from "node:path";

/** Linux USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s. */
export const CLK_TCK = 100;

/** CPU ticks of a process: [utime+stime, cutime+cstime] (fields 14-17 of /proc/<pid>/stat). */
export function ticks(pid: number): [number, number] {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields[0] is field 3 (state): utime is field 14, so index 11.
    return [Number(fields[11]) + Number(fields[12]), Number(fields[13]) + Number(fields[14])];
  } catch {
    return [0, 0];
  }
}

/** The embedded PostgreSQL's server process: a `postgres` whose command line names our data folder. */
export function postmasterPid(dataDir: string): number | null {
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (path.basename(cmdline[0] ?? "") === "postgres" && cmdline.includes(path.join(dataDir, "postgres"))) return Number(entry);
    } catch {
      /* gone */
    }
  }
  return null;
}

/** PostgreSQL's CPU: the server, its live backends, and the backends that ended (reaped: the server's children's time). */
export function postgresTicks(postmaster: number): number {
  const [own, reaped] = ticks(postmaster);
  let sum = own + reaped;
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === postmaster) sum += ticks(Number(entry))[0];
    } catch {
      /* gone */
    }
  }
  return sum;
}

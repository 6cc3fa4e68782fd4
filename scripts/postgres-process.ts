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
try {
  const server = await startEmbeddedPostgres({ dataDir, port: Number(port), log: (line) => log?.write(`${line}\n`) });
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
  process.send({ error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
}

// The embedded PostgreSQL is a development dependency of @mes/db: `pnpm start` after a production
// install says so in two lines instead of failing on a missing module.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { embeddedPostgresInstalled } from "../scripts/local-postgres.ts";

const root = path.resolve(import.meta.dirname, "..");

describe("the launcher's check for the embedded PostgreSQL", () => {
  it("finds it for @mes/db in a development install", () => {
    expect(embeddedPostgresInstalled(path.join(root, "prisma"))).toBe(true);
  });

  it("misses it where a production install left it out", () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "mes-prod-install-"));
    try {
      // As after `pnpm install --prod`: @mes/db's production dependencies only.
      fs.mkdirSync(path.join(scratch, "prisma", "node_modules", "pg"), { recursive: true });
      fs.writeFileSync(path.join(scratch, "prisma", "node_modules", "pg", "package.json"), "{}");
      expect(embeddedPostgresInstalled(path.join(scratch, "prisma"))).toBe(false);
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });
});

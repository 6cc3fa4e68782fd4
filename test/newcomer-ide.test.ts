// A newcomer's first hour, in a real browser: `pnpm start` as the README says (on this test's own
// free ports), the sign-in command exactly as the start banner writes it, its header pasted into
// the IDE's Headers tab, a query, a subscription, and the event a mutation causes, seen in the IDE.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { SUBGRAPHS, freePort } from "@mes/db";

const root = path.resolve(import.meta.dirname, "..");
const CHROMIUM = "/usr/bin/chromium";
let stack: ChildProcess | null = null;
let output = "";
let browser: BrowserContext | null = null;
let scratch = "";

/** `pnpm start` on free ports with a fresh data folder; resolves with its banner once ready. */
async function startAsTheReadmeSays(): Promise<string> {
  const ports: Record<string, string> = { MES_POSTGRES_PORT: String(await freePort()) };
  for (const name of [...SUBGRAPHS, "gateway"]) ports[`${name.toUpperCase()}_PORT`] = String(await freePort());
  stack = spawn("pnpm", ["start"], {
    cwd: root,
    env: { ...process.env, ...ports, MES_DATA_DIR: path.join(scratch, "data"), NODE_ENV: "development" },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/MES graph ready/.test(output) && /Stop: Ctrl-C/.test(output)) resolve(output);
    };
    stack!.stdout!.on("data", onData);
    stack!.stderr!.on("data", onData);
    stack!.once("exit", (code) => reject(new Error(`pnpm start exited with ${code}:\n${output}`)));
  });
}

/** Puts text in a Monaco editor of the IDE the way a person does: select all, paste. */
async function paste(page: Page, editor: ReturnType<Page["locator"]>, text: string) {
  // As a person would: select all, paste. On a loaded machine the select-all can land before the
  // editor has focus (the paste then adds to what was there): look, and do it again if so.
  const norm = (t: string) => t.replace(/[\s\u00a0]+/g, " ").trim();
  for (let attempt = 0; attempt < 5; attempt++) {
    await page.evaluate((t) => navigator.clipboard.writeText(t), text);
    await editor.click();
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.press("ControlOrMeta+V");
    const shown = norm((await editor.textContent()) ?? "");
    if (shown.includes(norm(text)) && shown.length <= norm(text).length + 20) return;
    await page.waitForTimeout(300);
  }
}

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) execFileSync("bash", [path.join(root, "scripts/install-test-tools.sh"), "chromium"], { stdio: "inherit" });
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "mes-newcomer-"));
  // As root, the embedded PostgreSQL runs as an unprivileged user that must enter this folder.
  fs.chmodSync(scratch, 0o755);
}, 300_000);

afterAll(async () => {
  await browser?.close().catch(() => {});
  if (stack?.pid && stack.exitCode === null) {
    const exited = new Promise((r) => stack!.once("exit", r));
    process.kill(-stack.pid, "SIGINT");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
  }
  fs.rmSync(scratch, { recursive: true, force: true });
}, 60_000);

it("goes from `pnpm start` to a live subscription in the IDE, signing in exactly as written", async () => {
  const banner = await startAsTheReadmeSays();
  const gatewayUrl = /Gateway \+ GraphQL IDE\s+(\S+)/.exec(banner)![1]!;
  const signIn = /Sign in for the IDE\s+(pnpm [^(]+?)\s+\(/.exec(banner)![1]!;
  // The banner, the README and the IDE's placeholder name the same command.
  expect(signIn).toBe("pnpm sign-in --role admin");
  expect(fs.readFileSync(path.join(root, "README.md"), "utf8")).toContain(`\`${signIn}\``);
  const signInOutput = execFileSync("bash", ["-c", `${signIn} 2>&1`], { cwd: root, encoding: "utf8" });
  const header = /Headers tab:\s+(\{"Authorization": "Bearer [^"]+"\})/.exec(signInOutput)?.[1];
  expect(header, signInOutput).toBeDefined();
  const token = (JSON.parse(header!) as { Authorization: string }).Authorization;

  browser = await chromium.launchPersistentContext(path.join(scratch, "chromium-profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  await browser.grantPermissions(["clipboard-read", "clipboard-write"]);
  const page = browser.pages()[0] ?? (await browser.newPage());
  const introspections: { authorization?: string; status: number }[] = [];
  page.on("response", (res) => {
    if (res.request().method() === "POST" && res.request().postData()?.includes("IntrospectionQuery")) {
      introspections.push({ authorization: res.request().headers().authorization, status: res.status() });
    }
  });
  await page.goto(gatewayUrl);
  const operation = page.getByLabel("Operation Editor");
  await operation.waitFor();
  // Before sign-in the placeholder is no token: the schema loads anonymously (Docs work at once).
  // The IDE's fetches take their time on a busy machine (the whole suite runs beside this): 15 s.
  await expect.poll(() => introspections.some((i) => i.status === 200 && !i.authorization), { timeout: 15_000 }).toBe(true);

  await page.getByText("Headers", { exact: true }).click();
  await paste(page, page.locator(".graphiql-editor-tool .graphiql-editor:not(.hidden)"), header!);
  // Changed headers re-fetch the schema with them (it used to stay as first fetched).
  await expect.poll(() => introspections.some((i) => i.status === 200 && i.authorization === token), { timeout: 15_000 }).toBe(true);

  await paste(page, operation, "query Newcomer { plants { code name } }");
  await page.getByLabel("Execute query").first().click();
  const resultPane = page.getByLabel("Result Window");
  // The editor shows spaces as non-breaking ones.
  const shown = async () => ((await resultPane.textContent()) ?? "").replace(/\s+/g, " ");
  await expect.poll(shown, { timeout: 15_000 }).toContain("Riverside Assembly");

  // A subscription in the IDE (graphql-ws), then a mutation elsewhere: its event shows up here.
  await paste(page, operation, "subscription Live { workOrderStatusChanged { to workOrder { number } } }");
  await page.getByLabel("Execute query").first().click();
  const call = async (query: string) => {
    const res = await fetch(gatewayUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: token },
      body: JSON.stringify({ query }),
    });
    return (await res.json()) as { data?: any; errors?: unknown };
  };
  const subscriptionsUrl = gatewayUrl.replace(/\/graphql$/, "/subscriptions");
  await expect.poll(async () => JSON.stringify(await (await fetch(subscriptionsUrl)).json()), { timeout: 15_000 }).toMatch(/"upstreams"\s*:\s*[1-9]/);
  const planned = await call("{ workOrders(status: [PLANNED], limit: 1) { items { id number } } }");
  const order = planned.data.workOrders.items[0] as { id: string; number: string };
  const released = await call(`mutation { releaseWorkOrder(id: "${order.id}", reason: "newcomer test") { status } }`);
  expect(released.errors).toBeUndefined();
  await expect.poll(shown, { timeout: 15_000 }).toContain(order.number);
  expect(await shown()).toContain("RELEASED");
}, 240_000);

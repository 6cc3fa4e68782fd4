// `pnpm sign-in --role operator --plant LAK`: a development token for the demo data, signed with the
// development HS256 secret (or AUTH_DEV_SECRET), as the plant's identity provider would issue one.
import { parseArgs } from "node:util";
import { buildDemoData, DEVELOPMENT_AUTH_SECRET, DEVELOPMENT_ISSUER, ROLES, signDevelopmentToken, type Role } from "@mes/shared";

const usage = `usage: pnpm sign-in --role <${ROLES.map((r) => r.toLowerCase()).join("|")}> [--role ...]
                  [--plant <LAK|RIV|plant id> ...] [--user <id>] [--org <organization id>] [--hours <1-24>]

  Without --plant the token covers every plant of the organization.
  Default user: dev.<role>; default organization: the demo organization.`;

const parseOptions = () =>
  parseArgs({
    options: {
      role: { type: "string", multiple: true, default: [] },
      plant: { type: "string", multiple: true, default: [] },
      user: { type: "string" },
      org: { type: "string" },
      hours: { type: "string", default: "8" },
      help: { type: "boolean", short: "h" },
    },
  }).values;

let args: ReturnType<typeof parseOptions>;
try {
  args = parseOptions();
} catch (err) {
  console.error(`${(err as Error).message}\n\n${usage}`);
  process.exit(2);
}
if (args.help) {
  console.log(usage);
  process.exit(0);
}
const fail = (message: string): never => {
  console.error(`${message}\n\n${usage}`);
  process.exit(2);
};

const roles = args.role.flatMap((r) => r.split(",")).map((r) => r.trim().toUpperCase());
if (!roles.length) fail("name at least one --role");
for (const r of roles) if (!(ROLES as readonly string[]).includes(r)) fail(`unknown role ${r}`);
const demo = buildDemoData();
const plantIds = args.plant.map((p) => {
  const found = demo.plants.find((d) => d.code.toUpperCase() === p.toUpperCase() || d.id === p);
  if (found) return found.id;
  if (/^[0-9a-f-]{36}$/i.test(p)) return p;
  return fail(`unknown plant ${p}: the demo plants are ${demo.plants.map((d) => d.code).join(", ")}, or give a plant id`);
});
const hours = Number(args.hours);
if (!Number.isFinite(hours) || hours <= 0 || hours > 24) fail("--hours must be between 1 and 24");

const token = await signDevelopmentToken(
  {
    userId: args.user ?? `dev.${roles[0]!.toLowerCase()}`,
    organizationId: args.org ?? demo.organizationId,
    plantIds: plantIds.length ? plantIds : null,
    roles: roles as Role[],
    ttlSeconds: Math.round(hours * 3600),
  },
  process.env.AUTH_DEV_SECRET ?? DEVELOPMENT_AUTH_SECRET,
  process.env.AUTH_ISSUER ?? DEVELOPMENT_ISSUER,
);

// The token alone on stdout (for scripts: TOKEN=$(pnpm -s sign-in --role admin)); the rest on stderr.
console.error(`Development token (${roles.join(", ")}; plants: ${args.plant.length ? args.plant.join(", ") : "all"}; ${hours} h).`);
console.error(`In the GraphQL IDE, Headers tab:  {"Authorization": "Bearer ${token}"}\n`);
console.log(token);

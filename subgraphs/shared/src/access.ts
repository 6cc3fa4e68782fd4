import { defaultFieldResolver, type GraphQLField, type GraphQLSchema } from "graphql";
import { ROLES, type Identity, type Role } from "./auth.ts";
import { forbidden, unauthenticated } from "./errors.ts";
import { requestQueries } from "./db.ts";

/**
 * The schema-side declaration of who may call a field: `@allow(roles: [ADMIN, PLANNER])`.
 * Every subgraph's schema.graphql declares it (with `enum Role`); every mutation must carry it.
 */
export const ALLOW_DIRECTIVE = "allow";

/** Roles that may call each field that has @allow, by "Type.field". */
export type PermissionTable = Map<string, Role[]>;

function allowedRoles(field: GraphQLField<unknown, unknown>): Role[] | null {
  const directive = field.astNode?.directives?.find((d) => d.name.value === ALLOW_DIRECTIVE);
  if (!directive) return null;
  const arg = directive.arguments?.find((a) => a.name.value === "roles");
  if (arg?.value.kind !== "ListValue") throw new Error(`@allow on ${field.name} needs roles: [...]`);
  return arg.value.values.map((v) => {
    const role = v.kind === "EnumValue" ? v.value : "";
    if (!(ROLES as readonly string[]).includes(role)) throw new Error(`@allow on ${field.name}: unknown role ${role}`);
    return role as Role;
  });
}

function requireIdentity(ctx: { identity?: Identity | null }): Identity {
  if (!ctx.identity)
    throw unauthenticated("Authentication is required: send a bearer token (Authorization header, or connection parameters for subscriptions)");
  return ctx.identity;
}

/**
 * Applies access rules to a subgraph's executable schema, at start:
 * - every root field (queries, `_entities`, mutations, subscriptions) needs a verified identity;
 * - a field with @allow needs one of its roles; every mutation must have @allow, or the service
 *   refuses to start, so no mutation is left open by omission;
 * - a mutation names itself in the audit session, so the audit trail records what was called.
 */
export function applyAccessRules(schema: GraphQLSchema): PermissionTable {
  const table: PermissionTable = new Map();
  const missing: string[] = [];
  for (const type of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    if (!type) continue;
    const isMutation = type === schema.getMutationType();
    for (const field of Object.values(type.getFields())) {
      const roles = allowedRoles(field);
      if (isMutation && !roles) missing.push(field.name);
      if (roles) table.set(`${type.name}.${field.name}`, roles);
      const name = field.name;
      const check = (ctx: { identity?: Identity | null }) => {
        const identity = requireIdentity(ctx);
        if (roles && !identity.roles.some((r) => roles.includes(r))) {
          throw forbidden(`Your roles (${identity.roles.join(", ")}) may not call ${name}; it needs one of ${roles.join(", ")}`);
        }
        if (isMutation) {
          const audit = requestQueries.getStore()?.audit;
          if (audit) audit.operation = name;
        }
      };
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, ctx, info) => {
        check(ctx);
        return resolve(source, args, ctx, info);
      };
      if (field.subscribe) {
        const subscribe = field.subscribe;
        field.subscribe = (source, args, ctx, info) => {
          check(ctx);
          return subscribe(source, args, ctx, info);
        };
      }
    }
  }
  if (missing.length) throw new Error(`Mutations without @allow(roles: [...]): ${missing.join(", ")}`);
  return table;
}

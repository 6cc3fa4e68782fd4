import {
  GraphQLError,
  defaultFieldResolver,
  type GraphQLArgument,
  type GraphQLInputObjectType,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from "graphql";
import { ErrorCode, type FieldProblem } from "../errors.ts";
import type { Tenant } from "../tenancy.ts";
import { kindOfArgument, publishedKind } from "./catalogue.ts";
import { requestQueries } from "../db.ts";
import { isUuid } from "../ids.ts";
import type { ReferenceBook, ReferenceFact } from "./book.ts";

/** One id in a mutation's arguments that names an entity. */
export interface Reference {
  path: string;
  kind: string;
  id: string;
  /** The mutation's own subject (`id` of `updateMachine(id:)`): its status is the resolver's business. */
  subject: boolean;
}

type Extract = (value: unknown, path: string, out: Reference[]) => void;

// Told apart by tag, not instanceof: the schema may come from another copy of graphql (see input-guard).
const tag = (type: unknown): string | undefined => (type as { [Symbol.toStringTag]?: string })[Symbol.toStringTag];

function getNamedType(type: unknown): { name: string } {
  let t = type as { ofType?: unknown; name: string };
  while (t.ofType) t = t.ofType as typeof t;
  return t;
}

/** How to find the references in values of an input type (null: it holds none). */
function extractorOf(
  type: GraphQLInputType,
  name: string,
  known: ReadonlySet<string>,
  seen: Map<GraphQLInputObjectType, Extract | null>,
): Extract | null {
  const t = tag(type);
  if (t === "GraphQLNonNull" || t === "GraphQLList") {
    const item = extractorOf((type as { ofType: GraphQLInputType }).ofType, name, known, seen);
    if (!item) return null;
    return (value, path, out) => {
      if (Array.isArray(value)) for (const [i, v] of value.entries()) v != null && item(v, `${path}.${i}`, out);
      else if (value != null) item(value, path, out);
    };
  }
  if (t === "GraphQLScalarType") {
    const kind = (type as { name: string }).name === "ID" ? kindOfArgument(name, known) : null;
    return kind ? (value, path, out) => typeof value === "string" && out.push({ path, kind, id: value, subject: false }) : null;
  }
  if (t !== "GraphQLInputObjectType") return null;
  const input = type as GraphQLInputObjectType;
  if (seen.has(input)) return seen.get(input)!;
  const fields: [string, Extract][] = [];
  const extract: Extract = (value, path, out) => {
    if (value === null || typeof value !== "object") return;
    for (const [field, ex] of fields) {
      const v = (value as Record<string, unknown>)[field];
      if (v != null) ex(v, `${path}.${field}`, out);
    }
  };
  seen.set(input, extract);
  for (const f of Object.values(input.getFields())) {
    const ex = extractorOf(f.type, f.name, known, seen);
    if (ex) fields.push([f.name, ex]);
  }
  if (!fields.length) seen.set(input, null);
  return fields.length ? extract : null;
}

/** The references of a mutation's arguments, and of its subject when its `id` names a known kind. */
export function referenceExtractor(
  args: readonly GraphQLArgument[],
  returnKind: string | null,
  known: ReadonlySet<string>,
  seen = new Map<GraphQLInputObjectType, Extract | null>(),
): ((args: Record<string, unknown>) => Reference[]) | null {
  const parts: [string, Extract][] = [];
  for (const arg of args) {
    if (arg.name === "id" && returnKind && getNamedType(arg.type).name === "ID") {
      const kind = returnKind;
      parts.push([arg.name, (value, path, out) => typeof value === "string" && out.push({ path, kind, id: value, subject: true })]);
      continue;
    }
    const ex = extractorOf(arg.type, arg.name, known, seen);
    if (ex) parts.push([arg.name, ex]);
    // `input: { id, ... }` of a mutation returning a kind: the input's id is the subject too.
    const input = getNamedType(arg.type) as { name: string; getFields?: () => Record<string, { type: unknown }> };
    const idField = tag(input) === "GraphQLInputObjectType" ? input.getFields?.().id : undefined;
    if (returnKind && idField && getNamedType(idField.type).name === "ID") {
      const kind = returnKind;
      parts.push([
        arg.name,
        (value, path, out) => {
          const id = (value as { id?: unknown } | null)?.id;
          if (typeof id === "string") out.push({ path: `${path}.id`, kind, id, subject: true });
        },
      ]);
    }
  }
  if (!parts.length) return null;
  return (values) => {
    const out: Reference[] = [];
    for (const [name, ex] of parts) if (values[name] != null) ex(values[name], name, out);
    return out;
  };
}

const label = (kind: string) => kind.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();

/**
 * What is wrong with a mutation's references for a caller, or null: each must name an existing
 * entity of the caller's organization, in a plant the caller may act in; none may be retired
 * (statuses of the catalogue), and all that belong to a plant must belong to the same plant.
 */
export function referenceProblems(
  refs: readonly Reference[],
  facts: ReadonlyMap<string, ReferenceFact>,
  tenant: Tenant,
  /** Kinds of this subgraph's own tables: a missing one is left to the resolver (its own message, foreign keys). */
  ownKinds: ReadonlySet<string> = new Set(),
): GraphQLError | null {
  const missingSubjects: FieldProblem[] = [];
  const forbidden: FieldProblem[] = [];
  const wrong: FieldProblem[] = [];
  const plants = new Map<string, string[]>();
  for (const ref of refs) {
    const fact = facts.get(`${ref.kind}:${ref.id}`);
    // A malformed id is the resolver's to refuse (with every other problem of the input), and so is
    // a missing row of this subgraph's own tables (its own message; foreign keys hold it too).
    if (!isUuid(ref.id) || (!fact && !ref.subject && ownKinds.has(ref.kind))) continue;
    const inPlants = !fact?.plantId || !tenant.plantIds || tenant.plantIds.includes(fact.plantId);
    if (!fact || fact.organizationId !== tenant.organizationId || (ref.subject && !inPlants)) {
      // Another organization's entity is reported like one that does not exist; so is the
      // mutation's own subject outside the caller's plants (as reads do). A subject that is not
      // there is NOT_FOUND; a reference to nothing is bad input.
      const problem = {
        field: ref.path,
        message: `names no ${label(ref.kind)} ${ref.subject && fact ? "in your plants" : "of your organization"} (${ref.id})`,
      };
      (ref.subject ? missingSubjects : wrong).push(problem);
      continue;
    }
    if (!inPlants) {
      // A plant of the organization the caller may not act in.
      forbidden.push({ field: ref.path, message: `You may not act in plant ${fact.plantId}` });
      continue;
    }
    const refused = publishedKind(ref.kind)?.refused;
    if (!ref.subject && fact.status && refused?.includes(fact.status))
      wrong.push({ field: ref.path, message: `names a ${label(ref.kind)} that is ${fact.status}` });
    if (fact.plantId) plants.set(fact.plantId, [...(plants.get(fact.plantId) ?? []), ref.path]);
  }
  const summary = (problems: FieldProblem[]) => problems.map((p) => `${p.field} ${p.message}`).join("; ");
  if (missingSubjects.length)
    return new GraphQLError(`Not found: ${summary(missingSubjects)}`, { extensions: { code: ErrorCode.NOT_FOUND, fields: missingSubjects } });
  if (forbidden.length)
    return new GraphQLError([...new Set(forbidden.map((p) => p.message))].join("; "), {
      extensions: { code: ErrorCode.FORBIDDEN, fields: forbidden },
    });
  if (plants.size > 1) {
    const groups = [...plants.values()];
    wrong.push({
      field: groups[1]![0]!,
      message: `must be in the same plant as ${groups[0]!.join(", ")} (${groups.map((g) => g.join(", ")).join(" | ")} are in different plants)`,
    });
  }
  if (wrong.length)
    return new GraphQLError(`Invalid references: ${summary(wrong)}`, { extensions: { code: ErrorCode.BAD_USER_INPUT, fields: wrong } });
  return null;
}

/** Looks every reference up (one query per kind, waiting for a copy to catch up on a miss). */
export async function lookupReferences(book: ReferenceBook, refs: readonly Reference[]): Promise<Map<string, ReferenceFact>> {
  const byKind = new Map<string, Set<string>>();
  for (const r of refs) byKind.set(r.kind, (byKind.get(r.kind) ?? new Set()).add(r.id));
  const facts = new Map<string, ReferenceFact>();
  await Promise.all(
    [...byKind].map(async ([kind, ids]) => {
      for (const [id, fact] of await book.lookupFresh(kind, [...ids])) facts.set(`${kind}:${id}`, fact);
    }),
  );
  return facts;
}

/**
 * Wraps every mutation whose arguments name entities (`machineId`, `input.lotId`, `fromLocationId`,
 * the `id` of a mutation returning a known kind) so they are checked before its resolver runs.
 * Returns the references each guarded mutation checks, by mutation name (for tests and the note).
 */
export function applyReferenceGuard(schema: GraphQLSchema, book: ReferenceBook): Map<string, string[]> {
  const guarded = new Map<string, string[]>();
  const mutation = schema.getMutationType() as GraphQLObjectType | null | undefined;
  if (!mutation) return guarded;
  const known = book.knownKinds();
  const ownKinds = new Set(book.local.keys());
  const seen = new Map<GraphQLInputObjectType, Extract | null>();
  for (const field of Object.values(mutation.getFields())) {
    const returned = getNamedType(field.type).name;
    const extract = referenceExtractor(field.args, known.has(returned) ? returned : null, known, seen);
    if (!extract) continue;
    guarded.set(field.name, describe(field.args, known, returned));
    const resolve = field.resolve ?? defaultFieldResolver;
    field.resolve = async (source, args, ctx: { tenant: Tenant }, info) => {
      const refs = extract(args);
      if (refs.length) {
        // Looked up by the service itself, outside the caller's row-level security (which would
        // hide another plant's or organization's entity and make it look missing), before the
        // resolver opens a transaction: waiting for a copy to catch up then holds no connection.
        const facts = await requestQueries.exit(() => lookupReferences(book, refs));
        const problem = referenceProblems(refs, facts, ctx.tenant, ownKinds);
        if (problem) throw problem;
      }
      return resolve(source, args, ctx, info);
    };
  }
  return guarded;
}

/** The kinds a mutation's arguments name, as `path:Kind` (input fields flattened one level). */
function describe(args: readonly GraphQLArgument[], known: ReadonlySet<string>, returned: string): string[] {
  const out: string[] = [];
  const walk = (name: string, type: GraphQLInputType, path: string, depth: number) => {
    const named = getNamedType(type);
    if (named.name === "ID") {
      const kind = name === "id" && depth === 0 && known.has(returned) ? returned : kindOfArgument(name, known);
      if (kind) out.push(`${path}:${kind}`);
    } else if (tag(named) === "GraphQLInputObjectType" && depth < 3)
      for (const f of Object.values((named as GraphQLInputObjectType).getFields())) walk(f.name, f.type, `${path}.${f.name}`, depth + 1);
  };
  for (const a of args) walk(a.name, a.type, a.name, 0);
  return out;
}

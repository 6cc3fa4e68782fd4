// Walks a root field's arguments (into input objects and list items) to the places a value can be
// sent, builds a valid baseline of variables for it, and writes the operation that sends them.
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLInputType,
} from "graphql";
import { selectionOf } from "./schema-walk.ts";
import { validDate, validDateTime, windowRole } from "./fuzz-values.ts";

export type Path = (string | number)[];

/** A place in a root field's arguments where one value is sent. */
export interface Site {
  path: Path;
  /** The argument's or input field's name (a list item's is its list's). */
  name: string;
  type: GraphQLInputType;
  /** Names of the argument's or field's siblings (to find start/end pairs). */
  siblings: string[];
  /** The input object type holding it, or the root field's name for an argument. */
  parent: string;
}

type Input = GraphQLArgument | GraphQLInputField;

/** Every site of a root field: each argument, input field and list item, at any depth. */
export function sitesOf(field: GraphQLField<unknown, unknown>): Site[] {
  const sites: Site[] = [];
  const names = field.args.map((a) => a.name);
  const visit = (input: Input, path: Path, siblings: string[], parent: string, depth: number) => {
    sites.push({ path, name: input.name, type: input.type, siblings, parent });
    let type: GraphQLInputType = isNonNullType(input.type) ? input.type.ofType : input.type;
    let itemPath = path;
    if (isListType(type)) {
      itemPath = [...path, 0];
      type = isNonNullType(type.ofType) ? type.ofType.ofType : type.ofType;
      if (!isInputObjectType(type)) sites.push({ path: itemPath, name: input.name, type, siblings, parent });
    }
    if (isInputObjectType(type) && depth < 4) {
      const fields = Object.values(type.getFields());
      for (const f of fields)
        visit(
          f,
          [...itemPath, f.name],
          fields.map((x) => x.name),
          type.name,
          depth + 1,
        );
    }
  };
  for (const arg of field.args) visit(arg, [arg.name], names, field.name, 0);
  return sites;
}

export interface BaselineOptions {
  now: number;
  /** Mutations send optional scalars and ids too (so each can be changed alone); queries only what they must. */
  includeOptional: boolean;
  /** Paths that must be present (the fuzzed site and its window partner). */
  force: Path[];
  id(name: string, parent: string): string;
  string(name: string, parent: string): string;
  number(name: string, parent: string, siblings: readonly string[]): number;
  /** An enum value other than the first, where the first is invalid with the rest of the baseline. */
  enumValue?(name: string, parent: string): string | undefined;
}

const onPath = (path: Path, force: Path[]) => force.some((f) => path.length <= f.length && path.every((p, i) => p === f[i]));

function inputValue(input: Input, path: Path, siblings: string[], parent: string, o: BaselineOptions): unknown {
  const required = isNonNullType(input.type) && input.defaultValue === undefined;
  const named = getNamedType(input.type);
  const structured = isListType(isNonNullType(input.type) ? input.type.ofType : input.type) || isInputObjectType(named);
  if (!required && !onPath(path, o.force)) {
    if (!o.includeOptional || input.defaultValue !== undefined || structured) return undefined;
  }
  const build = (type: GraphQLInputType, at: Path): unknown => {
    if (isNonNullType(type)) return build(type.ofType, at);
    if (isListType(type)) return [build(type.ofType, [...at, 0])];
    if (isInputObjectType(type)) {
      const fields = Object.values(type.getFields());
      const names = fields.map((f) => f.name);
      const obj: Record<string, unknown> = {};
      for (const f of fields) {
        const v = inputValue(f, [...at, f.name], names, type.name, o);
        if (v !== undefined) obj[f.name] = v;
      }
      return obj;
    }
    if (isEnumType(type)) return o.enumValue?.(input.name, parent) ?? type.getValues()[0]!.name;
    return leafOf(type.name, input.name, parent, siblings, o);
  };
  return build(input.type, path);
}

function leafOf(typeName: string, name: string, parent: string, siblings: string[], o: BaselineOptions): unknown {
  switch (typeName) {
    case "ID":
      return o.id(name, parent);
    case "Int":
    case "Float":
      return o.number(name, parent, siblings);
    case "Boolean":
      return false;
    case "DateTime":
      return validDateTime(name, siblings, o.now);
    case "Date":
      return validDate(name, siblings, o.now);
    case "JSON":
      return {};
    default:
      return o.string(name, parent);
  }
}

/** Valid variables for a root field, one per argument sent. */
export function baselineOf(field: GraphQLField<unknown, unknown>, o: BaselineOptions): Record<string, unknown> {
  const names = field.args.map((a) => a.name);
  const vars: Record<string, unknown> = {};
  for (const arg of field.args) {
    const v = inputValue(arg, [arg.name], names, field.name, o);
    if (v !== undefined) vars[arg.name] = v;
  }
  return vars;
}

export function getPath(vars: Record<string, unknown>, path: Path): unknown {
  return path.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k], vars);
}

export function setPath(vars: Record<string, unknown>, path: Path, value: unknown): void {
  const parent = getPath(vars, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path.at(-1)!] = value;
}

/** The path of a site's start/end partner, if it is one half of a window. */
export function partnerPath(site: Site): Path | null {
  const w = windowRole(site.name, site.siblings);
  return w ? [...site.path.slice(0, -1), w.partner] : null;
}

export const pathText = (path: Path) => path.join(".");

/** `mutation($a: T!, ...) { field(a: $a, ...) { leaf fields } }` for the arguments the variables hold. */
export function operationOf(kind: "query" | "mutation", field: GraphQLField<unknown, unknown>, vars: Record<string, unknown>): string {
  const sent = field.args.filter((a) => vars[a.name] !== undefined);
  const decl = sent.length ? `(${sent.map((a) => `$${a.name}: ${String(a.type)}`).join(", ")})` : "";
  const args = sent.length ? `(${sent.map((a) => `${a.name}: $${a.name}`).join(", ")})` : "";
  return `${kind} Fuzz${decl} { ${field.name}${args} ${selectionOf(field.type, 0)} }`;
}

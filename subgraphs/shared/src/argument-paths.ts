import { BREAK, Kind, parse, visit, type ArgumentNode, type DocumentNode, type ValueNode } from "graphql";

/**
 * Names where a value sits in a document's field arguments, the way input errors name fields
 * (`input.routing.0.name`), so an error GraphQL reports at a position can say which argument it is.
 * Used only when answering an error: the document is parsed again from the error's source.
 */
function findInArguments(doc: DocumentNode, match: (node: ValueNode) => boolean): string | null {
  let found: string | null = null;
  const walk = (node: ValueNode, path: string): boolean => {
    if (match(node)) {
      found = path;
      return true;
    }
    if (node.kind === Kind.OBJECT) return node.fields.some((f) => walk(f.value, `${path}.${f.name.value}`));
    if (node.kind === Kind.LIST) return node.values.some((v, i) => walk(v, `${path}.${i}`));
    return false;
  };
  visit(doc, {
    Argument(node: ArgumentNode) {
      return walk(node.value, node.name.value) ? BREAK : false;
    },
  });
  return found;
}

function parsed(body: string): DocumentNode | null {
  try {
    return parse(body);
  } catch {
    return null;
  }
}

/** The argument path of the literal value that starts at `offset` of the document `body`. */
export function literalArgumentPath(body: string, offset: number): string | null {
  const doc = parsed(body);
  return doc && findInArguments(doc, (node) => node.kind !== Kind.VARIABLE && node.loc?.start === offset);
}

/** The argument path where `$variable` is first used in the document `body`. */
export function variableArgumentPath(body: string, variable: string): string | null {
  const doc = parsed(body);
  return doc && findInArguments(doc, (node) => node.kind === Kind.VARIABLE && node.name.value === variable);
}

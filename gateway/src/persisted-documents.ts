import { createHash } from "node:crypto";

/** Documents remembered at most (a plant's screens use a few dozen), and their text in all: a caller
 * sending many large distinct documents must not grow the gateway without bound. */
const MAX_DOCUMENTS = 2000;
const MAX_CHARACTERS = 8 * 1024 * 1024;

/**
 * The documents this gateway has seen with their automatic-persisted-query hash (Apollo Client's
 * persisted queries link: the full query once, then only `extensions.persistedQuery.sha256Hash`).
 * A hash-only request of a known document is then read as the full one, so the answer cache keeps
 * it like any other query. A pairing is remembered only when the hash is the text's SHA-256, so no
 * caller can make a hash stand for another document.
 */
export class PersistedDocuments {
  private readonly byHash = new Map<string, string>();
  private characters = 0;

  /**
   * The request's query text: its own, or the known document of its hash. Undefined when it has
   * neither, when its text and hash disagree, or when its persisted-query extension is anything but
   * version 1 with a SHA-256 in lowercase hex: Apollo answers those (refusing the malformed), never
   * a kept answer.
   */
  queryOf(body: { query?: unknown; extensions?: unknown }): string | undefined {
    const hash = hashOf(body.extensions);
    if (hash === undefined && hasPersistedQuery(body.extensions)) return undefined;
    if (typeof body.query === "string") {
      if (!hash || this.byHash.get(hash) === body.query) return body.query;
      if (sha256(body.query) !== hash) return undefined;
      this.remember(hash, body.query);
      return body.query;
    }
    if (!hash) return undefined;
    const text = this.byHash.get(hash);
    if (text !== undefined) this.remember(hash, text); // recently used: kept longest
    return text;
  }

  private remember(hash: string, text: string): void {
    this.forget(hash);
    this.byHash.set(hash, text);
    this.characters += text.length;
    while (this.byHash.size > MAX_DOCUMENTS || this.characters > MAX_CHARACTERS) this.forget(this.byHash.keys().next().value!);
  }

  private forget(hash: string): void {
    const text = this.byHash.get(hash);
    if (text === undefined) return;
    this.byHash.delete(hash);
    this.characters -= text.length;
  }
}

function hasPersistedQuery(extensions: unknown): boolean {
  return typeof extensions === "object" && extensions !== null && "persistedQuery" in extensions;
}

function hashOf(extensions: unknown): string | undefined {
  const pq = (extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } } | undefined)?.persistedQuery;
  return pq?.version === 1 && typeof pq.sha256Hash === "string" && /^[0-9a-f]{64}$/.test(pq.sha256Hash) ? pq.sha256Hash : undefined;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

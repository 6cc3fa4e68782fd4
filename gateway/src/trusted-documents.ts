import { createHash } from "node:crypto";
import fs from "node:fs";
import type express from "express";
import { parse, print, type DocumentNode } from "graphql";

/** off: documents as sent; allow: ids are looked up, documents still accepted; enforce: only the manifest's documents. */
export type TrustedDocumentsMode = "off" | "allow" | "enforce";
export const TRUSTED_DOCUMENTS_MODES = ["off", "allow", "enforce"] as const;

export const PERSISTED_QUERY_NOT_ALLOWED = "PERSISTED_QUERY_NOT_ALLOWED";
export const PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND";

export const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/** The same document whatever its whitespace, commas and comments. */
export const normalizedDocument = (document: DocumentNode): string => print(document);

/** The manifest's documents by sha256, and their normalized text (so a full document sent by a client is recognised). */
export interface TrustedDocuments {
  mode: TrustedDocumentsMode;
  byHash: ReadonlyMap<string, string>;
  normalized: ReadonlySet<string>;
}

/**
 * A manifest: `{ "<sha256 hex of the document>": "<document>" }`, or Apollo's persisted query
 * manifest (`{ format: "apollo-persisted-query-manifest", operations: [{ id, body }] }`). Every id
 * must be the sha256 of its document, so an id can never stand for a different operation.
 */
export function parseManifest(json: unknown, source = "the manifest"): Map<string, string> {
  const entries: [string, unknown][] =
    json && typeof json === "object" && "operations" in json && Array.isArray((json as { operations: unknown }).operations)
      ? (json as { operations: { id?: unknown; body?: unknown }[] }).operations.map((o) => [String(o.id), o.body])
      : json && typeof json === "object" && !Array.isArray(json)
        ? Object.entries(json)
        : [];
  if (!entries.length) throw new Error(`${source} has no documents: expected { "<sha256>": "<document>", … }`);
  const byHash = new Map<string, string>();
  for (const [id, body] of entries) {
    if (typeof body !== "string") throw new Error(`${source}: the document of ${id} is not a string`);
    const hash = sha256(body);
    if (id.replace(/^sha256:/, "").toLowerCase() !== hash) throw new Error(`${source}: ${id} is not the sha256 of its document (that is ${hash})`);
    try {
      parse(body);
    } catch (err) {
      throw new Error(`${source}: the document of ${id} does not parse: ${(err as Error).message}`);
    }
    byHash.set(hash, body);
  }
  return byHash;
}

/** The mode asked for, or by default: enforce in production when a manifest is given, allow elsewhere, off without one. */
export function trustedDocumentsMode(config: {
  NODE_ENV: string;
  TRUSTED_DOCUMENTS?: TrustedDocumentsMode | undefined;
  TRUSTED_DOCUMENTS_PATH?: string | undefined;
}) {
  if (config.TRUSTED_DOCUMENTS) return config.TRUSTED_DOCUMENTS;
  if (!config.TRUSTED_DOCUMENTS_PATH) return "off";
  return config.NODE_ENV === "production" ? "enforce" : "allow";
}

/** The gateway's trusted documents from its configuration; null when off. Throws (at start) on a bad manifest. */
export function loadTrustedDocuments(config: Parameters<typeof trustedDocumentsMode>[0]): TrustedDocuments | null {
  const mode = trustedDocumentsMode(config);
  if (mode === "off") return null;
  const path = config.TRUSTED_DOCUMENTS_PATH;
  if (!path) throw new Error(`TRUSTED_DOCUMENTS=${mode} needs TRUSTED_DOCUMENTS_PATH, the JSON manifest of sha256 → document`);
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(path, "utf8"));
  } catch (err) {
    throw new Error(`TRUSTED_DOCUMENTS_PATH ${path} could not be read as JSON: ${(err as Error).message}`);
  }
  return trustedDocuments(mode, parseManifest(json, `TRUSTED_DOCUMENTS_PATH ${path}`));
}

export function trustedDocuments(mode: TrustedDocumentsMode, byHash: Map<string, string>): TrustedDocuments {
  return { mode, byHash, normalized: new Set([...byHash.values()].map((d) => normalizedDocument(parse(d)))) };
}

/** Whether a document (full text) is one of the manifest's. */
export function isTrustedText(trusted: TrustedDocuments, query: string): boolean {
  if (trusted.byHash.has(sha256(query))) return true;
  try {
    return trusted.normalized.has(normalizedDocument(parse(query)));
  } catch {
    return false;
  }
}

/** What a request's GraphQL parameters ask for: a document, an id, or both. */
export interface DocumentRequest {
  query?: unknown;
  documentId?: unknown;
  extensions?: { persistedQuery?: { sha256Hash?: unknown } } | unknown;
}

export type DocumentResolution =
  /** Leave the request as it is (Apollo answers it, APQ included). */
  | { kind: "unchanged" }
  /** Run this document from the manifest. */
  | { kind: "resolved"; query: string }
  | { kind: "refused"; code: string; message: string };

/** Decides what to run for one request, by mode (see TrustedDocumentsMode). Pure. */
export function resolveDocument(
  trusted: TrustedDocuments | null,
  request: DocumentRequest,
  allowIntrospection: (query: string) => boolean,
): DocumentResolution {
  if (!trusted) return { kind: "unchanged" };
  const persisted = (request.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery;
  const apqHash = typeof persisted?.sha256Hash === "string" ? persisted.sha256Hash.toLowerCase() : null;
  const documentId = typeof request.documentId === "string" ? request.documentId.replace(/^sha256:/, "").toLowerCase() : null;
  const id = documentId ?? apqHash;
  const query = typeof request.query === "string" && request.query !== "" ? request.query : null;
  if (query === null && id !== null) {
    const known = trusted.byHash.get(id);
    if (known) return { kind: "resolved", query: known };
    if (trusted.mode === "enforce")
      return { kind: "refused", code: PERSISTED_QUERY_NOT_ALLOWED, message: `Document ${id} is not in this gateway's trusted documents` };
    // An APQ hash the manifest does not know may be in Apollo's APQ cache (registered earlier).
    if (documentId === null) return { kind: "unchanged" };
    return {
      kind: "refused",
      code: PERSISTED_QUERY_NOT_FOUND,
      message: `Document ${id} is not in this gateway's trusted documents; send the document itself`,
    };
  }
  if (trusted.mode !== "enforce" || query === null) return { kind: "unchanged" };
  if (isTrustedText(trusted, query) || allowIntrospection(query)) return { kind: "unchanged" };
  return {
    kind: "refused",
    code: PERSISTED_QUERY_NOT_ALLOWED,
    message: "This gateway runs only its trusted documents: send extensions.persistedQuery.sha256Hash or documentId of a document in its manifest",
  };
}

/**
 * Express middleware on the GraphQL routes (after JSON parsing): swaps an id for its document, in
 * the body (POST) or the URL (GET), or refuses with 400 and the code.
 */
export function trustedDocumentsMiddleware(trusted: TrustedDocuments | null, allowIntrospection: (query: string) => boolean): express.RequestHandler {
  return (req, res, next) => {
    if (!trusted) return next();
    const fromUrl = req.method === "GET";
    const search = new URLSearchParams(req.url.includes("?") ? req.url.slice(req.url.indexOf("?")) : "");
    const params: DocumentRequest & Record<string, unknown> = fromUrl
      ? {
          query: search.get("query") ?? undefined,
          documentId: search.get("documentId") ?? undefined,
          extensions: jsonOrUndefined(search.get("extensions")),
        }
      : ((req.body as Record<string, unknown> | undefined) ?? {});
    // A batch (an array) is not something a trusted client sends.
    if (Array.isArray(params)) return refuse(res, PERSISTED_QUERY_NOT_ALLOWED, "Batched requests are not accepted with trusted documents");
    const resolution = resolveDocument(trusted, params, allowIntrospection);
    if (resolution.kind === "refused") return refuse(res, resolution.code, resolution.message);
    if (resolution.kind === "resolved") {
      // Apollo runs it as a plain document (not an APQ registration).
      const extensions = params.extensions && typeof params.extensions === "object" ? { ...params.extensions } : undefined;
      if (extensions) delete (extensions as { persistedQuery?: unknown }).persistedQuery;
      if (fromUrl) {
        search.set("query", resolution.query);
        search.delete("documentId");
        if (extensions) search.set("extensions", JSON.stringify(extensions));
        req.url = `${req.url.split("?")[0]}?${search}`;
      } else {
        const { documentId: _id, ...rest } = params;
        req.body = { ...rest, query: resolution.query, ...(extensions ? { extensions } : {}) };
      }
    }
    next();
  };
}

function refuse(res: express.Response, code: string, message: string): void {
  res.status(400).json({ errors: [{ message, extensions: { code } }] });
}

function jsonOrUndefined(text: string | null): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Whether a parsed operation may run (subscriptions over graphql-ws send documents, not ids). */
export function isTrustedDocument(trusted: TrustedDocuments | null, document: DocumentNode): boolean {
  return trusted?.mode !== "enforce" || trusted.normalized.has(normalizedDocument(document));
}

import { describe, expect, it } from "vitest";
import { parse } from "graphql";
import { isTrustedDocument, parseManifest, resolveDocument, sha256, trustedDocuments, trustedDocumentsMode } from "./trusted-documents.ts";

const PLANTS = "query Plants { plants { id name } }";
const HASH = sha256(PLANTS);
const manifest = new Map([[HASH, PLANTS]]);
const noIntrospection = () => false;

describe("sha256", () => {
  it("is the hex digest APQ clients send", () => {
    // Known value: sha256("") .
    expect(sha256("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });
});

describe("parseManifest", () => {
  it("reads { hash: document } and Apollo's manifest format", () => {
    expect(parseManifest({ [HASH]: PLANTS })).toEqual(manifest);
    expect(
      parseManifest({ format: "apollo-persisted-query-manifest", version: 1, operations: [{ id: HASH, body: PLANTS, name: "Plants" }] }),
    ).toEqual(manifest);
  });
  it("refuses an id that is not its document's sha256, a document that does not parse, and an empty manifest", () => {
    expect(() => parseManifest({ ["0".repeat(64)]: PLANTS })).toThrow(`is not the sha256 of its document (that is ${HASH})`);
    expect(() => parseManifest({ [sha256("query {")]: "query {" })).toThrow("does not parse");
    expect(() => parseManifest({})).toThrow("has no documents");
  });
});

describe("trustedDocumentsMode", () => {
  it("is what is asked, else enforce in production with a manifest, allow elsewhere, off without one", () => {
    expect(trustedDocumentsMode({ NODE_ENV: "production" })).toBe("off");
    expect(trustedDocumentsMode({ NODE_ENV: "production", TRUSTED_DOCUMENTS_PATH: "m.json" })).toBe("enforce");
    expect(trustedDocumentsMode({ NODE_ENV: "development", TRUSTED_DOCUMENTS_PATH: "m.json" })).toBe("allow");
    expect(trustedDocumentsMode({ NODE_ENV: "production", TRUSTED_DOCUMENTS: "allow", TRUSTED_DOCUMENTS_PATH: "m.json" })).toBe("allow");
  });
});

describe("resolveDocument", () => {
  const allow = trustedDocuments("allow", manifest);
  const enforce = trustedDocuments("enforce", manifest);
  const apq = (hash: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });

  it("off: leaves every request alone", () => {
    expect(resolveDocument(null, { query: "{ anything }" }, noIntrospection)).toEqual({ kind: "unchanged" });
  });

  it("allow: swaps a known id (APQ hash or documentId) for its document, passes documents and unknown APQ hashes on", () => {
    expect(resolveDocument(allow, apq(HASH), noIntrospection)).toEqual({ kind: "resolved", query: PLANTS });
    expect(resolveDocument(allow, { documentId: `sha256:${HASH}` }, noIntrospection)).toEqual({ kind: "resolved", query: PLANTS });
    expect(resolveDocument(allow, { query: "{ other }" }, noIntrospection)).toEqual({ kind: "unchanged" });
    // Apollo's own APQ cache may know it.
    expect(resolveDocument(allow, apq("f".repeat(64)), noIntrospection)).toEqual({ kind: "unchanged" });
    expect(resolveDocument(allow, { documentId: "f".repeat(64) }, noIntrospection)).toMatchObject({
      kind: "refused",
      code: "PERSISTED_QUERY_NOT_FOUND",
    });
  });

  it("enforce: runs manifest documents by id or by text (whitespace aside), refuses everything else", () => {
    expect(resolveDocument(enforce, apq(HASH), noIntrospection)).toEqual({ kind: "resolved", query: PLANTS });
    expect(resolveDocument(enforce, { query: PLANTS }, noIntrospection)).toEqual({ kind: "unchanged" });
    expect(resolveDocument(enforce, { query: "query Plants {\n  plants { id, name }\n}" }, noIntrospection)).toEqual({ kind: "unchanged" });
    expect(resolveDocument(enforce, { query: "query Plants { plants { id } }" }, noIntrospection)).toMatchObject({
      kind: "refused",
      code: "PERSISTED_QUERY_NOT_ALLOWED",
    });
    expect(resolveDocument(enforce, apq("f".repeat(64)), noIntrospection)).toMatchObject({ kind: "refused", code: "PERSISTED_QUERY_NOT_ALLOWED" });
    expect(resolveDocument(enforce, { query: "{ __schema { types { name } } }" }, () => true)).toEqual({ kind: "unchanged" });
  });
});

describe("isTrustedDocument", () => {
  it("under enforce, accepts a parsed manifest document only", () => {
    const enforce = trustedDocuments("enforce", manifest);
    expect(isTrustedDocument(enforce, parse("query Plants{plants{id name}}"))).toBe(true);
    expect(isTrustedDocument(enforce, parse("query Plants { plants { id } }"))).toBe(false);
    expect(isTrustedDocument(trustedDocuments("allow", manifest), parse("{ x }"))).toBe(true);
    expect(isTrustedDocument(null, parse("{ x }"))).toBe(true);
  });
});

import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { PersistedDocuments } from "./persisted-documents.ts";

const apq = (text: string) => ({ persistedQuery: { version: 1, sha256Hash: createHash("sha256").update(text).digest("hex") } });

describe("PersistedDocuments", () => {
  it("remembers a document by its hash, and forgets the oldest once their text passes its bound", () => {
    const docs = new PersistedDocuments();
    const first = `{ a${" ".repeat(1024 * 1024)}}`;
    expect(docs.queryOf({ query: first, extensions: apq(first) })).toBe(first);
    expect(docs.queryOf({ extensions: apq(first) })).toBe(first);
    for (let i = 0; i < 9; i++) {
      const big = `{ b${i}${" ".repeat(1024 * 1024)}}`;
      docs.queryOf({ query: big, extensions: apq(big) });
    }
    expect(docs.queryOf({ extensions: apq(first) })).toBeUndefined();
  });
});

import { GraphQLError } from "graphql";
import { describe, expect, it } from "vitest";
import { formatError, fromDatabaseError } from "./errors.ts";

const codeOf = (err: unknown) => fromDatabaseError(err)?.extensions.code;

describe("fromDatabaseError", () => {
  it("says BUSY (retryable) for a transaction that ran out of time or met a conflict, however Prisma carries it", () => {
    for (const code of ["P2028", "P1018", "P2034", "P2037"]) expect(codeOf({ code })).toBe("BUSY");
    // A socket timeout or a lost connection may have cut a COMMIT that happened: not "rolled back".
    for (const code of ["P1008", "P1017"]) expect(codeOf({ code })).toBeUndefined();
    // A raw query's failure (P2010) and an unmapped PostgreSQL error carry the SQLSTATE inside.
    for (const state of ["40001", "40P01", "57014", "55P03"]) {
      expect(codeOf({ code: "P2010", meta: { driverAdapterError: { cause: { originalCode: state } } } })).toBe("BUSY");
      expect(codeOf({ name: "DriverAdapterError", cause: { kind: "postgres", originalCode: state } })).toBe("BUSY");
    }
    expect(fromDatabaseError({ code: "P2028" })?.extensions.retryable).toBe(true);
  });

  it("keeps the caller's own mistakes apart, and leaves the rest internal", () => {
    expect(codeOf({ code: "P2002", meta: { target: ["code"] } })).toBe("CONFLICT");
    expect(codeOf({ code: "P2003" })).toBe("BAD_USER_INPUT");
    expect(codeOf({ code: "P2010", meta: { driverAdapterError: { cause: { originalCode: "42P01" } } } })).toBeUndefined();
    expect(codeOf(new Error("boom"))).toBeUndefined();
    expect(codeOf(null)).toBeUndefined();
  });
});

describe("formatError", () => {
  const format = formatError(false);
  const asApollo = (error: GraphQLError) => format({ message: error.message, extensions: { code: "INTERNAL_SERVER_ERROR" } }, error);

  it("says Apollo's codeless refusals of a malformed request as they are (BAD_REQUEST), not as internal errors", () => {
    const mismatch = new GraphQLError("provided sha does not match query", { extensions: { http: { status: 400 } } });
    expect(asApollo(mismatch)).toEqual({ message: "provided sha does not match query", extensions: { code: "BAD_REQUEST" } });
  });

  it("hides anything else unexpected behind a generic message", () => {
    for (const error of [new GraphQLError("secret detail"), new GraphQLError("upstream 502", { extensions: { http: { status: 502 } } })]) {
      expect(asApollo(error)).toMatchObject({ extensions: { code: "INTERNAL_SERVER_ERROR" } });
      expect(asApollo(error).message).not.toContain(error.message);
    }
  });
});

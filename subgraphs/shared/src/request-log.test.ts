import { describe, expect, it } from "vitest";
import { requestLogLine } from "./request-log.ts";

describe("requestLogLine", () => {
  const identity = { userId: "planner.pat", organizationId: "2b0c9f4e-3f1d-4c55-9a0e-6d2f8b7a1c10" };

  it("records who, what, how long, how much SQL and ok for a clean answer", () => {
    expect(
      requestLogLine({
        traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
        identity,
        operationName: "Dashboard",
        operationType: "query",
        durationMs: 12.6,
        sqlQueries: 3,
        errors: [],
      }),
    ).toEqual({
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      userId: "planner.pat",
      organizationId: identity.organizationId,
      operationName: "Dashboard",
      operationType: "query",
      durationMs: 13,
      sqlQueries: 3,
      outcome: "ok",
    });
  });

  it("lists each error code once, unknown ones as internal errors, and never repeats the request id", () => {
    const line = requestLogLine({
      identity: null,
      operationName: undefined,
      durationMs: 1,
      errors: [{ extensions: { code: "BAD_USER_INPUT" } }, { extensions: { code: "BAD_USER_INPUT" } }, {}],
    });
    expect(line).toEqual({ operationName: null, durationMs: 1, outcome: "error", errorCodes: ["BAD_USER_INPUT", "INTERNAL_SERVER_ERROR"] });
    expect(Object.keys(line)).not.toContain("requestId");
  });
});

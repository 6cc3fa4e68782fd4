import { describe, expect, it } from "vitest";
import type { GraphQLError } from "graphql";
import {
  CLOCK_SKEW_MS,
  createMachineInput,
  createPmScheduleInput,
  isInFuture,
  logDowntimeInput,
  optionalWindow,
  parseArgs,
  setMachineStateArgs,
} from "./inputs.ts";

const M = "0b0b0b0b-0000-4000-8000-000000000001";

/** The fields a refusal names, or undefined when `fn` does not throw. */
function fieldsOf(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    return (e as GraphQLError).extensions.fields as { field: string; message: string }[];
  }
  return undefined;
}

describe("times that must have happened", () => {
  const now = new Date("2026-06-01T12:00:00Z");

  it("allows the past, now and the clock skew, and refuses anything later", () => {
    expect(isInFuture(new Date("2026-05-01T00:00:00Z"), now)).toBe(false);
    expect(isInFuture(new Date(now.getTime() + CLOCK_SKEW_MS), now)).toBe(false);
    expect(isInFuture(new Date(now.getTime() + CLOCK_SKEW_MS + 1), now)).toBe(true);
  });

  it("logDowntime refuses a downtime that ends in the future, naming endedAt", () => {
    const start = new Date(Date.now() - 3_600_000);
    const input = { machineId: M, reasonCode: "MECH", startedAt: start, endedAt: new Date(Date.now() + 86_400_000) };
    expect(logDowntimeInput.safeParse(input).error?.issues.map((i) => i.path.join("."))).toEqual(["endedAt"]);
    expect(logDowntimeInput.safeParse({ ...input, endedAt: new Date(Date.now() - 60_000) }).success).toBe(true);
  });

  it("logDowntime refuses a blank note rather than storing it", () => {
    const input = { machineId: M, reasonCode: "MECH", startedAt: new Date(Date.now() - 7_200_000), endedAt: new Date(Date.now() - 3_600_000) };
    expect(logDowntimeInput.safeParse({ ...input, note: "  " }).success).toBe(false);
    expect(logDowntimeInput.safeParse({ ...input, note: null }).success).toBe(true);
  });
});

describe("numbers as their columns keep them", () => {
  const machine = { workCenterId: M, code: "M-1", name: "M 1" };
  const schedule = { machineId: M, name: "Lube", trigger: "CALENDAR" as const };

  it("ideal cycle seconds: greater than 0, at most 2 decimal places, below 10^8 (NUMERIC(10, 2))", () => {
    expect(createMachineInput.safeParse({ ...machine, idealCycleSeconds: 42.5 }).success).toBe(true);
    expect(createMachineInput.safeParse({ ...machine, idealCycleSeconds: 0.001 }).success).toBe(false);
    expect(createMachineInput.safeParse({ ...machine, idealCycleSeconds: 1e8 }).success).toBe(false);
    expect(createMachineInput.safeParse({ ...machine, idealCycleSeconds: 1e-9 }).success).toBe(false);
  });

  it("PM interval: greater than 0, at most 4 decimal places (NUMERIC(18, 4))", () => {
    expect(createPmScheduleInput.safeParse({ ...schedule, interval: 7.25 }).success).toBe(true);
    expect(createPmScheduleInput.safeParse({ ...schedule, interval: 0.00001 }).success).toBe(false);
    expect(createPmScheduleInput.safeParse({ ...schedule, interval: 1e-9 }).success).toBe(false);
    expect(createPmScheduleInput.safeParse({ ...schedule, interval: 1e-11 }).success).toBe(false);
    expect(createPmScheduleInput.safeParse({ ...schedule, interval: 1e10 }).success).toBe(false);
  });
});

describe("setMachineState arguments", () => {
  it("takes a reason code and a note with a stop", () => {
    expect(parseArgs(setMachineStateArgs, { machineId: M, state: "DOWN", reasonCode: "MECH", note: "spindle" })).toMatchObject({ state: "DOWN" });
    expect(parseArgs(setMachineStateArgs, { machineId: M, state: "RUNNING" })).toMatchObject({ state: "RUNNING" });
  });

  it("refuses a reason code or note with a state that is not a stop, naming each argument", () => {
    expect(fieldsOf(() => parseArgs(setMachineStateArgs, { machineId: M, state: "RUNNING", reasonCode: "MECH", note: "x" }))).toEqual([
      { field: "reasonCode", message: "only DOWN and MAINTENANCE take one, not RUNNING" },
      { field: "note", message: "only DOWN and MAINTENANCE take one, not RUNNING" },
    ]);
  });

  it("refuses a blank reason code or note, and a malformed machine id, by argument name", () => {
    const fields = fieldsOf(() => parseArgs(setMachineStateArgs, { machineId: "m-1", state: "DOWN", reasonCode: " ", note: "" }));
    expect(fields?.map((f) => f.field)).toEqual(["machineId", "reasonCode", "note"]);
  });
});

describe("optional windows", () => {
  const a = new Date("2026-06-01T00:00:00Z");
  const b = new Date("2026-06-02T00:00:00Z");

  it("refuses an empty or reversed window naming `to`, and lets an open or proper one through", () => {
    expect(fieldsOf(() => optionalWindow(b, a))).toEqual([{ field: "to", message: "must be after from" }]);
    expect(fieldsOf(() => optionalWindow(a, a))).toHaveLength(1);
    expect(fieldsOf(() => optionalWindow(a, b))).toBeUndefined();
    expect(fieldsOf(() => optionalWindow(null, a))).toBeUndefined();
  });
});

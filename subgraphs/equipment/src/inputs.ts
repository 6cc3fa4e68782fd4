// zod validation of the mutation inputs, each tied to the input type generated from the SDL: the
// shape must have exactly the fields of that type (an extra or a missing field, optional or not, is
// a compile error), each accepting only values of the field's GraphQL type.
import { z } from "zod";
import { badUserInput, invalidInput, isTimeZone, requireId, zCode, zDate, zHappened, zId, zName, zOptionalText, type InputShape } from "@mes/shared";

// The kit's rules for times that must have happened, re-exported for this subgraph's modules.
export { CLOCK_SKEW_MS, isInFuture, zHappened } from "@mes/shared";
import { MachineState, PmTrigger } from "./generated/prisma/enums.ts";
import type {
  CreateAreaInput,
  CreateMachineInput,
  CreatePlantInput,
  CreatePmScheduleInput,
  CreateWorkCenterInput,
  LogDowntimeInput,
  MutationSetMachineStateArgs,
} from "./resolvers-types.generated.ts";
import { needsReasonCode } from "./machine-state.ts";

/**
 * Decimal places of a number as the caller wrote it: a JSON number parses to the double whose
 * shortest form is what was sent (0.00001 -> "0.00001", 1e-9 -> "1e-9"), so this is exact.
 */
export function decimalPlaces(value: number): number {
  const [mantissa = "", exponent = "0"] = String(Math.abs(value)).split("e");
  return Math.max(0, (mantissa.split(".")[1] ?? "").length - Number(exponent));
}

/**
 * A number for a NUMERIC(p, scale) column, within bounds and with at most `scale` decimal places.
 * Local, not the kit's zDecimal: its fitsScale lets through values below 10^-(scale + 6), which the
 * column then stores as 0 (1e-9 at scale 2, 1e-11 at scale 4).
 */
export function zNumeric(scale: number, bounds: { greaterThan: number; max: number }) {
  return z
    .number()
    .gt(bounds.greaterThan, `must be greater than ${bounds.greaterThan}`)
    .max(bounds.max, `must be at most ${bounds.max}`)
    .refine((v) => decimalPlaces(v) <= scale, `must have at most ${scale} decimal places`);
}

export const createPlantInput = z.object({
  code: zCode,
  name: zName,
  timeZone: z.string().refine(isTimeZone, "must be an IANA time zone such as Europe/Berlin"),
} satisfies InputShape<CreatePlantInput>);

export const createAreaInput = z.object({ plantId: zId, code: zCode, name: zName } satisfies InputShape<CreateAreaInput>);

export const createWorkCenterInput = z.object({ areaId: zId, code: zCode, name: zName } satisfies InputShape<CreateWorkCenterInput>);

export const createMachineInput = z.object({
  workCenterId: zId,
  code: zCode,
  name: zName,
  // NUMERIC(10, 2): 8 integer digits, 2 decimals (more would be rounded away).
  idealCycleSeconds: zNumeric(2, { greaterThan: 0, max: 99_999_999.99 }),
} satisfies InputShape<CreateMachineInput>);

/** A downtime reason code as a person types it (setMachineState's reasonCode, logDowntime's). */
export const reasonCode = z.string().trim().min(1, "must not be empty").max(64, "must be at most 64 characters");

/**
 * setMachineState's arguments. A reason code and a note belong to a stop (DOWN, MAINTENANCE): with
 * any other state they would be dropped, so they are refused.
 */
export const setMachineStateArgs = z
  .object({
    machineId: zId,
    state: z.enum(MachineState),
    reasonCode: reasonCode.nullish(),
    note: zOptionalText(),
  } satisfies InputShape<MutationSetMachineStateArgs>)
  .superRefine((v, ctx) => {
    if (needsReasonCode(v.state)) return;
    const message = `only DOWN and MAINTENANCE take one, not ${v.state}`;
    if (v.reasonCode != null) ctx.addIssue({ code: "custom", path: ["reasonCode"], message });
    if (v.note != null) ctx.addIssue({ code: "custom", path: ["note"], message });
  });

export const logDowntimeInput = z
  .object({
    machineId: zId,
    reasonCode,
    startedAt: zDate,
    endedAt: zHappened,
    note: zOptionalText(),
  } satisfies InputShape<LogDowntimeInput>)
  .refine((v) => v.startedAt < v.endedAt, { path: ["endedAt"], message: "must be after startedAt" });

export const createPmScheduleInput = z.object({
  machineId: zId,
  name: zName,
  trigger: z.enum(PmTrigger),
  // NUMERIC(18, 4); a billion days, hours or units is beyond any schedule.
  interval: zNumeric(4, { greaterThan: 0, max: 1e9 }),
  startsAt: zDate.nullish(),
} satisfies InputShape<CreatePmScheduleInput>);

/** Validates a root field's arguments; every problem is named by its argument (`reasonCode`, not `input.reasonCode`). */
export function parseArgs<T extends z.ZodType>(schema: T, args: unknown): z.output<T> {
  const result = schema.safeParse(args);
  if (result.success) return result.data;
  const fields = result.error.issues.map((issue) => ({ field: issue.path.join("."), message: issue.message }));
  throw invalidInput([...new Set(fields.map((f) => f.field.split(".")[0]))].join(", "), fields);
}

/** An optional [from, to) window: when both are given, one that is empty or reversed is refused naming `to`. */
export function optionalWindow(from: Date | null | undefined, to: Date | null | undefined): void {
  if (from && to && !(from < to)) throw badUserInput("to must be after from", [{ field: "to", message: "must be after from" }]);
}

type Subscribe = (source: never, args: never, ctx: never) => unknown;

/**
 * A subscription field whose optional id arguments are checked when it starts: a malformed one is
 * refused naming it, rather than subscribing to events that can never match.
 */
export function withCheckedIds<F extends { subscribe: Subscribe }>(field: F, names: readonly string[]): F {
  const subscribe = field.subscribe as (source: unknown, args: Record<string, unknown>, ctx: unknown) => unknown;
  const checked = (source: unknown, args: Record<string, unknown>, ctx: unknown) => {
    for (const name of names) if (args[name] != null) requireId(args[name] as string, name);
    return subscribe(source, args, ctx);
  };
  return { ...field, subscribe: checked };
}

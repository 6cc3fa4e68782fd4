// The shift calendar: patterns in the plant's local time, and their dated shifts as instants.
import { badUserInput, breakWindows, DAY_MS, localToUtc, notFound } from "@mes/shared";
import type { ShiftPattern } from "./generated/prisma/client.ts";
import type { CreateShiftPatternInput, ShiftBreakInput } from "./resolvers-types.generated.ts";
import type { ShiftsTx } from "./context.ts";

/** Longest window `shifts` queries answer. */
export const MAX_QUERY_DAYS = 31;
/** Most local dates one generateShifts call creates. */
export const MAX_GENERATE_DAYS = 62;

/** A validated CreateShiftPatternInput: startTime is HH:MM, breaks defaulted to none. */
export type NewShiftPattern = Omit<CreateShiftPatternInput, "breaks"> & { breaks: ShiftBreakInput[] };

/** Minutes after midnight of a valid local "HH:MM". */
export function startMinuteOf(startTime: string): number {
  const [h, m] = startTime.split(":").map(Number) as [number, number];
  return h * 60 + m;
}

/** Every problem of a pattern's breaks, by the break's position in start order (as reported before). */
export function breakProblems(breaks: readonly ShiftBreakInput[], durationMinutes: number): { index: number; message: string }[] {
  const problems: { index: number; message: string }[] = [];
  const sorted = [...breaks].sort((a, b) => a.startOffsetMinutes - b.startOffsetMinutes);
  let end = 0;
  sorted.forEach((b, index) => {
    if (b.startOffsetMinutes + b.durationMinutes > durationMinutes) problems.push({ index, message: "break must end within the shift" });
    if (b.startOffsetMinutes < end) problems.push({ index, message: "breaks must not overlap" });
    end = b.startOffsetMinutes + b.durationMinutes;
  });
  return problems;
}

/** A pattern's breaks from its JSON column. */
export function patternBreaks(pattern: Pick<ShiftPattern, "breaks">): ShiftBreakInput[] {
  // Written only by createShiftPattern (and the seed) from validated ShiftBreakInput values.
  return pattern.breaks as ShiftBreakInput[];
}

/** Start and end of a pattern's shift on a local date, through the plant's time zone (DST-safe). */
export function shiftWindow(pattern: Pick<ShiftPattern, "startMinute" | "durationMinutes" | "timeZone">, businessDate: Date) {
  return {
    startsAt: localToUtc(businessDate, pattern.startMinute, pattern.timeZone),
    endsAt: localToUtc(businessDate, pattern.startMinute + pattern.durationMinutes, pattern.timeZone),
  };
}

// A shift's breaks as instants: breakWindows of @mes/shared (equipment places them the same way).
export { breakWindows };

/** Minutes of break a shift really has (the break windows added up). */
export function breakMinutes(windows: readonly { startsAt: Date; endsAt: Date }[]): number {
  return windows.reduce((sum, w) => sum + (w.endsAt.getTime() - w.startsAt.getTime()), 0) / 60_000;
}

/** The local dates (UTC midnights) from fromDate to toDate inclusive; BAD_USER_INPUT if reversed or too many. */
export function businessDates(fromDate: Date, toDate: Date): Date[] {
  if (toDate < fromDate) throw badUserInput("toDate must not be before fromDate", [{ field: "toDate", message: "must not be before fromDate" }]);
  const days = Math.round((toDate.getTime() - fromDate.getTime()) / DAY_MS) + 1;
  if (days > MAX_GENERATE_DAYS)
    throw badUserInput(`At most ${MAX_GENERATE_DAYS} days at once`, [
      { field: "toDate", message: `at most ${MAX_GENERATE_DAYS} days after fromDate` },
    ]);
  return Array.from({ length: days }, (_, i) => new Date(fromDate.getTime() + i * DAY_MS));
}

export function createShiftPattern(tx: ShiftsTx, organizationId: string, { startTime, ...pattern }: NewShiftPattern) {
  return tx.shiftPattern.create({ data: { ...pattern, organizationId, startMinute: startMinuteOf(startTime) } });
}

/** Creates the pattern's missing shifts for each local date in [fromDate, toDate]; returns them all. */
export async function generateShifts(tx: ShiftsTx, patternId: string, fromDate: Date, toDate: Date) {
  const dates = businessDates(fromDate, toDate);
  const pattern = await tx.shiftPattern.findUnique({ where: { id: patternId } });
  if (!pattern) throw notFound("Shift pattern", patternId);
  const rows = dates.map((businessDate) => ({
    organizationId: pattern.organizationId,
    plantId: pattern.plantId,
    patternId,
    businessDate,
    ...shiftWindow(pattern, businessDate),
  }));
  await tx.shift.createMany({ data: rows, skipDuplicates: true });
  return tx.shift.findMany({ where: { patternId, businessDate: { gte: fromDate, lte: toDate } }, orderBy: { startsAt: "asc" } });
}

/** Patterns of one plant, or of every plant the caller may see: by local start time, then plant. */
export function listPatterns(tx: ShiftsTx, plantId: string | null) {
  return tx.shiftPattern.findMany({ where: plantId ? { plantId } : {}, orderBy: [{ startMinute: "asc" }, { plantId: "asc" }, { id: "asc" }] });
}

/** Shifts of a plant starting in [from, to), optionally of the pattern named `name` (the caller checks the window). */
export function shiftsStarting(tx: ShiftsTx, plantId: string, from: Date, to: Date, name: string | null = null) {
  return tx.shift.findMany({
    where: { plantId, startsAt: { gte: from, lt: to }, ...(name !== null ? { pattern: { name } } : {}) },
    orderBy: { startsAt: "asc" },
  });
}

/** The shift containing an instant: a boundary instant belongs to the shift starting there. */
export function shiftAt(tx: ShiftsTx, plantId: string, at: Date) {
  return tx.shift.findFirst({ where: { plantId, startsAt: { lte: at }, endsAt: { gt: at } }, orderBy: { startsAt: "desc" } });
}

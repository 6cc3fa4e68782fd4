// Attendance of people in shifts (clock-in, clock-out, absence) and coverage per work center.
import { badUserInput, conflict, isInFuture } from "@mes/shared";
import type { Attendance, CoverageRequirement, Shift } from "./generated/prisma/client.ts";
import type { ClockInInput, SetCoverageInput } from "./resolvers-types.generated.ts";
import type { CoverageMapper } from "./mappers.ts";
import type { ShiftsTx } from "./context.ts";

/** Arriving later than this after the shift start counts as LATE. */
export const GRACE_MINUTES = 5;

/** PRESENT up to and including the grace period after the shift start, LATE after it. */
export function arrivalStatus(shiftStartsAt: Date, at: Date): "PRESENT" | "LATE" {
  return at.getTime() > shiftStartsAt.getTime() + GRACE_MINUTES * 60_000 ? "LATE" : "PRESENT";
}

/**
 * Whole minutes from the shift's start (its local start time as an instant) to the clock-in,
 * rounded down; 0 when on time or early; null when not clocked in.
 */
export function minutesLate(shiftStartsAt: Date, clockIn: Date | null): number | null {
  if (clockIn === null) return null;
  return Math.max(0, Math.floor((clockIn.getTime() - shiftStartsAt.getTime()) / 60_000));
}

/**
 * Whether an attendance counts as on site at `now`: arrived (on time or late) at or before now and
 * not gone by now. A clock-in a little ahead of the server's clock (allowed for clock difference)
 * does not count before its time.
 */
export function isOnSite(a: Pick<Attendance, "status" | "clockIn" | "clockOut">, now: Date): boolean {
  if (a.status !== "PRESENT" && a.status !== "LATE") return false;
  if (a.clockIn === null || a.clockIn > now) return false;
  return a.clockOut === null || a.clockOut > now;
}

/** Required and on-site (at `now`) people per work center with a requirement, in the requirements' order. */
export function coverage(
  requirements: readonly Pick<CoverageRequirement, "workCenterId" | "requiredPeople">[],
  attendance: readonly Pick<Attendance, "status" | "clockIn" | "clockOut" | "workCenterId">[],
  now: Date,
): CoverageMapper[] {
  const onSite = attendance.filter((a) => isOnSite(a, now));
  return requirements.map((r) => {
    const present = onSite.filter((a) => a.workCenterId === r.workCenterId).length;
    return { workCenterId: r.workCenterId, required: r.requiredPeople, present, short: Math.max(0, r.requiredPeople - present) };
  });
}

const onePerson = (shift: Shift, personId: string) => ({ shiftId_personId: { shiftId: shift.id, personId } });

/**
 * Serializes the attendance changes of one person in one shift until the transaction ends: the row
 * may not exist yet, so a row lock cannot do it. Racing duplicates then see the first one's result.
 */
async function lockAttendance(tx: ShiftsTx, shift: Shift, personId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`attendance:${shift.id}:${personId}`}))`;
}

/** Records an arrival at `input.at`, or `now` when not given; CONFLICT if already clocked in (the first time stays). */
export async function clockIn(tx: ShiftsTx, shift: Shift, input: ClockInInput, now: Date) {
  const { personId } = input;
  const at = input.at ?? now;
  // The resolver's zod check refuses it too; here so no caller can record an arrival not yet made.
  if (isInFuture(at, now))
    throw badUserInput("A clock-in must not be in the future", [
      { field: "input.at", message: "must not be in the future: it records something that happened" },
    ]);
  const workCenterId = input.workCenterId ?? null;
  if (at >= shift.endsAt) throw badUserInput("The shift has already ended at that time", [{ field: "input.at", message: "after the shift end" }]);
  const status = arrivalStatus(shift.startsAt, at);
  await lockAttendance(tx, shift, personId);
  const existing = await tx.attendance.findUnique({ where: onePerson(shift, personId) });
  if (existing?.clockIn) throw conflict(`${personId} already clocked in to this shift at ${existing.clockIn.toISOString()}`);
  if (existing) {
    // Marked absent before arriving: the arrival replaces the absence.
    return tx.attendance.update({ where: { id: existing.id }, data: { status, clockIn: at, workCenterId: workCenterId ?? undefined } });
  }
  return tx.attendance.create({
    data: { organizationId: shift.organizationId, plantId: shift.plantId, shiftId: shift.id, personId, workCenterId, status, clockIn: at },
  });
}

/** Records a departure; CONFLICT if not clocked in or already clocked out (the first time stays). */
export async function clockOut(tx: ShiftsTx, shift: Shift, personId: string, at: Date) {
  await lockAttendance(tx, shift, personId);
  const row = await tx.attendance.findUnique({ where: onePerson(shift, personId) });
  if (!row?.clockIn) throw conflict(`${personId} has not clocked in to this shift`);
  if (row.clockOut) throw conflict(`${personId} already clocked out at ${row.clockOut.toISOString()}`);
  if (at < row.clockIn) throw badUserInput("Clock-out must not be before clock-in", [{ field: "at", message: "before clock-in" }]);
  return tx.attendance.update({ where: { id: row.id }, data: { clockOut: at } });
}

/** Marks a person absent; marking an absent person again changes nothing. CONFLICT once they clocked in. */
export async function markAbsent(tx: ShiftsTx, shift: Shift, personId: string) {
  await lockAttendance(tx, shift, personId);
  const row = await tx.attendance.findUnique({ where: onePerson(shift, personId) });
  if (row?.clockIn) throw conflict(`${personId} clocked in to this shift; they are not absent`);
  if (row) return row;
  return tx.attendance.create({
    data: { organizationId: shift.organizationId, plantId: shift.plantId, shiftId: shift.id, personId, status: "ABSENT" },
  });
}

/**
 * Sets how many people a work center needs on each shift of its plant (present vs required:
 * Shift.coverage). A setter: repeating it is harmless, and of racing calls the last one's value stays.
 */
export async function setCoverageRequirement(tx: ShiftsTx, organizationId: string, input: SetCoverageInput) {
  // Without the lock, two first-time calls both insert and one fails on the unique key.
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`coverage:${organizationId}:${input.plantId}:${input.workCenterId}`}))`;
  return tx.coverageRequirement.upsert({
    where: { organizationId_plantId_workCenterId: { organizationId, plantId: input.plantId, workCenterId: input.workCenterId } },
    create: { ...input, organizationId },
    update: { requiredPeople: input.requiredPeople },
  });
}

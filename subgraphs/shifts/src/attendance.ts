import { z } from "zod";
import { badUserInput, conflict, entityRef, notFound, parseInput, requireId, zDate, zId } from "@mes/shared";
import type { Attendance, Shift, ShiftPattern } from "./generated/prisma/client.ts";
import type { ShiftsContext } from "./context.ts";

/** Arriving later than this after the shift start counts as LATE. */
const GRACE_MINUTES = 5;
const person = z.string().trim().min(1, "must not be empty").max(128);
const clockInInput = z.object({ shiftId: zId, personId: person, workCenterId: zId.nullish(), at: zDate.nullish() });
const coverageInput = z.object({ plantId: zId, workCenterId: zId, requiredPeople: z.number().int().min(0, "must be 0 or more").max(10_000) });

interface ShiftBreak { startOffsetMinutes: number; durationMinutes: number }

/** A shift's breaks as instants (offsets from its start). */
export function breakWindows(shift: Shift, pattern: ShiftPattern) {
  return (pattern.breaks as unknown as ShiftBreak[]).map((b) => ({
    startsAt: new Date(shift.startsAt.getTime() + b.startOffsetMinutes * 60_000),
    endsAt: new Date(shift.startsAt.getTime() + (b.startOffsetMinutes + b.durationMinutes) * 60_000),
  }));
}

async function shiftOf(ctx: ShiftsContext, id: string) {
  const shift = await ctx.loaders.shift.load(requireId(id, "shiftId"));
  if (!shift) throw notFound("Shift", id);
  return shift;
}

export const attendanceResolvers = {
  Mutation: {
    clockIn: async (_: unknown, a: { input: unknown }, ctx: ShiftsContext) => {
      const input = parseInput(clockInInput, a.input);
      const shift = await shiftOf(ctx, input.shiftId);
      const at = input.at ?? new Date();
      if (at >= shift.endsAt) throw badUserInput("The shift has already ended at that time", [{ field: "input.at", message: "after the shift end" }]);
      const status = at.getTime() > shift.startsAt.getTime() + GRACE_MINUTES * 60_000 ? "LATE" as const : "PRESENT" as const;
      const existing = await ctx.db.attendance.findUnique({ where: { shiftId_personId: { shiftId: shift.id, personId: input.personId } } });
      if (existing?.clockIn) throw conflict(`${input.personId} already clocked in to this shift at ${existing.clockIn.toISOString()}`);
      return ctx.db.attendance.upsert({
        where: { shiftId_personId: { shiftId: shift.id, personId: input.personId } },
        create: { organizationId: shift.organizationId, plantId: shift.plantId, shiftId: shift.id, personId: input.personId, workCenterId: input.workCenterId ?? null, status, clockIn: at },
        update: { status, clockIn: at, workCenterId: input.workCenterId ?? undefined },
      });
    },
    clockOut: async (_: unknown, a: { shiftId: string; personId: string; at?: Date | null }, ctx: ShiftsContext) => {
      const shift = await shiftOf(ctx, a.shiftId);
      const personId = parseInput(person, a.personId, "personId");
      const at = a.at ?? new Date();
      const row = await ctx.db.attendance.findUnique({ where: { shiftId_personId: { shiftId: shift.id, personId } } });
      if (!row?.clockIn) throw conflict(`${personId} has not clocked in to this shift`);
      if (row.clockOut) throw conflict(`${personId} already clocked out at ${row.clockOut.toISOString()}`);
      if (at < row.clockIn) throw badUserInput("Clock-out must not be before clock-in", [{ field: "at", message: "before clock-in" }]);
      return ctx.db.attendance.update({ where: { id: row.id }, data: { clockOut: at } });
    },
    markAbsent: async (_: unknown, a: { shiftId: string; personId: string }, ctx: ShiftsContext) => {
      const shift = await shiftOf(ctx, a.shiftId);
      const personId = parseInput(person, a.personId, "personId");
      const row = await ctx.db.attendance.findUnique({ where: { shiftId_personId: { shiftId: shift.id, personId } } });
      if (row?.clockIn) throw conflict(`${personId} clocked in to this shift; they are not absent`);
      return ctx.db.attendance.upsert({
        where: { shiftId_personId: { shiftId: shift.id, personId } },
        create: { organizationId: shift.organizationId, plantId: shift.plantId, shiftId: shift.id, personId, status: "ABSENT" },
        update: { status: "ABSENT" },
      });
    },
    setCoverageRequirement: async (_: unknown, a: { input: unknown }, ctx: ShiftsContext) => {
      const input = parseInput(coverageInput, a.input);
      // Coverage (present vs required) belongs to a shift: Shift.coverage reports it.
      return ctx.db.coverageRequirement.upsert({
        where: { plantId_workCenterId: { plantId: input.plantId, workCenterId: input.workCenterId } },
        create: { ...input, organizationId: ctx.tenant.organizationId }, update: { requiredPeople: input.requiredPeople },
      });
    },
  },
  Attendance: {
    workCenter: (a: Attendance) => entityRef("WorkCenter", a.workCenterId),
  },
  Coverage: {
    workCenter: (c: { workCenterId: string }) => entityRef("WorkCenter", c.workCenterId),
  },
  CoverageRequirement: {
    workCenter: (c: { workCenterId: string }) => entityRef("WorkCenter", c.workCenterId),
  },
};

export const shiftAttendanceFields = {
  breakWindows: async (s: Shift, _: unknown, ctx: ShiftsContext) => {
    const pattern = await ctx.loaders.pattern.load(s.patternId);
    return pattern ? breakWindows(s, pattern) : [];
  },
  attendance: (s: Shift, _: unknown, ctx: ShiftsContext) => ctx.loaders.attendanceOfShift.load(s.id),
  coverage: async (s: Shift, _: unknown, ctx: ShiftsContext) => {
    const [requirements, all] = await Promise.all([ctx.loaders.coverageOfPlant.load(s.plantId), ctx.loaders.attendanceOfShift.load(s.id)]);
    const attendance = all.filter((a) => (a.status === "PRESENT" || a.status === "LATE") && a.clockOut === null);
    return requirements.map((r) => {
      const present = attendance.filter((a) => a.workCenterId === r.workCenterId).length;
      return { workCenterId: r.workCenterId, required: r.requiredPeople, present, short: Math.max(0, r.requiredPeople - present) };
    });
  },
};

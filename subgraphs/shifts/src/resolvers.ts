import { z } from "zod";
import {
  badUserInput, conflict, entityRef, requireWindow, notFound, parseInput, requireId, scalarResolvers, zId, zName, type Resolvers,
} from "@mes/shared";
import type { CrewAssignment, Handover, Shift, ShiftPattern } from "./generated/prisma/client.ts";
import type { ShiftsContext } from "./context.ts";
import { DAY_MS, formatMinute, isTimeZone, localToUtc } from "@mes/shared";
import { attendanceResolvers, shiftAttendanceFields } from "./attendance.ts";

const MAX_QUERY_DAYS = 31;
const MAX_GENERATE_DAYS = 62;

interface ShiftBreak { startOffsetMinutes: number; durationMinutes: number }

const createPatternInput = z.object({
  plantId: zId,
  name: zName,
  timeZone: z.string().refine(isTimeZone, "must be an IANA time zone such as Europe/Berlin"),
  startTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a local time HH:MM"),
  durationMinutes: z.number().int().min(15, "must be at least 15 minutes").max(24 * 60, "must be at most 24 hours"),
  breaks: z.array(z.object({
    startOffsetMinutes: z.number().int().min(0, "must be 0 or more"),
    durationMinutes: z.number().int().min(1, "must be at least 1 minute"),
  })),
}).superRefine((p, ctx) => {
  const sorted = [...p.breaks].sort((a, b) => a.startOffsetMinutes - b.startOffsetMinutes);
  let end = 0;
  sorted.forEach((b, i) => {
    if (b.startOffsetMinutes + b.durationMinutes > p.durationMinutes) ctx.addIssue({ code: "custom", path: ["breaks", i], message: "break must end within the shift" });
    if (b.startOffsetMinutes < end) ctx.addIssue({ code: "custom", path: ["breaks", i], message: "breaks must not overlap" });
    end = b.startOffsetMinutes + b.durationMinutes;
  });
});

const createCrewInput = z.object({
  plantId: zId,
  name: zName,
  members: z.array(z.object({ personId: z.string().trim().min(1).max(128), displayName: zName, role: z.string().trim().min(1).max(64) })),
});

const logHandoverInput = z.object({
  shiftId: zId,
  notes: z.string().trim().min(1, "must not be empty").max(10_000),
  openIssues: z.array(z.string().trim().min(1).max(1000)).max(100),
  createdBy: z.string().trim().min(1, "must not be empty").max(128),
});

/** Start and end of a pattern's shift on a local date, through the plant's time zone (DST-safe). */
export function shiftWindow(pattern: Pick<ShiftPattern, "startMinute" | "durationMinutes" | "timeZone">, businessDate: Date) {
  return {
    startsAt: localToUtc(businessDate, pattern.startMinute, pattern.timeZone),
    endsAt: localToUtc(businessDate, pattern.startMinute + pattern.durationMinutes, pattern.timeZone),
  };
}

const plantRef = (plantId: string) => entityRef("Plant", plantId);

export const resolvers: Resolvers<ShiftsContext> = {
  ...scalarResolvers,
  ...attendanceResolvers,
  Query: {
    shiftPatterns: (_: unknown, { plantId }: { plantId: string }, ctx: ShiftsContext) =>
      ctx.db.shiftPattern.findMany({ where: { plantId: requireId(plantId, "plantId") }, orderBy: { startMinute: "asc" } }),
    shift: (_: unknown, { id }: { id: string }, ctx: ShiftsContext) => ctx.loaders.shift.load(requireId(id)),
    shifts: (_: unknown, args: { plantId: string; from: Date; to: Date }, ctx: ShiftsContext) => {
      requireWindow(args.from, args.to, MAX_QUERY_DAYS);
      return ctx.db.shift.findMany({
        where: { plantId: requireId(args.plantId, "plantId"), startsAt: { gte: args.from, lt: args.to } },
        orderBy: { startsAt: "asc" },
      });
    },
    shiftAt: (_: unknown, args: { plantId: string; at: Date }, ctx: ShiftsContext) =>
      ctx.db.shift.findFirst({
        where: { plantId: requireId(args.plantId, "plantId"), startsAt: { lte: args.at }, endsAt: { gt: args.at } },
        orderBy: { startsAt: "desc" },
      }),
    crews: (_: unknown, { plantId }: { plantId: string }, ctx: ShiftsContext) =>
      ctx.db.crew.findMany({ where: { plantId: requireId(plantId, "plantId") }, orderBy: { name: "asc" } }),
    unacknowledgedHandovers: (_: unknown, { plantId }: { plantId: string }, ctx: ShiftsContext) =>
      ctx.db.handover.findMany({ where: { plantId: requireId(plantId, "plantId"), acknowledgedAt: null }, orderBy: { createdAt: "asc" } }),
  },
  Mutation: {
    ...attendanceResolvers.Mutation,
    createShiftPattern(_: unknown, args: { input: unknown }, ctx: ShiftsContext) {
      const { startTime, ...input } = parseInput(createPatternInput, args.input);
      const [h, m] = startTime.split(":").map(Number) as [number, number];
      return ctx.db.shiftPattern.create({ data: { ...input, organizationId: ctx.tenant.organizationId, startMinute: h * 60 + m } });
    },
    async generateShifts(_: unknown, args: { patternId: string; fromDate: Date; toDate: Date }, ctx: ShiftsContext) {
      const patternId = requireId(args.patternId, "patternId");
      if (args.toDate < args.fromDate) throw badUserInput("toDate must not be before fromDate", [{ field: "toDate", message: "must not be before fromDate" }]);
      const days = Math.round((args.toDate.getTime() - args.fromDate.getTime()) / DAY_MS) + 1;
      if (days > MAX_GENERATE_DAYS) throw badUserInput(`At most ${MAX_GENERATE_DAYS} days at once`, [{ field: "toDate", message: `at most ${MAX_GENERATE_DAYS} days after fromDate` }]);
      const pattern = await ctx.db.shiftPattern.findUnique({ where: { id: patternId } });
      if (!pattern) throw notFound("Shift pattern", patternId);
      const rows = Array.from({ length: days }, (_, i) => {
        const businessDate = new Date(args.fromDate.getTime() + i * DAY_MS);
        return { organizationId: pattern.organizationId, plantId: pattern.plantId, patternId, businessDate, ...shiftWindow(pattern, businessDate) };
      });
      await ctx.db.shift.createMany({ data: rows, skipDuplicates: true });
      return ctx.db.shift.findMany({
        where: { patternId, businessDate: { gte: args.fromDate, lte: args.toDate } },
        orderBy: { startsAt: "asc" },
      });
    },
    createCrew(_: unknown, args: { input: unknown }, ctx: ShiftsContext) {
      const { members, ...crew } = parseInput(createCrewInput, args.input);
      return ctx.db.crew.create({ data: { ...crew, organizationId: ctx.tenant.organizationId, members: { create: members } } });
    },
    async assignCrew(_: unknown, args: { shiftId: string; crewId: string; workCenterId?: string | null }, ctx: ShiftsContext) {
      const shiftId = requireId(args.shiftId, "shiftId");
      const crewId = requireId(args.crewId, "crewId");
      const workCenterId = args.workCenterId ? requireId(args.workCenterId, "workCenterId") : null;
      const [shift, crew] = await Promise.all([ctx.loaders.shift.load(shiftId), ctx.loaders.crew.load(crewId)]);
      if (!shift) throw notFound("Shift", shiftId);
      if (!crew) throw notFound("Crew", crewId);
      if (crew.plantId !== shift.plantId) throw badUserInput("The crew belongs to another plant than the shift", [{ field: "crewId", message: "crew of another plant" }]);
      return ctx.db.crewAssignment.create({ data: { organizationId: shift.organizationId, plantId: shift.plantId, shiftId, crewId, workCenterId } });
    },
    async logHandover(_: unknown, args: { input: unknown }, ctx: ShiftsContext) {
      const input = parseInput(logHandoverInput, args.input);
      const shift = await ctx.loaders.shift.load(input.shiftId);
      if (!shift) throw notFound("Shift", input.shiftId);
      return ctx.db.handover.create({ data: { ...input, organizationId: shift.organizationId, plantId: shift.plantId } });
    },
    async acknowledgeHandover(_: unknown, args: { id: string; acknowledgedBy: string }, ctx: ShiftsContext) {
      const id = requireId(args.id);
      const by = args.acknowledgedBy.trim();
      if (!by) throw badUserInput("acknowledgedBy must not be empty", [{ field: "acknowledgedBy", message: "must not be empty" }]);
      // Conditional update: of two people acknowledging at once, exactly one wins.
      const { count } = await ctx.db.handover.updateMany({ where: { id, acknowledgedAt: null }, data: { acknowledgedBy: by, acknowledgedAt: new Date() } });
      const handover = await ctx.db.handover.findUnique({ where: { id } });
      if (!handover) throw notFound("Handover", id);
      if (count === 0) throw conflict(`Handover ${id} was already acknowledged by ${handover.acknowledgedBy}`);
      return handover;
    },
  },
  ShiftPattern: {
    plant: (p: ShiftPattern) => plantRef(p.plantId),
    startTime: (p: ShiftPattern) => formatMinute(p.startMinute),
    breaks: (p: ShiftPattern) => p.breaks as unknown as ShiftBreak[],
  },
  Shift: {
    ...shiftAttendanceFields,
    __resolveReference: (r: { id: string }, ctx: ShiftsContext) => ctx.loaders.shift.load(r.id),
    plant: (s: Shift) => plantRef(s.plantId),
    pattern: (s: Shift, _: unknown, ctx: ShiftsContext) => ctx.loaders.pattern.load(s.patternId),
    name: async (s: Shift, _: unknown, ctx: ShiftsContext) => (await ctx.loaders.pattern.load(s.patternId))?.name ?? "",
    crewAssignments: (s: Shift, _: unknown, ctx: ShiftsContext) => ctx.loaders.assignmentsOfShift.load(s.id),
    handovers: (s: Shift, _: unknown, ctx: ShiftsContext) => ctx.loaders.handoversOfShift.load(s.id),
  },
  Crew: {
    plant: (c: { plantId: string }) => plantRef(c.plantId),
    members: (c: { id: string }, _: unknown, ctx: ShiftsContext) => ctx.loaders.membersOfCrew.load(c.id),
  },
  CrewAssignment: {
    shift: (a: CrewAssignment, _: unknown, ctx: ShiftsContext) => ctx.loaders.shift.load(a.shiftId),
    crew: (a: CrewAssignment, _: unknown, ctx: ShiftsContext) => ctx.loaders.crew.load(a.crewId),
    workCenter: (a: CrewAssignment) => entityRef("WorkCenter", a.workCenterId),
  },
  Handover: {
    shift: (h: Handover, _: unknown, ctx: ShiftsContext) => ctx.loaders.shift.load(h.shiftId),
  },
  Plant: {
    // Plants are owned by equipment; shifts knows them only by id.
    __resolveReference: (r: { id: string }) => ({ id: r.id }),
    currentShift: (p: { id: string }, _: unknown, ctx: ShiftsContext) => ctx.loaders.currentShiftOfPlant.load(p.id),
    shifts: (p: { id: string }, args: { from: Date; to: Date }, ctx: ShiftsContext) => {
      requireWindow(args.from, args.to, MAX_QUERY_DAYS);
      return ctx.db.shift.findMany({ where: { plantId: p.id, startsAt: { gte: args.from, lt: args.to } }, orderBy: { startsAt: "asc" } });
    },
  },
};

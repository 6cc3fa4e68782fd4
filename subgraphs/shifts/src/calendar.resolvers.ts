import { z } from "zod";
import { formatMinute, isTimeZone, parseInput, requireId, requireWindow, withTx, zId, zName, type InputShape } from "@mes/shared";
import type { CreateShiftPatternInput, Resolvers, ShiftBreakInput } from "./resolvers-types.generated.ts";
import type { PlantMapper } from "./mappers.ts";
import { found } from "./context.ts";
import {
  breakProblems,
  breakMinutes,
  breakWindows,
  createShiftPattern,
  generateShifts,
  MAX_QUERY_DAYS,
  patternBreaks,
  listPatterns,
  shiftAt,
  shiftsStarting,
} from "./calendar.ts";

const shiftBreakInput = z.object({
  startOffsetMinutes: z.number().int().min(0, "must be 0 or more"),
  durationMinutes: z.number().int().min(1, "must be at least 1 minute"),
} satisfies InputShape<ShiftBreakInput>);

const createPatternInput = z
  .object({
    plantId: zId,
    name: zName,
    timeZone: z.string().refine(isTimeZone, "must be an IANA time zone such as Europe/Berlin"),
    startTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a local time HH:MM"),
    durationMinutes: z
      .number()
      .int()
      .min(15, "must be at least 15 minutes")
      .max(24 * 60, "must be at most 24 hours"),
    breaks: z.array(shiftBreakInput),
  } satisfies InputShape<CreateShiftPatternInput>)
  .superRefine((p, ctx) => {
    for (const { index, message } of breakProblems(p.breaks, p.durationMinutes)) ctx.addIssue({ code: "custom", path: ["breaks", index], message });
  });

/** Plants are equipment's: shifts answers with the key, the gateway fetches the rest. */
const plantRef = (id: string): PlantMapper => ({ id });

export const calendarResolvers = {
  Query: {
    shiftPatterns: (_, { plantId }, ctx) => listPatterns(ctx.db, plantId != null ? requireId(plantId, "plantId") : null),
    shift: (_, { id }, ctx) => ctx.loaders.shift.load(requireId(id)),
    shifts: (_, args, ctx) => {
      requireWindow(args.from, args.to, MAX_QUERY_DAYS);
      return shiftsStarting(ctx.db, requireId(args.plantId, "plantId"), args.from, args.to, args.name ?? null);
    },
    shiftAt: (_, args, ctx) => shiftAt(ctx.db, requireId(args.plantId, "plantId"), args.at),
  },
  Mutation: {
    createShiftPattern: (_, args, ctx) => {
      const input = parseInput(createPatternInput, args.input);
      return withTx(ctx.db, (tx) => createShiftPattern(tx, ctx.tenant.organizationId, input));
    },
    generateShifts: (_, args, ctx) => {
      const patternId = requireId(args.patternId, "patternId");
      return withTx(ctx.db, (tx) => generateShifts(tx, patternId, args.fromDate, args.toDate));
    },
  },
  ShiftPattern: {
    plant: (p) => plantRef(p.plantId),
    startTime: (p) => formatMinute(p.startMinute),
    breaks: (p) => patternBreaks(p).map((b) => ({ ...b, startTime: formatMinute((p.startMinute + b.startOffsetMinutes) % (24 * 60)) })),
  },
  Shift: {
    __resolveReference: (r, ctx) => ctx.loaders.shift.load(r.id),
    plant: (s) => plantRef(s.plantId),
    pattern: async (s, _, ctx) => found(await ctx.loaders.pattern.load(s.patternId), "Shift pattern", s.patternId),
    name: async (s, _, ctx) => (await ctx.loaders.pattern.load(s.patternId))?.name ?? "",
    durationMinutes: (s) => Math.round((s.endsAt.getTime() - s.startsAt.getTime()) / 60_000),
    breakWindows: async (s, _, ctx) => {
      const pattern = await ctx.loaders.pattern.load(s.patternId);
      return pattern ? breakWindows(s, pattern, patternBreaks(pattern)) : [];
    },
    breakMinutes: async (s, _, ctx) => {
      const pattern = await ctx.loaders.pattern.load(s.patternId);
      return pattern ? Math.round(breakMinutes(breakWindows(s, pattern, patternBreaks(pattern)))) : 0;
    },
  },
  Plant: {
    // Plants are owned by equipment; shifts knows them only by id.
    __resolveReference: (r) => plantRef(r.id),
    currentShift: (p, _, ctx) => ctx.loaders.currentShiftOfPlant.load(p.id),
    shifts: (p, args, ctx) => {
      requireWindow(args.from, args.to, MAX_QUERY_DAYS);
      return shiftsStarting(ctx.db, p.id, args.from, args.to);
    },
  },
} satisfies Resolvers;

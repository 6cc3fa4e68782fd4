import { z } from "zod";
import { entityRef, parseInput, withTx, zId, type InputShape, clockNow } from "@mes/shared";
import type { ClockInInput, Resolvers, SetCoverageInput } from "./resolvers-types.generated.ts";
import type { WorkCenterMapper } from "./mappers.ts";
import { loadShift } from "./context.ts";
import { clockIn, clockOut, coverage, markAbsent, minutesLate, setCoverageRequirement } from "./attendance.ts";
import { zHappened } from "./instants.ts";

const person = z.string().trim().min(1, "must not be empty").max(128);

const clockInInput = z.object({
  shiftId: zId,
  personId: person,
  workCenterId: zId.nullish(),
  at: zHappened.nullish(),
} satisfies InputShape<ClockInInput>);

const coverageInput = z.object({
  plantId: zId,
  workCenterId: zId,
  requiredPeople: z.number().int().min(0, "must be 0 or more").max(10_000),
} satisfies InputShape<SetCoverageInput>);

/** Work centers are equipment's: shifts answers with the key. */
const workCenterRef = (id: string): WorkCenterMapper => ({ id });

export const attendanceResolvers = {
  Mutation: {
    async clockIn(_, args, ctx) {
      const input = parseInput(clockInInput, args.input);
      const shift = await loadShift(ctx, input.shiftId);
      return withTx(ctx.db, (tx) => clockIn(tx, shift, input, clockNow()));
    },
    async clockOut(_, args, ctx) {
      const personId = parseInput(person, args.personId, "personId");
      const at = args.at != null ? parseInput(zHappened, args.at, "at") : clockNow();
      const shift = await loadShift(ctx, args.shiftId);
      return withTx(ctx.db, (tx) => clockOut(tx, shift, personId, at));
    },
    async markAbsent(_, args, ctx) {
      const personId = parseInput(person, args.personId, "personId");
      const shift = await loadShift(ctx, args.shiftId);
      return withTx(ctx.db, (tx) => markAbsent(tx, shift, personId));
    },
    setCoverageRequirement: (_, args, ctx) => {
      const input = parseInput(coverageInput, args.input);
      return withTx(ctx.db, (tx) => setCoverageRequirement(tx, ctx.tenant.organizationId, input));
    },
  },
  Shift: {
    attendance: async (s, { status }, ctx) => {
      const rows = await ctx.loaders.attendanceOfShift.load(s.id);
      return status?.length ? rows.filter((a) => status.includes(a.status)) : rows;
    },
    coverage: async (s, _, ctx) => {
      const [requirements, attendance] = await Promise.all([ctx.loaders.coverageOfPlant.load(s.plantId), ctx.loaders.attendanceOfShift.load(s.id)]);
      return coverage(requirements, attendance, ctx.clock.now());
    },
  },
  Attendance: {
    workCenter: (a) => entityRef("WorkCenter", a.workCenterId),
    minutesLate: async (a, _, ctx) => {
      const shift = await ctx.loaders.shift.load(a.shiftId);
      return shift ? minutesLate(shift.startsAt, a.clockIn) : null;
    },
  },
  Coverage: {
    workCenter: (c) => workCenterRef(c.workCenterId),
  },
  CoverageRequirement: {
    workCenter: (c) => workCenterRef(c.workCenterId),
  },
} satisfies Resolvers;

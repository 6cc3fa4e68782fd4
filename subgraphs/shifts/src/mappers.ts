// Which TypeScript value stands behind each GraphQL type (what resolvers return and receive as
// parent), read by `pnpm codegen`: `export type XMapper` maps GraphQL type X. Mostly Prisma rows,
// so resolvers of computed fields (plant, pattern, breaks, work center) see the stored row.
import type { Attendance, CoverageRequirement, Crew, CrewAssignment, CrewMember, Handover, Shift, ShiftPattern } from "./generated/prisma/client.ts";

/** Stores the start as minutes after midnight and the breaks as JSON. */
export type ShiftPatternMapper = ShiftPattern;
export type ShiftMapper = Shift;
export type CrewMapper = Crew;
export type CrewMemberMapper = CrewMember;
export type CrewAssignmentMapper = CrewAssignment;
export type HandoverMapper = Handover;
export type AttendanceMapper = Attendance;
export type CoverageRequirementMapper = CoverageRequirement;

/** Coverage of one work center in one shift, computed from requirements and attendance. */
export interface CoverageMapper {
  workCenterId: string;
  required: number;
  present: number;
  short: number;
}

/** Plants are owned by equipment: shifts knows a plant by its key only. */
export interface PlantMapper {
  id: string;
}

/** Work centers are owned by equipment: a reference is their key only. */
export interface WorkCenterMapper {
  id: string;
}

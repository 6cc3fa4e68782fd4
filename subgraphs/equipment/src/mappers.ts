// Which TypeScript value stands behind each GraphQL type (what resolvers return and receive as
// parent), read by `pnpm codegen`: `export type XMapper` maps GraphQL type X. Mostly Prisma rows,
// so resolvers of computed fields (decimals, relations, durations) see the stored row.
import type {
  Area,
  Downtime,
  DowntimeReason,
  Machine,
  MachineState,
  MachineStatusChange,
  MaintenanceOrder,
  PmSchedule,
  Plant,
  WorkCenter,
} from "./generated/prisma/client.ts";

export type PlantMapper = Plant;
export type AreaMapper = Area;
export type WorkCenterMapper = WorkCenter;
export type MachineMapper = Machine;
/** A status interval is a MachineStatusChange row. */
export type MachineStatusIntervalMapper = MachineStatusChange;
export type DowntimeReasonMapper = DowntimeReason;
export type DowntimeMapper = Downtime;
export type PmScheduleMapper = PmSchedule;
export type MaintenanceOrderMapper = MaintenanceOrder;

/**
 * The shift as the gateway hands it over: its key plus the fields @requires asked shifts for.
 * Representations are plain JSON, so DateTimes arrive as ISO strings (not parsed by the scalar).
 */
export interface ShiftMapper {
  id: string;
  startsAt: string;
  endsAt: string;
  breakWindows?: { startsAt: string; endsAt: string }[];
  plant: { id: string };
}

/** What the subscription resolves each MachineStatusChanged event to: its payload and cursor. */
export interface MachineStatusEventMapper {
  cursor: string;
  machineId: string;
  from: MachineState;
  to: MachineState;
  reasonCode: string | null;
  actor: string;
  at: string;
}

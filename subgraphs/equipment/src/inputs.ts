// zod validation of the mutation inputs, each tied to the input type generated from the SDL: the
// shape must have exactly the fields of that type (an extra or a missing field, optional or not, is
// a compile error), each accepting only values of the field's GraphQL type.
import { z } from "zod";
import { isTimeZone, zCode, zDate, zId, zName, zQuantity, zText, type InputShape } from "@mes/shared";
import { PmTrigger } from "./generated/prisma/enums.ts";
import type {
  CreateAreaInput,
  CreateMachineInput,
  CreatePlantInput,
  CreatePmScheduleInput,
  CreateWorkCenterInput,
  LogDowntimeInput,
} from "./resolvers-types.generated.ts";

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
  idealCycleSeconds: zQuantity,
} satisfies InputShape<CreateMachineInput>);

/** A downtime reason code as a person types it (setMachineState's reasonCode, logDowntime's). */
export const reasonCode = z.string().trim().min(1, "must not be empty").max(64);

export const logDowntimeInput = z
  .object({ machineId: zId, reasonCode, startedAt: zDate, endedAt: zDate, note: zText.nullish() } satisfies InputShape<LogDowntimeInput>)
  .refine((v) => v.startedAt < v.endedAt, { path: ["endedAt"], message: "must be after startedAt" });

export const createPmScheduleInput = z.object({
  machineId: zId,
  name: zName,
  trigger: z.enum(PmTrigger),
  interval: z.number().finite().positive("must be greater than 0").max(1e9),
  startsAt: zDate.nullish(),
} satisfies InputShape<CreatePmScheduleInput>);

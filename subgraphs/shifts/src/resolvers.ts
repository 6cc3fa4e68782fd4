import { mergeResolvers, scalarResolvers } from "@mes/shared";
import type { Resolvers } from "./resolvers-types.generated.ts";
import { calendarResolvers } from "./calendar.resolvers.ts";
import { crewsResolvers } from "./crews.resolvers.ts";
import { handoversResolvers } from "./handovers.resolvers.ts";
import { attendanceResolvers } from "./attendance.resolvers.ts";

export const resolvers = mergeResolvers<Resolvers>(scalarResolvers, calendarResolvers, crewsResolvers, handoversResolvers, attendanceResolvers);

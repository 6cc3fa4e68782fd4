import { z } from "zod";
import { entityRef, notFound, parseInput, requireId, withTx, zId, zName, type InputShape } from "@mes/shared";
import type { CreateCrewInput, CrewMemberInput, Resolvers } from "./resolvers-types.generated.ts";
import { found } from "./context.ts";
import { assignCrew, createCrew, listCrews, repeatedIndex } from "./crews.ts";

const crewMemberInput = z.object({
  personId: z.string().trim().min(1, "must not be empty").max(128),
  displayName: zName,
  role: z.string().trim().min(1, "must not be empty").max(64),
} satisfies InputShape<CrewMemberInput>);

const createCrewInput = z
  .object({
    plantId: zId,
    name: zName,
    members: z.array(crewMemberInput).max(500, "at most 500 members"),
  } satisfies InputShape<CreateCrewInput>)
  .superRefine((c, ctx) => {
    // A person is a member of a crew once (the unique key would answer a bare CONFLICT).
    const index = repeatedIndex(c.members.map((m) => m.personId));
    if (index !== null) ctx.addIssue({ code: "custom", path: ["members", index, "personId"], message: "listed twice: a person is a member once" });
  });

export const crewsResolvers = {
  Query: {
    crews: (_, { plantId }, ctx) => listCrews(ctx.db, plantId != null ? requireId(plantId, "plantId") : null),
  },
  Mutation: {
    createCrew: (_, args, ctx) => {
      const input = parseInput(createCrewInput, args.input);
      return withTx(ctx.db, (tx) => createCrew(tx, ctx.tenant.organizationId, input));
    },
    async assignCrew(_, args, ctx) {
      const shiftId = requireId(args.shiftId, "shiftId");
      const crewId = requireId(args.crewId, "crewId");
      const workCenterId = args.workCenterId != null ? requireId(args.workCenterId, "workCenterId") : null;
      const [shift, crew] = await Promise.all([ctx.loaders.shift.load(shiftId), ctx.loaders.crew.load(crewId)]);
      if (!shift) throw notFound("Shift", shiftId);
      if (!crew) throw notFound("Crew", crewId);
      return withTx(ctx.db, (tx) => assignCrew(tx, shift, crew, workCenterId));
    },
  },
  Shift: {
    crewAssignments: (s, _, ctx) => ctx.loaders.assignmentsOfShift.load(s.id),
  },
  Crew: {
    plant: (c) => ({ id: c.plantId }),
    members: (c, _, ctx) => ctx.loaders.membersOfCrew.load(c.id),
  },
  CrewAssignment: {
    shift: async (a, _, ctx) => found(await ctx.loaders.shift.load(a.shiftId), "Shift", a.shiftId),
    crew: async (a, _, ctx) => found(await ctx.loaders.crew.load(a.crewId), "Crew", a.crewId),
    workCenter: (a) => entityRef("WorkCenter", a.workCenterId),
  },
} satisfies Resolvers;

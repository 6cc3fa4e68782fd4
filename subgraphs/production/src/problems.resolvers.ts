import { paginate, parseInput, requireId, withTx } from "@mes/shared";
import type { Resolvers } from "./resolvers-types.generated.ts";
import { loadReferenced } from "./context.ts";
import { requiredText } from "./inputs.ts";
import { advanceProblem, reportProblem, reportProblemInput } from "./problems.ts";

export const problemsResolvers = {
  Query: {
    problemReports: (_, args, ctx) => {
      const where = { plantId: requireId(args.plantId, "plantId"), ...(args.status?.length ? { status: { in: args.status } } : {}) };
      return paginate(
        args,
        (w) => ctx.db.problemReport.findMany({ where, orderBy: [{ reportedAt: "desc" }, { id: "asc" }], ...w }),
        () => ctx.db.problemReport.count({ where }),
      );
    },
  },
  Mutation: {
    reportProblem: (_, a, ctx) => {
      const input = parseInput(reportProblemInput, a.input);
      return withTx(ctx.db, (tx) => reportProblem(tx, input, ctx.actor));
    },
    acknowledgeProblem: (_, a, ctx) => {
      const id = requireId(a.id);
      return withTx(ctx.db, (tx) => advanceProblem(tx, id, "ACKNOWLEDGED", ctx.actor));
    },
    resolveProblem: (_, a, ctx) => {
      const resolution = requiredText(a.resolution, "resolution");
      const id = requireId(a.id);
      return withTx(ctx.db, (tx) => advanceProblem(tx, id, "RESOLVED", ctx.actor, resolution));
    },
  },
  ProblemReport: {
    operation: (p, _, ctx) => loadReferenced(ctx.loaders.operation, "Operation", p.operationId),
  },
} satisfies Resolvers;

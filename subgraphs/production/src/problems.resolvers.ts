import { orderByOf, paginate, parseInput, requireId, withTx } from "@mes/shared";
import type { Resolvers } from "./resolvers-types.generated.ts";
import { loadReferenced } from "./context.ts";
import { optionalWindow, requiredText } from "./inputs.ts";
import { advanceProblem, reportProblem, reportProblemInput } from "./problems.ts";

/** Columns of ProblemReportOrderField; left out, newest first. */
const PROBLEM_ORDER = { REPORTED_AT: "reportedAt", STATUS: "status", KIND: "kind" } as const;

export const problemsResolvers = {
  Query: {
    problemReports: (_, args, ctx) => {
      optionalWindow(args.from, args.to, "to");
      const where = {
        ...(args.plantId != null ? { plantId: requireId(args.plantId, "plantId") } : {}),
        ...(args.status?.length ? { status: { in: args.status } } : {}),
        ...(args.from || args.to ? { reportedAt: { ...(args.from ? { gte: args.from } : {}), ...(args.to ? { lt: args.to } : {}) } } : {}),
      };
      const orderBy = orderByOf(args.orderBy, PROBLEM_ORDER, [{ reportedAt: "desc" }]);
      return paginate(
        args,
        (w) => ctx.db.problemReport.findMany({ where, orderBy, ...w }),
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

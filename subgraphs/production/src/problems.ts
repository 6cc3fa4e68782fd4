import { z } from "zod";
import { conflict, notFound, zId, zText, type InputShape, clockNow } from "@mes/shared";
import { ProblemKind, type ProblemReport } from "./generated/prisma/client.ts";
import type { ReportProblemInput } from "./resolvers-types.generated.ts";
import type { ProductionTx } from "./context.ts";
import { lockOperation } from "./operations.ts";

export const reportProblemInput = z.object({
  operationId: zId,
  kind: z.enum(ProblemKind),
  description: zText,
} satisfies InputShape<ReportProblemInput>);

/** Opens a problem report on an operation (locked through its work order). */
export async function reportProblem(tx: ProductionTx, input: z.output<typeof reportProblemInput>, actor: string): Promise<ProblemReport> {
  const { op } = await lockOperation(tx, input.operationId);
  return tx.problemReport.create({ data: { ...input, organizationId: op.organizationId, plantId: op.plantId, reportedBy: actor } });
}

/** OPEN -> ACKNOWLEDGED -> RESOLVED, each step once: a conditional update, so racing clicks agree. */
export async function advanceProblem(
  tx: ProductionTx,
  id: string,
  to: "ACKNOWLEDGED" | "RESOLVED",
  actor: string,
  resolution?: string,
): Promise<ProblemReport> {
  const from = to === "ACKNOWLEDGED" ? ["OPEN" as const] : ["OPEN" as const, "ACKNOWLEDGED" as const];
  const now = clockNow();
  const data =
    to === "ACKNOWLEDGED"
      ? { status: to, acknowledgedBy: actor, acknowledgedAt: now }
      : { status: to, resolvedBy: actor, resolvedAt: now, resolution: resolution ?? null };
  const { count } = await tx.problemReport.updateMany({ where: { id, status: { in: from } }, data });
  const report = await tx.problemReport.findUnique({ where: { id } });
  if (!report) throw notFound("Problem report", id);
  if (count === 0) throw conflict(`Problem report ${id} is ${report.status}; it cannot become ${to}`);
  return report;
}

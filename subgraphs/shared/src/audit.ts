import { paginate, type PageArgs } from "./pagination.ts";
import { requireWindow } from "./measures.ts";
import { orderByOf, type OrderArg } from "./sorting.ts";

const AUDIT_ORDER = { AT: "at", ENTITY: "entity", ACTOR: "actor", ACTION: "action" } as const;

export interface AuditLogArgs extends PageArgs {
  entity?: string | null;
  entityId?: string | null;
  from?: Date | null;
  to?: Date | null;
  orderBy?: OrderArg<keyof typeof AUDIT_ORDER> | null;
}

interface AuditRow {
  id: bigint;
}

/** What a subgraph's Prisma client offers for its AuditLog table. */
interface AuditLogDb {
  auditLog: {
    findMany(args: object): Promise<AuditRow[]>;
    count(args: object): Promise<number>;
  };
}

/**
 * `<subgraph>AuditLog`: the audit trail newest first unless `orderBy` says otherwise, through the
 * request's tenant-scoped client (so an administrator sees only their organization's entries). A
 * list has no span limit: paging bounds the work.
 */
export async function auditLogPage(db: AuditLogDb, args: AuditLogArgs) {
  if (args.from && args.to) requireWindow(args.from, args.to, Number.POSITIVE_INFINITY);
  const where = {
    ...(args.entity ? { entity: args.entity } : {}),
    ...(args.entityId ? { entityId: args.entityId } : {}),
    ...(args.from || args.to ? { at: { ...(args.from ? { gte: args.from } : {}), ...(args.to ? { lt: args.to } : {}) } } : {}),
  };
  return paginate(
    args,
    (w) => db.auditLog.findMany({ where, orderBy: orderByOf(args.orderBy, AUDIT_ORDER, [{ id: "desc" }]), ...w }),
    () => db.auditLog.count({ where }),
  );
}

export const auditEntryResolvers = {
  AuditEntry: { id: (row: AuditRow) => row.id.toString() },
};

// Reads of the audit log and the gateway nodes for the manager and the Admin API.

import { type Db, getDb } from "../client.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { ListQuery, Page } from "../schemas/config.ts";
import { type Actor, auditJson, contains, listArgs, type MutationAudit, pageOf } from "./common.ts";

export interface AuditEntryView {
  id: string;
  ts: Date;
  actorType: "USER" | "ADMIN_TOKEN" | "SYSTEM" | "GATEWAY";
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
  ip: string | null;
}

export interface AuditFilter {
  entityType?: string;
  entityId?: string;
  actorId?: string;
  action?: string;
  from?: Date;
  to?: Date;
}

export async function listAuditLog(query?: ListQuery & AuditFilter, db: Db = getDb()): Promise<Page<AuditEntryView>> {
  const a = listArgs({ order: "desc", ...query }, ["ts", "action", "entityType"], "ts");
  const where: Prisma.AuditLogWhereInput = {
    ...(a.q
      ? { OR: [{ action: contains(a.q) }, { actorLabel: contains(a.q) }, { entityId: a.q }, { entityType: contains(a.q) }] }
      : {}),
    ...(query?.entityType ? { entityType: query.entityType } : {}),
    ...(query?.entityId ? { entityId: query.entityId } : {}),
    ...(query?.actorId ? { actorId: query.actorId } : {}),
    ...(query?.action ? { action: { startsWith: query.action } } : {}),
    ...(query?.from || query?.to
      ? { ts: { ...(query.from ? { gte: query.from } : {}), ...(query.to ? { lt: query.to } : {}) } }
      : {}),
  };
  const [rows, total] = await Promise.all([
    db.auditLog.findMany({ where, orderBy: [{ [a.sort]: a.order }, { id: a.order }], skip: a.skip, take: a.take }),
    db.auditLog.count({ where }),
  ]);
  return pageOf(
    rows.map((r) => ({ ...r, id: r.id.toString(), before: r.before ?? null, after: r.after ?? null })),
    total,
    a,
  );
}

/** The entity types that appear in the log (filter options). */
export async function listAuditEntityTypes(db: Db = getDb()): Promise<string[]> {
  const rows = await db.auditLog.groupBy({ by: ["entityType"], orderBy: { entityType: "asc" } });
  return rows.map((r) => r.entityType);
}

export interface GatewayNodeView {
  id: string;
  hostname: string | null;
  softwareVersion: string | null;
  appliedVersion: number;
  startedAt: Date;
  heartbeatAt: Date;
  /** target health and breaker states as the node last reported them (shape owned by the gateway) */
  health: unknown;
  lastError: string | null;
}

export async function listGatewayNodesWithHealth(db: Db = getDb(), opts: { limit?: number } = {}): Promise<GatewayNodeView[]> {
  const rows = await db.gatewayNode.findMany({ orderBy: { heartbeatAt: "desc" }, take: opts.limit ?? 100 });
  return rows.map((r) => ({ ...r, appliedVersion: Number(r.appliedVersion), health: r.health ?? null }));
}

/**
 * An audit entry for an operation that changes no configuration (a cache purge, a provider connection test): written
 * on its own, without a config version bump. `after` is stripped of secrets like every audit snapshot.
 */
export async function recordAdminOperation(entry: MutationAudit, actor: Actor, db: Db = getDb()): Promise<void> {
  await db.auditLog.create({
    data: {
      actorType: actor.type,
      actorId: actor.id ?? null,
      actorLabel: actor.label ?? null,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId ?? null,
      before: auditJson(entry.before) ?? undefined,
      after: auditJson(entry.after) ?? undefined,
      ip: actor.ip ?? null,
    },
  });
}

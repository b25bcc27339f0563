// Every config write runs through `writeConfig`: the mutation, the version bump and the audit entry commit together,
// and a NOTIFY tells gateways at once (LISTEN sluice_config). Polling `getConfigVersion` is the safety net.

import type { Db } from "./client.ts";
import type { Prisma } from "./generated/prisma/client.ts";

export const CONFIG_CHANNEL = "sluice_config";

export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

export interface AuditInput {
  actorType: "USER" | "ADMIN_TOKEN" | "SYSTEM" | "GATEWAY";
  actorId?: string | null;
  actorLabel?: string | null;
  action: string;
  entityType: string;
  entityId?: string | null;
  before?: Prisma.InputJsonValue | null;
  after?: Prisma.InputJsonValue | null;
  ip?: string | null;
}

export async function bumpConfigVersion(tx: Tx): Promise<bigint> {
  const rows = await tx.$queryRaw<Array<{ version: bigint }>>`
    INSERT INTO config_state (id, version, "updatedAt") VALUES (1, 1, now())
    ON CONFLICT (id) DO UPDATE SET version = config_state.version + 1, "updatedAt" = now()
    RETURNING version`;
  const version = rows[0]?.version ?? 0n;
  await tx.$executeRawUnsafe(`SELECT pg_notify('${CONFIG_CHANNEL}', $1)`, version.toString());
  return version;
}

/** Run a config mutation, bump the version and write the audit entry in one transaction. */
export async function writeConfig<T>(
  db: Db,
  audit: AuditInput | null,
  fn: (tx: Tx) => Promise<T>,
  /** transaction limits for large writes (a whole declarative import); Prisma's defaults otherwise */
  options: { timeout?: number; maxWait?: number } = {},
): Promise<{ result: T; version: bigint }> {
  return db.$transaction(async (tx) => {
    const result = await fn(tx);
    const version = await bumpConfigVersion(tx);
    if (audit) {
      await tx.auditLog.create({
        data: {
          actorType: audit.actorType,
          actorId: audit.actorId ?? null,
          actorLabel: audit.actorLabel ?? null,
          action: audit.action,
          entityType: audit.entityType,
          entityId: audit.entityId ?? null,
          before: audit.before ?? undefined,
          after: audit.after ?? undefined,
          ip: audit.ip ?? null,
        },
      });
    }
    return { result, version };
  }, options);
}

export async function getConfigVersion(db: Db): Promise<bigint> {
  const row = await db.configState.findUnique({ where: { id: 1 } });
  return row?.version ?? 0n;
}

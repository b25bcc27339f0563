// Policies: typed, ordered, attached to one scope. The config is validated with the type's zod schema (the same one
// the gateway applies to its snapshot) and stored in its parsed form, so an invalid regex never reaches a gateway.

import { type Db, getDb } from "../client.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { newId } from "../ids.ts";
import {
  type ListQuery,
  type Page,
  type PolicyCreateInput,
  PolicyCreateSchema,
  type PolicyUpdateInput,
  PolicyUpdateSchema,
} from "../schemas/config.ts";
import { type PolicyScope, parsePolicyConfig } from "../schemas/index.ts";
import {
  type Actor,
  ConfigError,
  contains,
  listArgs,
  mutate,
  notFound,
  pageOf,
  parseInput,
  parseUpdate,
  type Tx,
} from "./common.ts";

export interface PolicyView {
  id: string;
  name: string;
  type: string;
  scope: PolicyScope;
  routeId: string | null;
  groupId: string | null;
  consumerId: string | null;
  apiKeyId: string | null;
  teamId: string | null;
  /** the name of what the policy is attached to (route, group, consumer, key or team) */
  attachedTo: string | null;
  position: number;
  enabled: boolean;
  config: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

const include = {
  route: { select: { name: true } },
  group: { select: { name: true } },
  consumer: { select: { name: true } },
  apiKey: { select: { name: true, start: true } },
  team: { select: { name: true } },
} satisfies Prisma.PolicyInclude;

type PolicyRow = Prisma.PolicyGetPayload<{ include: typeof include }>;

function view(p: PolicyRow): PolicyView {
  return {
    id: p.id,
    name: p.name,
    type: p.type,
    scope: p.scope,
    routeId: p.routeId,
    groupId: p.groupId,
    consumerId: p.consumerId,
    apiKeyId: p.apiKeyId,
    teamId: p.teamId,
    attachedTo:
      p.route?.name ??
      p.group?.name ??
      p.consumer?.name ??
      (p.apiKey ? `${p.apiKey.name} (${p.apiKey.start}…)` : null) ??
      p.team?.name ??
      null,
    position: p.position,
    enabled: p.enabled,
    config: p.config as Record<string, unknown>,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

export async function listPolicies(
  query?: ListQuery & { type?: string; scope?: string; routeId?: string },
  db: Db = getDb(),
): Promise<Page<PolicyView>> {
  const a = listArgs(query, ["position", "name", "type", "scope", "createdAt"], "position");
  const where: Prisma.PolicyWhereInput = {
    ...(a.q ? { name: contains(a.q) } : {}),
    ...(query?.type ? { type: query.type } : {}),
    ...(query?.scope ? { scope: query.scope as PolicyScope } : {}),
    ...(query?.routeId ? { routeId: query.routeId } : {}),
  };
  const [rows, total] = await Promise.all([
    db.policy.findMany({
      where,
      include,
      orderBy: [{ [a.sort]: a.order }, { name: "asc" }],
      skip: a.skip,
      take: a.take,
    }),
    db.policy.count({ where }),
  ]);
  return pageOf(rows.map(view), total, a);
}

export async function getPolicyOrThrow(id: string, db: Db | Tx = getDb()): Promise<PolicyView> {
  const row = await db.policy.findUnique({ where: { id }, include });
  if (!row) throw notFound("policy", id);
  return view(row);
}

function parsedConfig(type: string, config: unknown): Prisma.InputJsonValue {
  const r = parsePolicyConfig(type, config);
  if (!r.success) throw new ConfigError("invalid", "invalid policy config");
  return r.data as Prisma.InputJsonValue;
}

const ATTACHMENTS = ["routeId", "groupId", "consumerId", "apiKeyId", "teamId"] as const;

export async function createPolicy(
  input: PolicyCreateInput,
  actor: Actor,
  db: Db = getDb(),
  opts: { id?: string } = {},
): Promise<PolicyView> {
  const p = parseInput(PolicyCreateSchema, input);
  return mutate(db, actor, async (tx) => {
    const row = await tx.policy.create({
      data: {
        id: opts.id ?? newId("policy"),
        name: p.name,
        type: p.type,
        scope: p.scope,
        ...Object.fromEntries(ATTACHMENTS.map((k) => [k, p[k] ?? null])),
        position: p.position,
        enabled: p.enabled,
        config: parsedConfig(p.type, p.config),
      },
      include,
    });
    const after = view(row);
    return { result: after, audit: { action: "policy.create", entityType: "policy", entityId: row.id, after } };
  });
}

export async function updatePolicy(id: string, input: PolicyUpdateInput, actor: Actor, db: Db = getDb()): Promise<PolicyView> {
  const p = parseUpdate(PolicyUpdateSchema, input);
  return mutate(db, actor, async (tx) => {
    const before = await getPolicyOrThrow(id, tx);
    const scopeChanged = p.scope !== undefined && p.scope !== before.scope;
    // the merged policy is validated whole: a new scope needs its attachment, a new type a config of that type
    const merged = parseInput(PolicyCreateSchema, {
      name: p.name ?? before.name,
      type: p.type ?? before.type,
      scope: p.scope ?? before.scope,
      ...Object.fromEntries(ATTACHMENTS.map((k) => [k, p[k] !== undefined ? p[k] : scopeChanged ? null : before[k]])),
      position: p.position ?? before.position,
      enabled: p.enabled ?? before.enabled,
      config: p.config !== undefined ? p.config : before.config,
    });
    const row = await tx.policy.update({
      where: { id },
      data: {
        name: merged.name,
        type: merged.type,
        scope: merged.scope,
        ...Object.fromEntries(ATTACHMENTS.map((k) => [k, merged[k] ?? null])),
        position: merged.position,
        enabled: merged.enabled,
        config: parsedConfig(merged.type, merged.config),
      },
      include,
    });
    const after = view(row);
    return { result: after, audit: { action: "policy.update", entityType: "policy", entityId: id, before, after } };
  });
}

export async function setPolicyEnabled(id: string, enabled: boolean, actor: Actor, db: Db = getDb()) {
  return updatePolicy(id, { enabled }, actor, db);
}

/** Set the order of policies: the given ids get positions 0, 10, 20 … in one version bump. */
export async function reorderPolicies(ids: string[], actor: Actor, db: Db = getDb()): Promise<void> {
  await mutate(db, actor, async (tx) => {
    const before = await tx.policy.findMany({ where: { id: { in: ids } }, select: { id: true, position: true } });
    if (before.length !== new Set(ids).size) throw new ConfigError("invalid", "unknown policy id in the new order");
    for (const [i, id] of ids.entries()) await tx.policy.update({ where: { id }, data: { position: i * 10 } });
    return {
      result: undefined,
      audit: {
        action: "policy.reorder",
        entityType: "policy",
        before: before.map((p) => ({ id: p.id, position: p.position })),
        after: ids.map((id, i) => ({ id, position: i * 10 })),
      },
    };
  });
}

export async function deletePolicy(id: string, actor: Actor, db: Db = getDb()): Promise<void> {
  await mutate(db, actor, async (tx) => {
    const before = await getPolicyOrThrow(id, tx);
    await tx.policy.delete({ where: { id } });
    return { result: undefined, audit: { action: "policy.delete", entityType: "policy", entityId: id, before } };
  });
}

/** Move one policy a place up or down in the overall order (everything renumbered, one version bump). */
export async function movePolicy(id: string, direction: "up" | "down", actor: Actor, db: Db = getDb()): Promise<void> {
  const ids = (await db.policy.findMany({ select: { id: true }, orderBy: [{ position: "asc" }, { name: "asc" }] })).map(
    (p) => p.id,
  );
  const i = ids.indexOf(id);
  if (i < 0) throw notFound("policy", id);
  const j = direction === "up" ? i - 1 : i + 1;
  if (j < 0 || j >= ids.length) return;
  [ids[i], ids[j]] = [ids[j] as string, ids[i] as string];
  await reorderPolicies(ids, actor, db);
}

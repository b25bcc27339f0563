// Routes with their targets and allowed consumer groups, always written together so a gateway never sees a route
// half-edited. Targets keep their ids across edits (usage, rules and budgets refer to them).

import { type Db, getDb } from "../client.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { newId } from "../ids.ts";
import {
  type ListQuery,
  type Page,
  type RouteCreateInput,
  RouteCreateSchema,
  type RouteUpdateInput,
  RouteUpdateSchema,
  type TargetInputSchema,
} from "../schemas/config.ts";
import type { RouteBalancer, RouteOptions, RouteRetry, TargetOptions } from "../schemas/route.ts";
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

export interface TargetView {
  id: string;
  providerId: string;
  providerName: string;
  model: string;
  alias: string | null;
  weight: number;
  priority: number;
  description: string | null;
  options: TargetOptions;
  position: number;
  enabled: boolean;
}

export interface RouteView {
  id: string;
  name: string;
  description: string | null;
  paths: string[];
  type: "chat" | "completions" | "embeddings" | "native";
  nativeFormat: string | null;
  balancer: RouteBalancer;
  retry: RouteRetry;
  options: RouteOptions;
  enabled: boolean;
  targets: TargetView[];
  allowedGroups: Array<{ id: string; name: string }>;
  createdAt: Date;
  updatedAt: Date;
}

const include = {
  targets: { orderBy: { position: "asc" }, include: { provider: { select: { name: true } } } },
  allowedGroups: { include: { group: { select: { id: true, name: true } } } },
} satisfies Prisma.RouteInclude;

type RouteRow = Prisma.RouteGetPayload<{ include: typeof include }>;

function view(r: RouteRow): RouteView {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    paths: r.paths,
    type: r.type,
    nativeFormat: r.nativeFormat,
    balancer: r.balancer as RouteBalancer,
    retry: r.retry as RouteRetry,
    options: r.options as RouteOptions,
    enabled: r.enabled,
    targets: r.targets.map((t) => ({
      id: t.id,
      providerId: t.providerId,
      providerName: t.provider.name,
      model: t.model,
      alias: t.alias,
      weight: t.weight,
      priority: t.priority,
      description: t.description,
      options: t.options as TargetOptions,
      position: t.position,
      enabled: t.enabled,
    })),
    allowedGroups: r.allowedGroups.map((g) => g.group).sort((a, b) => a.name.localeCompare(b.name)),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

export async function listRoutes(
  query?: ListQuery & { type?: string; enabled?: boolean },
  db: Db = getDb(),
): Promise<Page<RouteView>> {
  const a = listArgs(query, ["name", "type", "createdAt", "updatedAt"], "name");
  const where: Prisma.RouteWhereInput = {
    ...(a.q ? { OR: [{ name: contains(a.q) }, { paths: { has: a.q } }, { description: contains(a.q) }] } : {}),
    ...(query?.type ? { type: query.type as never } : {}),
    ...(query?.enabled !== undefined ? { enabled: query.enabled } : {}),
  };
  const [rows, total] = await Promise.all([
    db.route.findMany({ where, include, orderBy: { [a.sort]: a.order }, skip: a.skip, take: a.take }),
    db.route.count({ where }),
  ]);
  return pageOf(rows.map(view), total, a);
}

export async function listRouteOptions(db: Db = getDb()): Promise<Array<{ id: string; name: string }>> {
  return db.route.findMany({ select: { id: true, name: true }, orderBy: { name: "asc" } });
}

export async function getRouteOrThrow(id: string, db: Db | Tx = getDb()): Promise<RouteView> {
  const row = await db.route.findUnique({ where: { id }, include });
  if (!row) throw notFound("route", id);
  return view(row);
}

async function checkReferences(tx: Tx, providerIds: string[], groupIds: string[]) {
  const [providers, groups] = await Promise.all([
    tx.provider.findMany({ where: { id: { in: providerIds } }, select: { id: true } }),
    tx.consumerGroup.findMany({ where: { id: { in: groupIds } }, select: { id: true } }),
  ]);
  const missingProvider = providerIds.find((id) => !providers.some((p) => p.id === id));
  if (missingProvider)
    throw new ConfigError("invalid", `provider ${missingProvider} does not exist`, { targets: ["unknown provider"] });
  const missingGroup = groupIds.find((id) => !groups.some((g) => g.id === id));
  if (missingGroup)
    throw new ConfigError("invalid", `group ${missingGroup} does not exist`, { allowedGroupIds: ["unknown group"] });
}

type ParsedTarget = ReturnType<typeof TargetInputSchema.parse>;

/** Replace a route's targets: keep ids that are given and still belong to it, create the rest, delete the missing. */
async function writeTargets(tx: Tx, routeId: string, targets: ParsedTarget[]) {
  const existing = await tx.target.findMany({ where: { routeId }, select: { id: true } });
  const existingIds = new Set(existing.map((t) => t.id));
  const keep = new Set(targets.map((t) => t.id).filter((id): id is string => Boolean(id && existingIds.has(id))));
  await tx.target.deleteMany({ where: { routeId, id: { notIn: [...keep] } } });
  for (const [position, t] of targets.entries()) {
    const data = {
      providerId: t.providerId,
      model: t.model,
      alias: t.alias ?? null,
      weight: t.weight,
      priority: t.priority,
      description: t.description ?? null,
      options: t.options as Prisma.InputJsonValue,
      position,
      enabled: t.enabled,
    };
    if (t.id && keep.has(t.id)) await tx.target.update({ where: { id: t.id }, data });
    else await tx.target.create({ data: { id: t.id && !existingIds.has(t.id) ? t.id : newId("target"), routeId, ...data } });
  }
}

async function writeAllowedGroups(tx: Tx, routeId: string, groupIds: string[]) {
  await tx.routeAllowedGroup.deleteMany({ where: { routeId } });
  if (groupIds.length)
    await tx.routeAllowedGroup.createMany({ data: [...new Set(groupIds)].map((groupId) => ({ routeId, groupId })) });
}

export async function createRoute(
  input: RouteCreateInput,
  actor: Actor,
  db: Db = getDb(),
  opts: { id?: string } = {},
): Promise<RouteView> {
  const r = parseInput(RouteCreateSchema, input);
  return mutate(db, actor, async (tx) => {
    await checkReferences(
      tx,
      r.targets.map((t) => t.providerId),
      r.allowedGroupIds,
    );
    const id = opts.id ?? newId("route");
    await tx.route.create({
      data: {
        id,
        name: r.name,
        description: r.description ?? null,
        paths: r.paths,
        type: r.type,
        nativeFormat: r.nativeFormat ?? null,
        balancer: r.balancer as Prisma.InputJsonValue,
        retry: r.retry as Prisma.InputJsonValue,
        options: r.options as Prisma.InputJsonValue,
        enabled: r.enabled,
      },
    });
    await writeTargets(tx, id, r.targets);
    await writeAllowedGroups(tx, id, r.allowedGroupIds);
    const after = await getRouteOrThrow(id, tx);
    return { result: after, audit: { action: "route.create", entityType: "route", entityId: id, after } };
  });
}

export async function updateRoute(id: string, input: RouteUpdateInput, actor: Actor, db: Db = getDb()): Promise<RouteView> {
  const r = parseUpdate(RouteUpdateSchema, input);
  return mutate(db, actor, async (tx) => {
    const before = await getRouteOrThrow(id, tx);
    const type = r.type ?? before.type;
    const nativeFormat = r.nativeFormat !== undefined ? r.nativeFormat : before.nativeFormat;
    if (type === "native" && !nativeFormat)
      throw new ConfigError("invalid", "a native route needs its wire format", { nativeFormat: ["required for native routes"] });
    await checkReferences(
      tx,
      (r.targets ?? []).map((t) => t.providerId),
      r.allowedGroupIds ?? [],
    );
    await tx.route.update({
      where: { id },
      data: {
        ...(r.name !== undefined ? { name: r.name } : {}),
        ...(r.description !== undefined ? { description: r.description ?? null } : {}),
        ...(r.paths !== undefined ? { paths: r.paths } : {}),
        ...(r.type !== undefined ? { type: r.type } : {}),
        ...(r.nativeFormat !== undefined ? { nativeFormat: r.nativeFormat ?? null } : {}),
        ...(r.balancer !== undefined ? { balancer: r.balancer as Prisma.InputJsonValue } : {}),
        ...(r.retry !== undefined ? { retry: r.retry as Prisma.InputJsonValue } : {}),
        ...(r.options !== undefined ? { options: r.options as Prisma.InputJsonValue } : {}),
        ...(r.enabled !== undefined ? { enabled: r.enabled } : {}),
      },
    });
    if (r.targets) await writeTargets(tx, id, r.targets);
    if (r.allowedGroupIds) await writeAllowedGroups(tx, id, r.allowedGroupIds);
    const after = await getRouteOrThrow(id, tx);
    return { result: after, audit: { action: "route.update", entityType: "route", entityId: id, before, after } };
  });
}

export async function setRouteEnabled(id: string, enabled: boolean, actor: Actor, db: Db = getDb()) {
  return updateRoute(id, { enabled }, actor, db);
}

export async function deleteRoute(id: string, actor: Actor, db: Db = getDb()): Promise<void> {
  await mutate(db, actor, async (tx) => {
    const before = await getRouteOrThrow(id, tx);
    await tx.route.delete({ where: { id } });
    return { result: undefined, audit: { action: "route.delete", entityType: "route", entityId: id, before } };
  });
}

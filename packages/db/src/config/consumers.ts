// Consumers (the applications that call the gateway), consumer groups (route ACLs, policies) and teams.

import { type Db, getDb } from "../client.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { newId } from "../ids.ts";
import {
  type ConsumerCreateInput,
  ConsumerCreateSchema,
  type ConsumerUpdateInput,
  ConsumerUpdateSchema,
  type GroupCreateInput,
  GroupCreateSchema,
  type GroupUpdateInput,
  GroupUpdateSchema,
  type ListQuery,
  type Page,
  type TeamCreateInput,
  TeamCreateSchema,
  type TeamUpdateInput,
  TeamUpdateSchema,
} from "../schemas/config.ts";
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

// ─── consumers ─────────────────────────────────────────────────────────────────────────────────────────────────

export interface ConsumerView {
  id: string;
  name: string;
  description: string | null;
  teamId: string | null;
  teamName: string | null;
  ownerUserId: string | null;
  metadata: Record<string, string | number | boolean>;
  disabled: boolean;
  groups: Array<{ id: string; name: string }>;
  activeKeyCount: number;
  createdAt: Date;
  updatedAt: Date;
}

const consumerInclude = {
  team: { select: { name: true } },
  groups: { include: { group: { select: { id: true, name: true } } } },
  _count: { select: { keys: { where: { status: "ACTIVE" } } } },
} satisfies Prisma.ConsumerInclude;

type ConsumerRow = Prisma.ConsumerGetPayload<{ include: typeof consumerInclude }>;

function consumerView(c: ConsumerRow): ConsumerView {
  return {
    id: c.id,
    name: c.name,
    description: c.description,
    teamId: c.teamId,
    teamName: c.team?.name ?? null,
    ownerUserId: c.ownerUserId,
    metadata: c.metadata as ConsumerView["metadata"],
    disabled: c.disabled,
    groups: c.groups.map((g) => g.group).sort((a, b) => a.name.localeCompare(b.name)),
    activeKeyCount: c._count.keys,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

export async function listConsumers(
  query?: ListQuery & { teamId?: string; groupId?: string },
  db: Db = getDb(),
): Promise<Page<ConsumerView>> {
  const a = listArgs(query, ["name", "createdAt", "updatedAt"], "name");
  const where: Prisma.ConsumerWhereInput = {
    ...(a.q ? { OR: [{ name: contains(a.q) }, { description: contains(a.q) }, { id: a.q }] } : {}),
    ...(query?.teamId ? { teamId: query.teamId } : {}),
    ...(query?.groupId ? { groups: { some: { groupId: query.groupId } } } : {}),
  };
  const [rows, total] = await Promise.all([
    db.consumer.findMany({ where, include: consumerInclude, orderBy: { [a.sort]: a.order }, skip: a.skip, take: a.take }),
    db.consumer.count({ where }),
  ]);
  return pageOf(rows.map(consumerView), total, a);
}

export async function listConsumerOptions(db: Db = getDb()): Promise<Array<{ id: string; name: string }>> {
  return db.consumer.findMany({ select: { id: true, name: true }, orderBy: { name: "asc" } });
}

export async function getConsumerOrThrow(id: string, db: Db | Tx = getDb()): Promise<ConsumerView> {
  const row = await db.consumer.findUnique({ where: { id }, include: consumerInclude });
  if (!row) throw notFound("consumer", id);
  return consumerView(row);
}

async function setConsumerGroups(tx: Tx, consumerId: string, groupIds: string[]) {
  const unique = [...new Set(groupIds)];
  const found = await tx.consumerGroup.count({ where: { id: { in: unique } } });
  if (found !== unique.length) throw new ConfigError("invalid", "unknown group", { groupIds: ["unknown group"] });
  await tx.consumerGroupMember.deleteMany({ where: { consumerId } });
  if (unique.length) await tx.consumerGroupMember.createMany({ data: unique.map((groupId) => ({ consumerId, groupId })) });
}

export async function createConsumer(
  input: ConsumerCreateInput,
  actor: Actor,
  db: Db = getDb(),
  opts: { id?: string } = {},
): Promise<ConsumerView> {
  const c = parseInput(ConsumerCreateSchema, input);
  return mutate(db, actor, async (tx) => {
    const id = opts.id ?? newId("consumer");
    await tx.consumer.create({
      data: {
        id,
        name: c.name,
        description: c.description ?? null,
        teamId: c.teamId ?? null,
        ownerUserId: c.ownerUserId ?? null,
        metadata: c.metadata,
        disabled: c.disabled,
      },
    });
    await setConsumerGroups(tx, id, c.groupIds);
    const after = await getConsumerOrThrow(id, tx);
    return { result: after, audit: { action: "consumer.create", entityType: "consumer", entityId: id, after } };
  });
}

export async function updateConsumer(
  id: string,
  input: ConsumerUpdateInput,
  actor: Actor,
  db: Db = getDb(),
): Promise<ConsumerView> {
  const c = parseUpdate(ConsumerUpdateSchema, input);
  return mutate(db, actor, async (tx) => {
    const before = await getConsumerOrThrow(id, tx);
    await tx.consumer.update({
      where: { id },
      data: {
        ...(c.name !== undefined ? { name: c.name } : {}),
        ...(c.description !== undefined ? { description: c.description ?? null } : {}),
        ...(c.teamId !== undefined ? { teamId: c.teamId ?? null } : {}),
        ...(c.ownerUserId !== undefined ? { ownerUserId: c.ownerUserId ?? null } : {}),
        ...(c.metadata !== undefined ? { metadata: c.metadata } : {}),
        ...(c.disabled !== undefined ? { disabled: c.disabled } : {}),
      },
    });
    if (c.groupIds) await setConsumerGroups(tx, id, c.groupIds);
    const after = await getConsumerOrThrow(id, tx);
    return { result: after, audit: { action: "consumer.update", entityType: "consumer", entityId: id, before, after } };
  });
}

export async function deleteConsumer(id: string, actor: Actor, db: Db = getDb()): Promise<void> {
  await mutate(db, actor, async (tx) => {
    const before = await getConsumerOrThrow(id, tx);
    await tx.consumer.delete({ where: { id } });
    return { result: undefined, audit: { action: "consumer.delete", entityType: "consumer", entityId: id, before } };
  });
}

// ─── groups ────────────────────────────────────────────────────────────────────────────────────────────────────

export interface GroupView {
  id: string;
  name: string;
  description: string | null;
  memberCount: number;
  routeCount: number;
  createdAt: Date;
}

const groupInclude = { _count: { select: { members: true, routes: true } } } as const;
type GroupRow = Prisma.ConsumerGroupGetPayload<{ include: typeof groupInclude }>;
const groupView = (g: GroupRow): GroupView => ({
  id: g.id,
  name: g.name,
  description: g.description,
  memberCount: g._count.members,
  routeCount: g._count.routes,
  createdAt: g.createdAt,
});

export async function listGroups(query?: ListQuery, db: Db = getDb()): Promise<Page<GroupView>> {
  const a = listArgs(query, ["name", "createdAt"], "name");
  const where: Prisma.ConsumerGroupWhereInput = a.q ? { OR: [{ name: contains(a.q) }, { description: contains(a.q) }] } : {};
  const [rows, total] = await Promise.all([
    db.consumerGroup.findMany({ where, include: groupInclude, orderBy: { [a.sort]: a.order }, skip: a.skip, take: a.take }),
    db.consumerGroup.count({ where }),
  ]);
  return pageOf(rows.map(groupView), total, a);
}

export async function listGroupOptions(db: Db = getDb()): Promise<Array<{ id: string; name: string }>> {
  return db.consumerGroup.findMany({ select: { id: true, name: true }, orderBy: { name: "asc" } });
}

export async function getGroupOrThrow(id: string, db: Db | Tx = getDb()): Promise<GroupView> {
  const row = await db.consumerGroup.findUnique({ where: { id }, include: groupInclude });
  if (!row) throw notFound("group", id);
  return groupView(row);
}

export async function createGroup(
  input: GroupCreateInput,
  actor: Actor,
  db: Db = getDb(),
  opts: { id?: string } = {},
): Promise<GroupView> {
  const g = parseInput(GroupCreateSchema, input);
  return mutate(db, actor, async (tx) => {
    const row = await tx.consumerGroup.create({
      data: { id: opts.id ?? newId("group"), name: g.name, description: g.description ?? null },
      include: groupInclude,
    });
    const after = groupView(row);
    return { result: after, audit: { action: "group.create", entityType: "group", entityId: row.id, after } };
  });
}

export async function updateGroup(id: string, input: GroupUpdateInput, actor: Actor, db: Db = getDb()): Promise<GroupView> {
  const g = parseUpdate(GroupUpdateSchema, input);
  return mutate(db, actor, async (tx) => {
    const before = await getGroupOrThrow(id, tx);
    const row = await tx.consumerGroup.update({
      where: { id },
      data: {
        ...(g.name !== undefined ? { name: g.name } : {}),
        ...(g.description !== undefined ? { description: g.description ?? null } : {}),
      },
      include: groupInclude,
    });
    const after = groupView(row);
    return { result: after, audit: { action: "group.update", entityType: "group", entityId: id, before, after } };
  });
}

export async function deleteGroup(id: string, actor: Actor, db: Db = getDb()): Promise<void> {
  await mutate(db, actor, async (tx) => {
    const before = await getGroupOrThrow(id, tx);
    await tx.consumerGroup.delete({ where: { id } });
    return { result: undefined, audit: { action: "group.delete", entityType: "group", entityId: id, before } };
  });
}

// ─── teams ─────────────────────────────────────────────────────────────────────────────────────────────────────

export interface TeamView {
  id: string;
  name: string;
  slug: string;
  description: string | null;
  userCount: number;
  consumerCount: number;
  createdAt: Date;
}

const teamInclude = { _count: { select: { users: true, consumers: true } } } as const;
type TeamRow = Prisma.TeamGetPayload<{ include: typeof teamInclude }>;
const teamView = (t: TeamRow): TeamView => ({
  id: t.id,
  name: t.name,
  slug: t.slug,
  description: t.description,
  userCount: t._count.users,
  consumerCount: t._count.consumers,
  createdAt: t.createdAt,
});

export async function listTeams(query?: ListQuery, db: Db = getDb()): Promise<Page<TeamView>> {
  const a = listArgs(query, ["name", "slug", "createdAt"], "name");
  const where: Prisma.TeamWhereInput = a.q ? { OR: [{ name: contains(a.q) }, { slug: contains(a.q) }] } : {};
  const [rows, total] = await Promise.all([
    db.team.findMany({ where, include: teamInclude, orderBy: { [a.sort]: a.order }, skip: a.skip, take: a.take }),
    db.team.count({ where }),
  ]);
  return pageOf(rows.map(teamView), total, a);
}

export async function listTeamOptions(db: Db = getDb()): Promise<Array<{ id: string; name: string }>> {
  return db.team.findMany({ select: { id: true, name: true }, orderBy: { name: "asc" } });
}

export async function getTeamOrThrow(id: string, db: Db | Tx = getDb()): Promise<TeamView> {
  const row = await db.team.findUnique({ where: { id }, include: teamInclude });
  if (!row) throw notFound("team", id);
  return teamView(row);
}

export async function createTeam(
  input: TeamCreateInput,
  actor: Actor,
  db: Db = getDb(),
  opts: { id?: string } = {},
): Promise<TeamView> {
  const t = parseInput(TeamCreateSchema, input);
  return mutate(db, actor, async (tx) => {
    const row = await tx.team.create({
      data: { id: opts.id ?? newId("team"), name: t.name, slug: t.slug, description: t.description ?? null },
      include: teamInclude,
    });
    const after = teamView(row);
    return { result: after, audit: { action: "team.create", entityType: "team", entityId: row.id, after } };
  });
}

export async function updateTeam(id: string, input: TeamUpdateInput, actor: Actor, db: Db = getDb()): Promise<TeamView> {
  const t = parseUpdate(TeamUpdateSchema, input);
  return mutate(db, actor, async (tx) => {
    const before = await getTeamOrThrow(id, tx);
    const row = await tx.team.update({
      where: { id },
      data: {
        ...(t.name !== undefined ? { name: t.name } : {}),
        ...(t.slug !== undefined ? { slug: t.slug } : {}),
        ...(t.description !== undefined ? { description: t.description ?? null } : {}),
      },
      include: teamInclude,
    });
    const after = teamView(row);
    return { result: after, audit: { action: "team.update", entityType: "team", entityId: id, before, after } };
  });
}

export async function deleteTeam(id: string, actor: Actor, db: Db = getDb()): Promise<void> {
  await mutate(db, actor, async (tx) => {
    const before = await getTeamOrThrow(id, tx);
    await tx.team.delete({ where: { id } });
    return { result: undefined, audit: { action: "team.delete", entityType: "team", entityId: id, before } };
  });
}

// Users and admin API tokens. Invites carry a one-time token (only its sha256 is stored); roles are set by admins;
// the last enabled admin can be neither demoted nor disabled. Admin tokens ("sat-sluice-…") are hashed like consumer
// keys, scoped, expirable and revocable.

import { type Db, getDb } from "../client.ts";
import { generateApiKey, sha256Hex } from "../crypto.ts";
import type { Prisma, Role } from "../generated/prisma/client.ts";
import { newId } from "../ids.ts";
import { hashPassword } from "../password.ts";
import { normalizeEmail } from "../queries/users.ts";
import {
  type AdminScope,
  type AdminTokenCreateInput,
  AdminTokenCreateSchema,
  type InviteAcceptInput,
  InviteAcceptSchema,
  type ListQuery,
  type Page,
  type UserInviteInput,
  UserInviteSchema,
  type UserUpdateInput,
  UserUpdateSchema,
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

// ─── users ─────────────────────────────────────────────────────────────────────────────────────────────────────

export interface UserView {
  id: string;
  email: string;
  name: string | null;
  roles: Role[];
  teamId: string | null;
  disabled: boolean;
  lastLoginAt: Date | null;
  createdAt: Date;
}

const userSelect = {
  id: true,
  email: true,
  name: true,
  roles: true,
  teamId: true,
  disabled: true,
  lastLoginAt: true,
  createdAt: true,
} satisfies Prisma.UserSelect;

export async function listUsers(query?: ListQuery & { role?: Role }, db: Db = getDb()): Promise<Page<UserView>> {
  const a = listArgs(query, ["email", "name", "createdAt", "lastLoginAt"], "email");
  const where: Prisma.UserWhereInput = {
    ...(a.q ? { OR: [{ email: contains(a.q) }, { name: contains(a.q) }] } : {}),
    ...(query?.role ? { roles: { has: query.role } } : {}),
  };
  const [rows, total] = await Promise.all([
    db.user.findMany({ where, select: userSelect, orderBy: { [a.sort]: a.order }, skip: a.skip, take: a.take }),
    db.user.count({ where }),
  ]);
  return pageOf(rows, total, a);
}

export async function getUserOrThrow(id: string, db: Db | Tx = getDb()): Promise<UserView> {
  const row = await db.user.findUnique({ where: { id }, select: userSelect });
  if (!row) throw notFound("user", id);
  return row;
}

export interface InviteView {
  id: string;
  email: string;
  roles: Role[];
  teamId: string | null;
  expiresAt: Date;
  acceptedAt: Date | null;
  createdAt: Date;
}

export interface IssuedInvite {
  invite: InviteView;
  /** shown once (put it in the invite link); only its sha256 is stored */
  token: string;
}

const inviteSelect = {
  id: true,
  email: true,
  roles: true,
  teamId: true,
  expiresAt: true,
  acceptedAt: true,
  createdAt: true,
} satisfies Prisma.UserInviteSelect;

export async function listInvites(query?: ListQuery & { pending?: boolean }, db: Db = getDb()): Promise<Page<InviteView>> {
  const a = listArgs(query, ["email", "createdAt", "expiresAt"], "createdAt");
  const where: Prisma.UserInviteWhereInput = {
    ...(a.q ? { email: contains(a.q) } : {}),
    ...(query?.pending ? { acceptedAt: null, expiresAt: { gt: new Date() } } : {}),
  };
  const [rows, total] = await Promise.all([
    db.userInvite.findMany({ where, select: inviteSelect, orderBy: { [a.sort]: a.order }, skip: a.skip, take: a.take }),
    db.userInvite.count({ where }),
  ]);
  return pageOf(rows, total, a);
}

export async function inviteUser(
  input: UserInviteInput,
  actor: Actor,
  db: Db = getDb(),
  now = new Date(),
): Promise<IssuedInvite> {
  const i = parseInput(UserInviteSchema, input);
  const { plaintext, hash } = generateApiKey("inv-sluice-");
  return mutate(db, actor, async (tx) => {
    const existing = await tx.user.findUnique({ where: { email: normalizeEmail(i.email) }, select: { id: true } });
    if (existing) throw new ConfigError("conflict", "a user with this e-mail exists already", { email: ["already a user"] });
    const invite = await tx.userInvite.create({
      data: {
        id: newId("invite"),
        email: normalizeEmail(i.email),
        roles: [...new Set(i.roles)],
        teamId: i.teamId ?? null,
        tokenHash: hash,
        expiresAt: new Date(now.getTime() + i.expiresInHours * 3_600_000),
        createdById: actor.type === "USER" ? (actor.id ?? null) : null,
      },
      select: inviteSelect,
    });
    return {
      result: { invite, token: plaintext },
      audit: { action: "user.invite", entityType: "invite", entityId: invite.id, after: invite },
    };
  });
}

export async function revokeInvite(id: string, actor: Actor, db: Db = getDb()): Promise<void> {
  await mutate(db, actor, async (tx) => {
    const before = await tx.userInvite.findUnique({ where: { id }, select: inviteSelect });
    if (!before) throw notFound("invite", id);
    await tx.userInvite.delete({ where: { id } });
    return { result: undefined, audit: { action: "user.invite_revoke", entityType: "invite", entityId: id, before } };
  });
}

/** Turn an invite token into a user with a password. Unknown, used and expired tokens all fail the same way. */
export async function acceptInvite(input: InviteAcceptInput, db: Db = getDb(), now = new Date()): Promise<UserView> {
  const a = parseInput(InviteAcceptSchema, input);
  const passwordHash = await hashPassword(a.password);
  const tokenHash = sha256Hex(a.token);
  return mutate(db, { type: "SYSTEM", label: "invite" }, async (tx) => {
    const invite = await tx.userInvite.findUnique({ where: { tokenHash }, omit: { tokenHash: true } });
    if (!invite || invite.acceptedAt || invite.expiresAt <= now)
      throw new ConfigError("invalid", "this invite link is invalid or has expired", { token: ["invalid or expired"] });
    const user = await tx.user.create({
      data: {
        id: newId("user"),
        email: invite.email,
        name: a.name ?? null,
        passwordHash,
        roles: invite.roles,
        teamId: invite.teamId,
        invitedById: invite.createdById,
      },
      select: userSelect,
    });
    await tx.userInvite.update({ where: { id: invite.id }, data: { acceptedAt: now } });
    return { result: user, audit: { action: "user.accept_invite", entityType: "user", entityId: user.id, after: user } };
  });
}

async function assertAnotherAdminRemains(tx: Tx, userId: string) {
  const others = await tx.user.count({ where: { id: { not: userId }, roles: { has: "ADMIN" }, disabled: false } });
  if (others === 0) throw new ConfigError("conflict", "this is the last enabled admin; make someone else an admin first");
}

/** Roles, name, team, disabled. An admin cannot take away their own admin role nor disable themselves. */
export async function updateUser(id: string, input: UserUpdateInput, actor: Actor, db: Db = getDb()): Promise<UserView> {
  const u = parseUpdate(UserUpdateSchema, input);
  return mutate(db, actor, async (tx) => {
    const before = await getUserOrThrow(id, tx);
    const losesAdmin = before.roles.includes("ADMIN") && u.roles !== undefined && !u.roles.includes("ADMIN");
    const disables = u.disabled === true && !before.disabled;
    if ((losesAdmin || disables) && actor.type === "USER" && actor.id === id)
      throw new ConfigError("forbidden", "you cannot remove your own admin access");
    if ((losesAdmin || disables) && before.roles.includes("ADMIN")) await assertAnotherAdminRemains(tx, id);
    const after = await tx.user.update({
      where: { id },
      data: {
        ...(u.name !== undefined ? { name: u.name ?? null } : {}),
        ...(u.roles !== undefined ? { roles: [...new Set(u.roles)] } : {}),
        ...(u.teamId !== undefined ? { teamId: u.teamId ?? null } : {}),
        ...(u.disabled !== undefined ? { disabled: u.disabled } : {}),
      },
      select: userSelect,
    });
    const action =
      u.disabled !== undefined && Object.keys(u).length === 1 ? (u.disabled ? "user.disable" : "user.enable") : "user.update";
    return { result: after, audit: { action, entityType: "user", entityId: id, before, after } };
  });
}

export const setUserRoles = (id: string, roles: Role[], actor: Actor, db: Db = getDb()) => updateUser(id, { roles }, actor, db);
export const setUserDisabled = (id: string, disabled: boolean, actor: Actor, db: Db = getDb()) =>
  updateUser(id, { disabled }, actor, db);

// ─── admin API tokens ──────────────────────────────────────────────────────────────────────────────────────────

export const ADMIN_TOKEN_PREFIX = "sat-sluice-";

export interface AdminTokenView {
  id: string;
  name: string;
  start: string;
  scopes: AdminScope[];
  status: "ACTIVE" | "REVOKED";
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  createdById: string | null;
  createdAt: Date;
  revokedAt: Date | null;
}

const tokenSelect = {
  id: true,
  name: true,
  start: true,
  scopes: true,
  status: true,
  expiresAt: true,
  lastUsedAt: true,
  createdById: true,
  createdAt: true,
  revokedAt: true,
} satisfies Prisma.AdminTokenSelect;

type TokenRow = Prisma.AdminTokenGetPayload<{ select: typeof tokenSelect }>;
const tokenView = (t: TokenRow): AdminTokenView => ({ ...t, scopes: t.scopes as AdminScope[] });

export async function listAdminTokens(query?: ListQuery & { status?: "ACTIVE" | "REVOKED" }, db: Db = getDb()) {
  const a = listArgs(query, ["name", "createdAt", "lastUsedAt"], "createdAt");
  const where: Prisma.AdminTokenWhereInput = {
    ...(a.q ? { name: contains(a.q) } : {}),
    ...(query?.status ? { status: query.status } : {}),
  };
  const [rows, total] = await Promise.all([
    db.adminToken.findMany({ where, select: tokenSelect, orderBy: { [a.sort]: a.order }, skip: a.skip, take: a.take }),
    db.adminToken.count({ where }),
  ]);
  return pageOf(rows.map(tokenView), total, a);
}

export async function createAdminToken(
  input: AdminTokenCreateInput,
  actor: Actor,
  db: Db = getDb(),
): Promise<{ token: AdminTokenView; plaintext: string }> {
  const t = parseInput(AdminTokenCreateSchema, input);
  const generated = generateApiKey(ADMIN_TOKEN_PREFIX);
  return mutate(db, actor, async (tx) => {
    const row = await tx.adminToken.create({
      data: {
        id: newId("adminToken"),
        name: t.name,
        hash: generated.hash,
        start: generated.start,
        scopes: [...new Set(t.scopes)],
        expiresAt: t.expiresAt ?? null,
        createdById: actor.type === "USER" ? (actor.id ?? null) : null,
      },
      select: tokenSelect,
    });
    const after = tokenView(row);
    return {
      result: { token: after, plaintext: generated.plaintext },
      audit: { action: "admin_token.create", entityType: "admin_token", entityId: row.id, after },
    };
  });
}

export async function revokeAdminToken(id: string, actor: Actor, db: Db = getDb(), now = new Date()): Promise<AdminTokenView> {
  return mutate(db, actor, async (tx) => {
    const row = await tx.adminToken.findUnique({ where: { id }, select: tokenSelect });
    if (!row) throw notFound("admin token", id);
    if (row.status === "REVOKED") throw new ConfigError("conflict", "the token is already revoked");
    const after = await tx.adminToken.update({ where: { id }, data: { status: "REVOKED", revokedAt: now }, select: tokenSelect });
    return {
      result: tokenView(after),
      audit: {
        action: "admin_token.revoke",
        entityType: "admin_token",
        entityId: id,
        before: tokenView(row),
        after: tokenView(after),
      },
    };
  });
}

const LAST_USED_EVERY_MS = 60_000;

/**
 * The active token for a presented plaintext, or null (unknown, revoked, expired). Records lastUsedAt at most once a
 * minute. This is a read path: it does not bump the config version.
 */
export async function authenticateAdminToken(
  plaintext: string,
  db: Db = getDb(),
  now = new Date(),
): Promise<AdminTokenView | null> {
  if (!plaintext.startsWith(ADMIN_TOKEN_PREFIX) || plaintext.length > 200) return null;
  const row = await db.adminToken.findUnique({ where: { hash: sha256Hex(plaintext) }, select: tokenSelect });
  if (row?.status !== "ACTIVE" || (row.expiresAt && row.expiresAt <= now)) return null;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_EVERY_MS) {
    await db.adminToken.update({ where: { id: row.id }, data: { lastUsedAt: now } }).catch(() => {});
  }
  return tokenView(row);
}

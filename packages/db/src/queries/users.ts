// Users and the manager overview (server only). The web app calls these named functions; it never imports Prisma.
// Every function takes the client last, defaulting to the process-wide one, so tests can pass their own database.

import { type Db, getDb } from "../client.ts";
import type { Role } from "../generated/prisma/client.ts";
import { newId } from "../ids.ts";
import { hashPassword } from "../password.ts";

export interface SignInUser {
  id: string;
  email: string;
  name: string | null;
  roles: Role[];
  disabled: boolean;
  /** the only place the hash is read; it never leaves the sign-in check */
  passwordHash: string | null;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The user for a credentials sign-in, with its password hash (omitted by default everywhere else). */
export async function findUserForSignIn(email: string, db: Db = getDb()): Promise<SignInUser | null> {
  return db.user.findUnique({
    where: { email: normalizeEmail(email) },
    select: { id: true, email: true, name: true, roles: true, disabled: true, passwordHash: true },
  });
}

export interface SessionUserRecord {
  id: string;
  email: string;
  name: string | null;
  roles: Role[];
  disabled: boolean;
}

/** The current state of a signed-in user (roles may have changed, the user may have been disabled). */
export async function findUserForSession(id: string, db: Db = getDb()): Promise<SessionUserRecord | null> {
  return db.user.findUnique({
    where: { id },
    select: { id: true, email: true, name: true, roles: true, disabled: true },
  });
}

export async function recordLogin(userId: string, db: Db = getDb(), at: Date = new Date()): Promise<void> {
  await db.user.update({ where: { id: userId }, data: { lastLoginAt: at } });
}

export interface CreateUserInput {
  email: string;
  name?: string | null;
  /** null for users who will only sign in through OIDC */
  password?: string | null;
  roles: Role[];
  teamId?: string | null;
}

export async function createUser(input: CreateUserInput, db: Db = getDb()): Promise<SessionUserRecord> {
  return db.user.create({
    data: {
      id: newId("user"),
      email: normalizeEmail(input.email),
      name: input.name ?? null,
      passwordHash: input.password ? await hashPassword(input.password) : null,
      roles: [...new Set(input.roles)],
      teamId: input.teamId ?? null,
    },
    select: { id: true, email: true, name: true, roles: true, disabled: true },
  });
}

export interface ConfigEntityCounts {
  providers: number;
  routes: number;
  consumers: number;
  /** active keys only; revoked keys are history */
  keys: number;
}

export async function countConfigEntities(db: Db = getDb()): Promise<ConfigEntityCounts> {
  const [providers, routes, consumers, keys] = await Promise.all([
    db.provider.count(),
    db.route.count(),
    db.consumer.count(),
    db.apiKey.count({ where: { status: "ACTIVE" } }),
  ]);
  return { providers, routes, consumers, keys };
}

export interface GatewayNodeRow {
  id: string;
  hostname: string | null;
  softwareVersion: string | null;
  /** config versions are small monotonic integers; plain numbers serialise to JSON */
  appliedVersion: number;
  startedAt: Date;
  heartbeatAt: Date;
  lastError: string | null;
}

/** Gateway nodes, most recent heartbeat first. */
export async function listGatewayNodes(db: Db = getDb(), opts: { limit?: number } = {}): Promise<GatewayNodeRow[]> {
  const rows = await db.gatewayNode.findMany({
    orderBy: { heartbeatAt: "desc" },
    take: opts.limit ?? 100,
    select: {
      id: true,
      hostname: true,
      softwareVersion: true,
      appliedVersion: true,
      startedAt: true,
      heartbeatAt: true,
      lastError: true,
    },
  });
  return rows.map((r) => ({ ...r, appliedVersion: Number(r.appliedVersion) }));
}

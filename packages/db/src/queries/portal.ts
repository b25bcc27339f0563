// The developer portal's data access (server only): self sign-up, the catalog a developer may call, and the
// developer's own applications (consumers with ownerUserId) and keys. Every function takes the acting user's id and
// puts it in the WHERE clause of every read and write (a developer can never name another developer's rows: they are
// simply not found). Config writes go through writeConfig (mutation + version bump + audit entry in one transaction),
// so gateways pick them up at once.
//
// Usage numbers (My usage) come from the analytics layer (./usage.ts, scoped by `ownerUserId`); the budget state of a
// developer's own keys and applications is read here.

import { z } from "zod";
import { type Db, getDb } from "../client.ts";
import { type Actor, auditJson, ConfigError, mutate, parseInput } from "../config/common.ts";
import { type Tx, writeConfig } from "../config-version.ts";
import { generateApiKey, sha256Hex } from "../crypto.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { newId } from "../ids.ts";
import { listPortalBudgets } from "./usage-budgets.ts";
import { createUser, normalizeEmail } from "./users.ts";

// ─── settings and sign-up ───────────────────────────────────────────────────────────────────────────────────────

export const PORTAL_SIGNUP_SETTING = "portal.signup";

export const PortalSignupSettingsSchema = z.object({
  enabled: z.boolean().default(false),
  /** e-mail domains allowed to sign up (lower case, no "@"); empty = any */
  allowedDomains: z.array(z.string().trim().toLowerCase().min(1)).default([]),
  defaultTeamId: z.string().min(1).nullish(),
  defaultGroupId: z.string().min(1).nullish(),
});
export type PortalSignupSettings = z.output<typeof PortalSignupSettingsSchema>;

const SIGNUP_OFF: PortalSignupSettings = { enabled: false, allowedDomains: [] };

/** The self sign-up settings; a missing or malformed row means sign-up is off (fail closed). */
export async function getPortalSignupSettings(db: Db = getDb()): Promise<PortalSignupSettings> {
  const row = await db.appSetting.findUnique({ where: { key: PORTAL_SIGNUP_SETTING } });
  if (!row) return SIGNUP_OFF;
  const parsed = PortalSignupSettingsSchema.safeParse(row.value);
  return parsed.success ? parsed.data : SIGNUP_OFF;
}

/** Admin / test setup: store the sign-up settings. */
export async function setPortalSignupSettings(settings: z.input<typeof PortalSignupSettingsSchema>, db: Db = getDb()) {
  const value = PortalSignupSettingsSchema.parse(settings) as Prisma.InputJsonValue;
  await db.appSetting.upsert({
    where: { key: PORTAL_SIGNUP_SETTING },
    create: { key: PORTAL_SIGNUP_SETTING, value },
    update: { value },
  });
}

export const SignUpSchema = z.object({
  email: z.string().trim().toLowerCase().email("an e-mail address"),
  name: z.string().trim().max(100).nullish(),
  password: z.string().min(12, "at least 12 characters").max(200),
});
export type SignUpInput = z.input<typeof SignUpSchema>;

export function emailDomainAllowed(email: string, allowedDomains: readonly string[]): boolean {
  if (allowedDomains.length === 0) return true;
  const domain = normalizeEmail(email).split("@").pop() ?? "";
  return allowedDomains.some((d) => domain === d.replace(/^@/, "").toLowerCase());
}

/**
 * Self sign-up of a developer: only when enabled, only for allowed domains; the new user gets role DEVELOPER and the
 * default team. (The default group reaches the developer through the applications they create.)
 */
export async function signUpDeveloper(input: SignUpInput, db: Db = getDb()) {
  const settings = await getPortalSignupSettings(db);
  if (!settings.enabled) throw new ConfigError("forbidden", "Self sign-up is not enabled on this Sluice.");
  const r = SignUpSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new ConfigError("invalid", issue ? `${issue.path.join(".")}: ${issue.message}` : "invalid input", {
      [String(issue?.path[0] ?? "_form")]: [issue?.message ?? "invalid"],
    });
  }
  const { email, name, password } = r.data;
  if (!emailDomainAllowed(email, settings.allowedDomains)) {
    throw new ConfigError("forbidden", `Sign-up is limited to ${settings.allowedDomains.map((d) => `@${d}`).join(", ")}.`, {
      email: ["this e-mail domain may not sign up"],
    });
  }
  if (await db.user.findUnique({ where: { email }, select: { id: true } })) {
    throw new ConfigError("conflict", "This e-mail cannot sign up. If you already have an account, sign in.", {
      email: ["cannot sign up with this e-mail"],
    });
  }
  const teamId = settings.defaultTeamId
    ? ((await db.team.findUnique({ where: { id: settings.defaultTeamId }, select: { id: true } }))?.id ?? null)
    : null;
  const user = await createUser({ email, name: name ?? null, password, roles: ["DEVELOPER"], teamId }, db);
  await db.auditLog.create({
    data: {
      actorType: "USER",
      actorId: user.id,
      actorLabel: user.email,
      action: "user.signup",
      entityType: "user",
      entityId: user.id,
      after: auditJson({ ...user, teamId }) ?? undefined,
    },
  });
  return { ...user, teamId };
}

// ─── who the developer is ───────────────────────────────────────────────────────────────────────────────────────

/** The acting developer: e-mail for audit labels. */
export interface PortalActor {
  userId: string;
  email: string;
  ip?: string | null;
}

export interface DeveloperContext {
  userId: string;
  teamId: string | null;
  teamName: string | null;
  /** the default group from the sign-up settings plus every group of the developer's applications */
  groupIds: string[];
}

export async function getDeveloperContext(userId: string, db: Db = getDb()): Promise<DeveloperContext> {
  const [user, settings, memberships] = await Promise.all([
    db.user.findUnique({ where: { id: userId }, select: { teamId: true, team: { select: { name: true } } } }),
    getPortalSignupSettings(db),
    db.consumerGroupMember.findMany({ where: { consumer: { ownerUserId: userId } }, select: { groupId: true } }),
  ]);
  const groups = new Set(memberships.map((m) => m.groupId));
  if (settings.defaultGroupId) groups.add(settings.defaultGroupId);
  return { userId, teamId: user?.teamId ?? null, teamName: user?.team?.name ?? null, groupIds: [...groups] };
}

// ─── catalog ────────────────────────────────────────────────────────────────────────────────────────────────────

export interface CatalogPrice {
  inputPer1M: string;
  outputPer1M: string;
  cachedInputPer1M: string | null;
  currency: string;
}

export interface CatalogModel {
  /** the name clients send as `model` */
  name: string;
  upstreamModel: string;
  providerName: string;
  providerKind: string;
  contextWindow: number | null;
  price: CatalogPrice | null;
}

export interface CatalogLimit {
  id: string;
  kind: "rate-limit" | "budget";
  name: string;
  /** where it applies: global, route, group, team, application, key */
  scope: string;
  /** e.g. "60 requests per 1 min per consumer" or "100 USD per month" */
  summary: string;
}

export interface CatalogRoute {
  id: string;
  name: string;
  description: string | null;
  type: string;
  paths: string[];
  models: CatalogModel[];
  limits: CatalogLimit[];
}

const kindOut = (kind: string) => (kind === "openai_compatible" ? "openai-compatible" : kind);

function windowText(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

function rateLimitSummary(config: unknown): string {
  const c = (config ?? {}) as { limit?: number; windowMs?: number; metric?: string; per?: string };
  if (typeof c.limit !== "number" || typeof c.windowMs !== "number") return "rate limit";
  return `${c.limit} ${c.metric ?? "requests"} per ${windowText(c.windowMs)} per ${c.per ?? "consumer"}`;
}

function budgetSummary(b: { limit: Prisma.Decimal; metric: string; currency: string; period: string }): string {
  const unit = b.metric === "TOKENS" ? "tokens" : b.currency;
  const period = b.period === "TOTAL" ? "in total" : `per ${b.period.toLowerCase()}`;
  return `${b.limit.toString()} ${unit} ${period}`;
}

/** The routes (enabled, open to one of `groupIds` or to everyone) with their models, prices and limits. */
export async function listCatalogForGroups(
  groupIds: readonly string[],
  ctx: { teamId: string | null; consumerIds?: string[] },
  db: Db = getDb(),
): Promise<CatalogRoute[]> {
  const routes = await db.route.findMany({
    where: {
      enabled: true,
      OR: [{ allowedGroups: { none: {} } }, { allowedGroups: { some: { groupId: { in: [...groupIds] } } } }],
    },
    include: {
      targets: { where: { enabled: true }, orderBy: { position: "asc" }, include: { provider: true } },
    },
    orderBy: { name: "asc" },
  });
  if (routes.length === 0) return [];
  const routeIds = routes.map((r) => r.id);
  const now = new Date();
  const pairs = routes.flatMap((r) => r.targets.map((t) => ({ providerKind: t.provider.kind, model: t.model })));
  const [prices, policies, budgets] = await Promise.all([
    pairs.length
      ? db.price.findMany({ where: { OR: pairs, effectiveFrom: { lte: now } }, orderBy: { effectiveFrom: "desc" } })
      : Promise.resolve([]),
    db.policy.findMany({
      where: {
        enabled: true,
        type: "rate-limit",
        OR: [
          { scope: "GLOBAL" },
          { scope: "ROUTE", routeId: { in: routeIds } },
          { scope: "GROUP", groupId: { in: [...groupIds] } },
          ...(ctx.teamId ? [{ scope: "TEAM" as const, teamId: ctx.teamId }] : []),
          ...(ctx.consumerIds?.length ? [{ scope: "CONSUMER" as const, consumerId: { in: ctx.consumerIds } }] : []),
        ],
      },
      orderBy: { position: "asc" },
    }),
    db.budget.findMany({
      where: {
        enabled: true,
        OR: [
          { scope: "GLOBAL" },
          { scope: "ROUTE", routeId: { in: routeIds } },
          ...(ctx.teamId ? [{ scope: "TEAM" as const, teamId: ctx.teamId }] : []),
        ],
      },
    }),
  ]);
  const priceOf = (kind: string, model: string) => prices.find((p) => p.providerKind === kind && p.model === model) ?? null;

  return routes.map((r) => {
    const seen = new Set<string>();
    const models: CatalogModel[] = [];
    for (const t of r.targets) {
      const name = t.alias ?? t.model;
      if (seen.has(name)) continue;
      seen.add(name);
      const p = priceOf(t.provider.kind, t.model);
      models.push({
        name,
        upstreamModel: t.model,
        providerName: t.provider.name,
        providerKind: kindOut(t.provider.kind),
        contextWindow: p?.contextWindow ?? null,
        price: p
          ? {
              inputPer1M: p.inputPer1M.toString(),
              outputPer1M: p.outputPer1M.toString(),
              cachedInputPer1M: p.cachedInputPer1M?.toString() ?? null,
              currency: p.currency,
            }
          : null,
      });
    }
    const limits: CatalogLimit[] = [
      ...policies
        .filter((p) => p.scope !== "ROUTE" || p.routeId === r.id)
        .map((p) => ({
          id: p.id,
          kind: "rate-limit" as const,
          name: p.name,
          scope: p.scope === "CONSUMER" ? "application" : p.scope.toLowerCase(),
          summary: rateLimitSummary(p.config),
        })),
      ...budgets
        .filter((b) => b.scope !== "ROUTE" || b.routeId === r.id)
        .map((b) => ({
          id: b.id,
          kind: "budget" as const,
          name: b.name,
          scope: b.scope.toLowerCase(),
          summary: budgetSummary(b),
        })),
    ];
    return { id: r.id, name: r.name, description: r.description, type: r.type, paths: r.paths, models, limits };
  });
}

/** What the developer may call: the catalog of their groups (default group + their applications' groups). */
export async function listCatalogForDeveloper(userId: string, db: Db = getDb()): Promise<CatalogRoute[]> {
  const ctx = await getDeveloperContext(userId, db);
  const consumers = await db.consumer.findMany({ where: { ownerUserId: userId }, select: { id: true } });
  return listCatalogForGroups(ctx.groupIds, { teamId: ctx.teamId, consumerIds: consumers.map((c) => c.id) }, db);
}

// ─── applications and keys ──────────────────────────────────────────────────────────────────────────────────────

export interface PortalBudget {
  id: string;
  name: string;
  scope: string;
  metric: "TOKENS" | "COST";
  limit: string;
  currency: string;
  period: string;
  /** spent (cost or tokens) in the current period, exact decimal */
  spent: string;
  /** limit - spent, never below 0, exact decimal */
  remaining: string;
  periodStart: Date | null;
  /** period-end forecast (exact decimal), null for TOTAL budgets */
  forecast: string | null;
  health: "ok" | "at-risk" | "exceeded";
}

export interface PortalKey {
  id: string;
  consumerId: string;
  name: string;
  start: string;
  status: "ACTIVE" | "REVOKED";
  allowedRoutes: string[];
  allowedModels: string[];
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  rotatedFromId: string | null;
  createdAt: Date;
  budgets: PortalBudget[];
}

export interface PortalApplication {
  id: string;
  name: string;
  description: string | null;
  teamId: string | null;
  teamName: string | null;
  disabled: boolean;
  createdAt: Date;
  groups: Array<{ id: string; name: string }>;
  keys: PortalKey[];
  budgets: PortalBudget[];
}

const KEY_SELECT = {
  id: true,
  consumerId: true,
  name: true,
  start: true,
  status: true,
  allowedRoutes: true,
  allowedModels: true,
  expiresAt: true,
  lastUsedAt: true,
  revokedAt: true,
  rotatedFromId: true,
  createdAt: true,
} as const;

/** The developer's applications with their keys (never a hash) and budgets. */
export async function listApplicationsForOwner(userId: string, db: Db = getDb()): Promise<PortalApplication[]> {
  const apps = await db.consumer.findMany({
    where: { ownerUserId: userId },
    include: {
      team: { select: { name: true } },
      groups: { include: { group: { select: { id: true, name: true } } } },
      keys: { select: KEY_SELECT, orderBy: { createdAt: "desc" } },
    },
    orderBy: { createdAt: "asc" },
  });
  // budget state (used, remaining, forecast) from the analytics layer; the owner is in its WHERE clause too
  const keyIds = apps.flatMap((a) => a.keys.map((k) => k.id));
  const [statuses, lastUse] = await Promise.all([
    listPortalBudgets(userId, {}, db),
    // "last used" from the usage events when the key row has none: one backward index probe per key
    keyIds.length
      ? db.$queryRaw<Array<{ id: string; ts: Date | null }>>`
          SELECT k.id, (SELECT max(e.ts) FROM usage_events e WHERE e."apiKeyId" = k.id) AS ts
          FROM api_keys k JOIN consumers c ON c.id = k."consumerId"
          WHERE k.id = ANY(${keyIds}::text[]) AND c."ownerUserId" = ${userId}`
      : Promise.resolve([]),
  ]);
  const lastUsed = new Map(lastUse.map((r) => [r.id, r.ts]));
  const budgetsOf = (scope: "KEY" | "CONSUMER", id: string): PortalBudget[] =>
    statuses
      .filter((b) => b.scope === scope && b.scopeId === id)
      .map((b) => ({
        id: b.budgetId,
        name: b.name,
        scope: b.scope,
        metric: b.metric,
        limit: b.limit,
        currency: b.currency,
        period: b.period,
        spent: b.used,
        remaining: b.remaining,
        periodStart: b.periodStart,
        forecast: b.forecast,
        health: b.health,
      }));
  return apps.map((a) => ({
    id: a.id,
    name: a.name,
    description: a.description,
    teamId: a.teamId,
    teamName: a.team?.name ?? null,
    disabled: a.disabled,
    createdAt: a.createdAt,
    groups: a.groups.map((g) => g.group),
    keys: a.keys.map((k) => {
      const seen = lastUsed.get(k.id) ?? null;
      const lastUsedAt = k.lastUsedAt && (!seen || k.lastUsedAt > seen) ? k.lastUsedAt : seen;
      return { ...k, lastUsedAt, budgets: budgetsOf("KEY", k.id) };
    }),
    budgets: budgetsOf("CONSUMER", a.id),
  }));
}

/** One of the developer's applications, or not_found (also for another developer's application). */
export async function getApplicationForOwnerOrThrow(userId: string, consumerId: string, db: Db = getDb()) {
  const app = (await listApplicationsForOwner(userId, db)).find((a) => a.id === consumerId);
  if (!app) throw new ConfigError("not_found", "No such application.");
  return app;
}

function actorAudit(actor: PortalActor) {
  return { actorType: "USER" as const, actorId: actor.userId, actorLabel: actor.email, ip: actor.ip ?? null };
}

export const ApplicationCreateSchema = z.object({
  name: z.string().trim().min(1, "required").max(100, "at most 100 characters"),
  description: z.string().trim().max(1000).nullish(),
});
export type ApplicationCreateInput = z.input<typeof ApplicationCreateSchema>;

/** A new application owned by the developer, in the developer's team and the portal's default group. */
export async function createApplicationForOwner(actor: PortalActor, input: ApplicationCreateInput, db: Db = getDb()) {
  const data = parseInput(ApplicationCreateSchema, input);
  const [user, settings] = await Promise.all([
    db.user.findUnique({ where: { id: actor.userId }, select: { teamId: true } }),
    getPortalSignupSettings(db),
  ]);
  if (!user) throw new ConfigError("forbidden", "Unknown user.");
  const groupId = settings.defaultGroupId
    ? ((await db.consumerGroup.findUnique({ where: { id: settings.defaultGroupId }, select: { id: true } }))?.id ?? null)
    : null;
  const id = newId("consumer");
  const after = {
    id,
    name: data.name,
    description: data.description ?? null,
    teamId: user.teamId,
    ownerUserId: actor.userId,
    groupIds: groupId ? [groupId] : [],
  };
  const { result } = await writeConfig(
    db,
    { ...actorAudit(actor), action: "consumer.create", entityType: "consumer", entityId: id, after: auditJson(after) },
    (tx) =>
      tx.consumer.create({
        data: {
          id,
          name: data.name,
          description: data.description ?? null,
          teamId: user.teamId,
          ownerUserId: actor.userId,
          groups: groupId ? { create: [{ groupId }] } : undefined,
        },
        select: { id: true, name: true, teamId: true },
      }),
  );
  return result;
}

export const KeyIssueSchema = z.object({
  consumerId: z.string().min(1, "choose an application"),
  name: z.string().trim().min(1, "required").max(100, "at most 100 characters"),
  expiresAt: z.coerce
    .date()
    .nullish()
    .refine((d) => !d || d.getTime() > Date.now(), "must be in the future"),
  allowedRoutes: z.array(z.string().min(1)).max(100).default([]),
  allowedModels: z.array(z.string().min(1)).max(200).default([]),
  /** optional per-key budget in USD (exact decimal text) */
  budgetLimit: z
    .string()
    .trim()
    .regex(/^\d+(\.\d{1,6})?$/, "a non-negative amount with at most 6 decimals")
    .nullish()
    .or(z.literal("").transform(() => null)),
  budgetPeriod: z.enum(["DAY", "WEEK", "MONTH", "TOTAL"]).default("MONTH"),
});
export type KeyIssueInput = z.input<typeof KeyIssueSchema>;

export interface IssuedKey {
  id: string;
  consumerId: string;
  name: string;
  start: string;
  /** shown once, never stored */
  plaintext: string;
}

/** The consumer, if the developer owns it (the owner is part of the WHERE clause). */
async function ownedConsumerOrThrow(userId: string, consumerId: string, db: Db | Tx) {
  const consumer = await db.consumer.findFirst({
    where: { id: consumerId, ownerUserId: userId },
    select: { id: true, teamId: true, disabled: true, groups: { select: { groupId: true } } },
  });
  if (!consumer) throw new ConfigError("not_found", "No such application.");
  return consumer;
}

/**
 * Check that a key's route and model scopes are a subset of what the application may call (its groups' catalog).
 * Routes are named by id or name (the gateway accepts both); models by the name clients send.
 */
export async function checkKeyScopes(
  consumer: { groups: Array<{ groupId: string }>; teamId: string | null },
  allowedRoutes: string[],
  allowedModels: string[],
  db: Db,
): Promise<{ routes: string[]; models: string[] }> {
  const catalog = await listCatalogForGroups(
    consumer.groups.map((g) => g.groupId),
    { teamId: consumer.teamId },
    db,
  );
  const routes: string[] = [];
  for (const r of [...new Set(allowedRoutes)]) {
    const found = catalog.find((c) => c.id === r || c.name === r);
    if (!found) throw new ConfigError("forbidden", `Route ${r} is not available to this application.`, { allowedRoutes: [r] });
    routes.push(found.id);
  }
  const inScope = routes.length ? catalog.filter((c) => routes.includes(c.id)) : catalog;
  const models = [...new Set(allowedModels)];
  for (const m of models) {
    if (!inScope.some((c) => c.models.some((x) => x.name === m))) {
      throw new ConfigError("forbidden", `Model ${m} is not available on the chosen routes.`, { allowedModels: [m] });
    }
  }
  return { routes, models };
}

/** Issue a key for one of the developer's applications (scopes checked; optional per-key budget). */
export async function issueKeyForOwner(actor: PortalActor, input: KeyIssueInput, db: Db = getDb()): Promise<IssuedKey> {
  const data = parseInput(KeyIssueSchema, input);
  const consumer = await ownedConsumerOrThrow(actor.userId, data.consumerId, db);
  if (consumer.disabled) throw new ConfigError("conflict", "This application is disabled.");
  const scopes = await checkKeyScopes(consumer, data.allowedRoutes, data.allowedModels, db);
  const key = generateApiKey();
  const id = newId("key");
  const budgetId = data.budgetLimit ? newId("budget") : null;
  const after = {
    id,
    consumerId: consumer.id,
    name: data.name,
    start: key.start,
    allowedRoutes: scopes.routes,
    allowedModels: scopes.models,
    expiresAt: data.expiresAt ?? null,
    budget: budgetId ? { id: budgetId, limit: data.budgetLimit, period: data.budgetPeriod } : null,
  };
  await writeConfig(
    db,
    { ...actorAudit(actor), action: "api_key.issue", entityType: "api_key", entityId: id, after: auditJson(after) },
    async (tx) => {
      await tx.apiKey.create({
        data: {
          id,
          consumerId: consumer.id,
          name: data.name,
          hash: key.hash,
          start: key.start,
          allowedRoutes: scopes.routes,
          allowedModels: scopes.models,
          expiresAt: data.expiresAt ?? null,
          createdById: actor.userId,
        },
      });
      if (budgetId && data.budgetLimit) {
        await tx.budget.create({
          data: {
            id: budgetId,
            name: `${data.name} budget`,
            scope: "KEY",
            apiKeyId: id,
            metric: "COST",
            limit: data.budgetLimit,
            period: data.budgetPeriod,
          },
        });
      }
    },
  );
  return { id, consumerId: consumer.id, name: data.name, start: key.start, plaintext: key.plaintext };
}

/** The key, if it belongs to one of the developer's applications. */
async function ownedKeyOrThrow(userId: string, keyId: string, db: Db | Tx) {
  const key = await db.apiKey.findFirst({
    where: { id: keyId, consumer: { ownerUserId: userId } },
    select: { ...KEY_SELECT, consumer: { select: { disabled: true } } },
  });
  if (!key) throw new ConfigError("not_found", "No such key.");
  return key;
}

export async function revokeKeyForOwner(actor: PortalActor, keyId: string, db: Db = getDb()): Promise<void> {
  const before = await ownedKeyOrThrow(actor.userId, keyId, db);
  if (before.status === "REVOKED") return;
  await writeConfig(
    db,
    {
      ...actorAudit(actor),
      action: "api_key.revoke",
      entityType: "api_key",
      entityId: keyId,
      before: auditJson({ ...before, consumer: undefined }),
    },
    async (tx) => {
      const r = await tx.apiKey.updateMany({
        where: { id: keyId, status: "ACTIVE", consumer: { ownerUserId: actor.userId } },
        data: { status: "REVOKED", revokedAt: new Date() },
      });
      if (r.count !== 1) throw new ConfigError("not_found", "No such key.");
    },
  );
}

/** Rotate: a new key with the same scopes (and the old key's budgets), the old one revoked at once. */
export async function rotateKeyForOwner(actor: PortalActor, keyId: string, db: Db = getDb()): Promise<IssuedKey> {
  const old = await ownedKeyOrThrow(actor.userId, keyId, db);
  if (old.status !== "ACTIVE") throw new ConfigError("conflict", "Only an active key can be rotated.");
  if (old.consumer.disabled) throw new ConfigError("conflict", "This application is disabled.");
  const key = generateApiKey();
  const id = newId("key");
  await writeConfig(
    db,
    {
      ...actorAudit(actor),
      action: "api_key.rotate",
      entityType: "api_key",
      entityId: id,
      before: auditJson({ id: old.id, start: old.start }),
      after: auditJson({ id, start: key.start, rotatedFromId: old.id }),
    },
    async (tx) => {
      const r = await tx.apiKey.updateMany({
        where: { id: old.id, status: "ACTIVE", consumer: { ownerUserId: actor.userId } },
        data: { status: "REVOKED", revokedAt: new Date() },
      });
      if (r.count !== 1) throw new ConfigError("not_found", "No such key.");
      await tx.apiKey.create({
        data: {
          id,
          consumerId: old.consumerId,
          name: old.name,
          hash: key.hash,
          start: key.start,
          allowedRoutes: old.allowedRoutes,
          allowedModels: old.allowedModels,
          expiresAt: old.expiresAt,
          rotatedFromId: old.id,
          createdById: actor.userId,
        },
      });
      await tx.budget.updateMany({ where: { scope: "KEY", apiKeyId: old.id }, data: { apiKeyId: id } });
    },
  );
  return { id, consumerId: old.consumerId, name: old.name, start: key.start, plaintext: key.plaintext };
}

/** The developer's active key with this plaintext (the playground uses only the developer's own keys). */
export async function findOwnedActiveKeyByPlaintext(userId: string, plaintext: string, db: Db = getDb()) {
  return db.apiKey.findFirst({
    where: { hash: sha256Hex(plaintext.trim()), status: "ACTIVE", consumer: { ownerUserId: userId } },
    select: { id: true, consumerId: true, name: true, start: true, allowedRoutes: true, allowedModels: true },
  });
}

/** The error every portal function throws (the config layer's ConfigError: code, HTTP status, field messages). */
export { ConfigError as PortalError, isConfigError as isPortalError } from "../config/common.ts";

/**
 * Admin: change the self sign-up settings (manager UI and Admin API). Audited like every config change; the default
 * team and group must exist.
 */
export async function updatePortalSignupSettings(
  input: z.input<typeof PortalSignupSettingsSchema>,
  actor: Actor,
  db: Db = getDb(),
): Promise<PortalSignupSettings> {
  const next = parseInput(PortalSignupSettingsSchema, input);
  return mutate(db, actor, async (tx) => {
    const [team, group] = await Promise.all([
      next.defaultTeamId ? tx.team.findUnique({ where: { id: next.defaultTeamId }, select: { id: true } }) : null,
      next.defaultGroupId ? tx.consumerGroup.findUnique({ where: { id: next.defaultGroupId }, select: { id: true } }) : null,
    ]);
    if (next.defaultTeamId && !team) throw new ConfigError("invalid", "no such team", { defaultTeamId: ["no such team"] });
    if (next.defaultGroupId && !group) throw new ConfigError("invalid", "no such group", { defaultGroupId: ["no such group"] });
    const row = await tx.appSetting.findUnique({ where: { key: PORTAL_SIGNUP_SETTING } });
    const before = row ? (PortalSignupSettingsSchema.safeParse(row.value).data ?? null) : null;
    const value = next as Prisma.InputJsonValue;
    await tx.appSetting.upsert({
      where: { key: PORTAL_SIGNUP_SETTING },
      create: { key: PORTAL_SIGNUP_SETTING, value },
      update: { value },
    });
    return {
      result: next,
      audit: {
        action: "settings.portal_signup.update",
        entityType: "setting",
        entityId: PORTAL_SIGNUP_SETTING,
        before,
        after: next,
      },
    };
  });
}

// Config as code: export the whole configuration as the declarative YAML document (schemas/declarative.ts), plan the
// changes a document would make (dry run), and apply it in one transaction with one config version bump and one audit
// entry. Both sides of a diff go through the same normalisation (ids resolved, nested configs parsed with the shared
// schemas, decimals and dates in one spelling), so export -> apply -> export is a fixed point.
//
// Secrets never appear: stored provider credentials export as environment references named
// SLUICE_CRED_<PROVIDER>_<FIELD>. Applying that same reference back onto the provider keeps the stored credential;
// any other reference replaces it. Prices are history: a document only adds price rows, never rewrites or removes one.

import { parse as parseYaml, stringify as toYaml } from "yaml";
import type { z } from "zod";
import { type Db, getDb } from "../client.ts";
import { type Tx, writeConfig } from "../config-version.ts";
import { decryptSecret, envelopeKeyVersion, type MasterKeyRing, sha256Hex } from "../crypto.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { fieldErrors, templateVariables } from "../schemas/config.ts";
import {
  type DeclarativeConfig,
  DeclarativeConfigSchema,
  declarativeId,
  exportedCredentialEnvName,
} from "../schemas/declarative.ts";
import {
  BudgetConfigSchema,
  ProviderSettingsSchema,
  parsePolicyConfig,
  RouteBalancerSchema,
  RouteOptionsSchema,
  RouteRetrySchema,
  TargetOptionsSchema,
} from "../schemas/index.ts";
import { type Actor, auditJson, ConfigError, kindFromDb, kindToDb, mapPrismaError } from "./common.ts";
import { masterKeyRingFromEnv } from "./providers.ts";

type Plain = Record<string, unknown>;

const KINDS = ["team", "group", "provider", "route", "consumer", "key", "template", "policy", "budget", "price"] as const;
export type DeclarativeKind = (typeof KINDS)[number];

interface Entry {
  id: string;
  name: string;
  /** the normalised row, compared and written */
  data: Plain;
}

type State = Record<DeclarativeKind, Map<string, Entry>>;

const emptyState = (): State => Object.fromEntries(KINDS.map((k) => [k, new Map()])) as unknown as State;

/** JSON with sorted keys, for comparisons. */
function stable(v: unknown): string {
  return JSON.stringify(v, (_k, x) =>
    x && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(
          Object.keys(x as Plain)
            .sort()
            .map((k) => [k, (x as Plain)[k]]),
        )
      : x,
  );
}

const dec = (v: unknown) => (v === null || v === undefined ? null : new Prisma.Decimal(String(v)).toString());
const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(String(v)).toISOString());

// ─── export ────────────────────────────────────────────────────────────────────────────────────────────────────

function credentialFields(envelope: string | null, kind: string, ring: MasterKeyRing | null): string[] {
  if (envelope && ring) {
    try {
      return Object.keys(JSON.parse(decryptSecret(envelope, ring)) as Plain).sort();
    } catch {
      // unreadable with this ring: fall back to the kind's usual fields
    }
  }
  if (kind === "bedrock") return ["accessKeyId", "secretAccessKey"];
  if (kind === "vertex") return ["accessToken"];
  return ["apiKey"];
}

function dropNulls<T>(value: T): T {
  if (Array.isArray(value)) return value.map(dropNulls) as T;
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value as Plain)
        .filter(([, v]) => v !== null && v !== undefined)
        .map(([k, v]) => [k, k === "config" || k === "options" || k === "settings" || k === "metadata" ? v : dropNulls(v)]),
    ) as T;
  return value;
}

/** The whole configuration as a declarative document (plain JSON, deterministic order, no secrets). */
export async function exportDeclarativeConfig(
  db: Db = getDb(),
  opts: { ring?: MasterKeyRing | null } = {},
): Promise<DeclarativeConfig> {
  let ring = opts.ring ?? null;
  if (opts.ring === undefined) {
    try {
      ring = masterKeyRingFromEnv();
    } catch {
      ring = null;
    }
  }
  return db.$transaction((tx) => readDeclarative(tx, ring), {
    isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead,
  });
}

async function readDeclarative(db: Db | Tx, ring: MasterKeyRing | null): Promise<DeclarativeConfig> {
  const [teams, groups, providers, routes, consumers, policies, templates, budgets, prices] = await Promise.all([
    db.team.findMany({ orderBy: { name: "asc" } }),
    db.consumerGroup.findMany({ orderBy: { name: "asc" } }),
    db.provider.findMany({ omit: { credentialsEncrypted: false }, orderBy: { name: "asc" } }),
    db.route.findMany({
      orderBy: { name: "asc" },
      include: {
        targets: { orderBy: { position: "asc" }, include: { provider: { select: { name: true } } } },
        allowedGroups: { include: { group: { select: { name: true } } } },
      },
    }),
    db.consumer.findMany({
      orderBy: { name: "asc" },
      include: {
        groups: { include: { group: { select: { name: true } } } },
        keys: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
      },
    }),
    db.policy.findMany({ orderBy: [{ position: "asc" }, { name: "asc" }, { id: "asc" }] }),
    db.promptTemplate.findMany({ orderBy: { name: "asc" }, include: { versions: { orderBy: { version: "asc" } } } }),
    db.budget.findMany({ orderBy: [{ name: "asc" }, { id: "asc" }] }),
    db.price.findMany({ orderBy: [{ providerKind: "asc" }, { model: "asc" }, { effectiveFrom: "asc" }] }),
  ] as const);

  const doc = {
    version: 1,
    teams: teams.map((t) => ({ id: t.id, name: t.name, slug: t.slug, description: t.description })),
    groups: groups.map((g) => ({ id: g.id, name: g.name, description: g.description })),
    providers: providers.map((p) => {
      const kind = kindFromDb(p.kind);
      const credentials = p.credentialsEncrypted
        ? {
            env: Object.fromEntries(
              credentialFields(p.credentialsEncrypted, kind, ring).map((f) => [f, exportedCredentialEnvName(p.name, f)]),
            ),
          }
        : (p.credentialsRef ?? null);
      return {
        id: p.id,
        name: p.name,
        kind,
        baseUrl: p.baseUrl,
        settings: p.settings,
        credentials,
        allowOverride: p.allowOverride,
        enabled: p.enabled,
      };
    }),
    routes: routes.map((r) => ({
      id: r.id,
      name: r.name,
      description: r.description,
      paths: r.paths,
      type: r.type,
      nativeFormat: r.nativeFormat,
      balancer: r.balancer,
      retry: r.retry,
      options: r.options,
      enabled: r.enabled,
      allowedGroups: r.allowedGroups.map((g) => g.group.name).sort(),
      targets: r.targets.map((t) => ({
        id: t.id,
        provider: t.provider.name,
        model: t.model,
        alias: t.alias,
        weight: t.weight,
        priority: t.priority,
        description: t.description,
        options: t.options,
        enabled: t.enabled,
      })),
    })),
    consumers: consumers.map((c) => ({
      id: c.id,
      name: c.name,
      description: c.description,
      team: c.teamId,
      metadata: c.metadata,
      disabled: c.disabled,
      groups: c.groups.map((g) => g.group.name).sort(),
      keys: c.keys.map((k) => ({
        id: k.id,
        name: k.name,
        hash: k.hash,
        allowedRoutes: k.allowedRoutes,
        allowedModels: k.allowedModels,
        expiresAt: k.expiresAt?.toISOString() ?? null,
        revoked: k.status === "REVOKED",
      })),
    })),
    policies: policies.map((p) => ({
      id: p.id,
      name: p.name,
      type: p.type,
      scope: p.scope,
      routeId: p.routeId,
      groupId: p.groupId,
      consumerId: p.consumerId,
      apiKeyId: p.apiKeyId,
      teamId: p.teamId,
      position: p.position,
      enabled: p.enabled,
      config: p.config,
    })),
    templates: templates.map((t) => ({
      id: t.id,
      name: t.name,
      description: t.description,
      currentVersion: t.currentVersion,
      versions: t.versions.map((v) => ({ version: v.version, body: v.body })),
    })),
    budgets: budgets.map((b) => ({
      id: b.id,
      name: b.name,
      scope: b.scope,
      teamId: b.teamId,
      consumerId: b.consumerId,
      apiKeyId: b.apiKeyId,
      routeId: b.routeId,
      metric: b.metric,
      limit: b.limit.toString(),
      currency: b.currency,
      period: b.period,
      timezone: b.timezone,
      action: b.action,
      downgradeTargetId: b.downgradeTargetId,
      enabled: b.enabled,
    })),
    prices: prices.map((p) => ({
      providerKind: kindFromDb(p.providerKind),
      model: p.model,
      inputPer1M: p.inputPer1M.toString(),
      outputPer1M: p.outputPer1M.toString(),
      cachedInputPer1M: p.cachedInputPer1M?.toString() ?? null,
      reasoningPer1M: p.reasoningPer1M?.toString() ?? null,
      currency: p.currency,
      contextWindow: p.contextWindow,
      effectiveFrom: p.effectiveFrom.toISOString(),
    })),
  };
  return dropNulls(doc) as unknown as DeclarativeConfig;
}

export const DECLARATIVE_HEADER =
  "# Sluice declarative configuration (pnpm sluice config export). Secrets are not in this file: provider\n" +
  "# credentials are environment references (SLUICE_CRED_<PROVIDER>_<FIELD>), consumer keys are sha256 hashes.\n";

export function declarativeToYaml(doc: DeclarativeConfig): string {
  return DECLARATIVE_HEADER + toYaml(doc, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** YAML (or JSON, which is YAML) text -> a validated document; errors name the path. */
export function parseDeclarativeConfig(text: string | unknown): DeclarativeConfig {
  let doc: unknown = text;
  if (typeof text === "string") {
    try {
      doc = parseYaml(text);
    } catch (err) {
      throw new ConfigError("invalid", `not valid YAML: ${(err as Error).message.split("\n")[0]}`);
    }
  }
  const r = DeclarativeConfigSchema.safeParse(doc ?? {});
  if (!r.success) {
    const fields = fieldErrors(r.error);
    const first = Object.entries(fields)[0];
    throw new ConfigError("invalid", first ? `${first[0]}: ${first[1][0]}` : "invalid configuration", fields);
  }
  return r.data;
}

// ─── normalisation ─────────────────────────────────────────────────────────────────────────────────────────────

function parseAt<S extends z.ZodTypeAny>(schema: S, value: unknown, path: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const fields = Object.fromEntries(
      Object.entries(fieldErrors(r.error)).map(([k, v]) => [k === "_form" ? path : `${path}.${k}`, v]),
    );
    const first = Object.entries(fields)[0];
    throw new ConfigError("invalid", first ? `${first[0]}: ${first[1][0]}` : `${path}: invalid`, fields);
  }
  return r.data;
}

function invalid(path: string, message: string): never {
  throw new ConfigError("invalid", `${path}: ${message}`, { [path]: [message] });
}

interface NormalizeContext {
  /** the current state, for matching entities given by name only to their existing ids */
  current: State | null;
  env: Record<string, string | undefined>;
}

function byName(state: State | null, kind: DeclarativeKind, name: string): Entry | undefined {
  if (!state) return undefined;
  const matches = [...state[kind].values()].filter((e) => e.name === name);
  return matches.length === 1 ? matches[0] : undefined;
}

/** A document -> normalised entries keyed by id, with every reference checked. */
export function normalizeDeclarative(doc: DeclarativeConfig, ctx: NormalizeContext): State {
  const s = emptyState();
  const put = (kind: DeclarativeKind, path: string, e: Entry) => {
    if (s[kind].has(e.id)) invalid(path, `duplicate ${kind} id ${e.id}`);
    for (const other of s[kind].values())
      if (other.name === e.name && !["key", "policy", "budget", "price"].includes(kind))
        invalid(`${path}.name`, `duplicate ${kind} name "${e.name}"`);
    s[kind].set(e.id, e);
  };
  const idFor = (kind: DeclarativeKind, prefix: string, given: string | undefined, name: string) =>
    given ?? byName(ctx.current, kind, name)?.id ?? declarativeId(prefix, name);

  doc.teams.forEach((t, i) => {
    const id = idFor("team", "team", t.id, t.name);
    put("team", `teams.${i}`, { id, name: t.name, data: { id, name: t.name, slug: t.slug, description: t.description ?? null } });
  });
  doc.groups.forEach((g, i) => {
    const id = idFor("group", "grp", g.id, g.name);
    put("group", `groups.${i}`, { id, name: g.name, data: { id, name: g.name, description: g.description ?? null } });
  });
  doc.providers.forEach((p, i) => {
    const id = idFor("provider", "prov", p.id, p.name);
    if (p.credentials && p.credentialsEncrypted)
      invalid(`providers.${i}.credentials`, "give credentials or credentialsEncrypted, not both");
    if (p.credentialsEncrypted) {
      try {
        envelopeKeyVersion(p.credentialsEncrypted);
      } catch {
        invalid(`providers.${i}.credentialsEncrypted`, "not a Sluice secret envelope");
      }
    }
    put("provider", `providers.${i}`, {
      id,
      name: p.name,
      data: {
        id,
        name: p.name,
        kind: p.kind,
        baseUrl: p.baseUrl ?? null,
        settings: parseAt(ProviderSettingsSchema, p.settings ?? {}, `providers.${i}.settings`),
        credentials: p.credentials ?? null,
        ...(p.credentialsEncrypted ? { credentialsEncrypted: p.credentialsEncrypted } : {}),
        allowOverride: p.allowOverride ?? false,
        enabled: p.enabled ?? true,
      },
    });
  });
  const providerIdByName = new Map([...s.provider.values()].map((e) => [e.name, e.id]));
  const groupIdByName = new Map([...s.group.values()].map((e) => [e.name, e.id]));
  const targetIds = new Set<string>();

  doc.routes.forEach((r, i) => {
    const path = `routes.${i}`;
    const id = idFor("route", "rt", r.id, r.name);
    const targets = r.targets.map((t, j) => {
      const providerId = providerIdByName.get(t.provider);
      if (!providerId) invalid(`${path}.targets.${j}.provider`, `unknown provider "${t.provider}"`);
      const tid = t.id ?? declarativeId("tgt", r.name, j);
      if (targetIds.has(tid)) invalid(`${path}.targets.${j}.id`, `duplicate target id ${tid}`);
      targetIds.add(tid);
      return {
        id: tid,
        providerId,
        model: t.model,
        alias: t.alias ?? null,
        weight: t.weight ?? 100,
        priority: t.priority ?? 0,
        description: t.description ?? null,
        options: parseAt(TargetOptionsSchema, t.options ?? {}, `${path}.targets.${j}.options`),
        position: j,
        enabled: t.enabled ?? true,
      };
    });
    if (r.type === "native" && !r.nativeFormat) invalid(`${path}.nativeFormat`, "a native route needs its wire format");
    put("route", path, {
      id,
      name: r.name,
      data: {
        id,
        name: r.name,
        description: r.description ?? null,
        paths: r.paths,
        type: r.type,
        nativeFormat: r.nativeFormat ?? null,
        balancer: parseAt(RouteBalancerSchema, r.balancer ?? {}, `${path}.balancer`),
        retry: parseAt(RouteRetrySchema, r.retry ?? {}, `${path}.retry`),
        options: parseAt(RouteOptionsSchema, r.options ?? {}, `${path}.options`),
        enabled: r.enabled ?? true,
        allowedGroupIds: [
          ...new Set(
            r.allowedGroups.map((g, j) => groupIdByName.get(g) ?? invalid(`${path}.allowedGroups.${j}`, `unknown group "${g}"`)),
          ),
        ].sort(),
        targets,
      },
    });
  });

  const teamIds = new Set(s.team.keys());
  const currentKeyByHash = new Map(ctx.current ? [...ctx.current.key.values()].map((k) => [k.data.hash as string, k]) : []);
  doc.consumers.forEach((c, i) => {
    const path = `consumers.${i}`;
    const id = idFor("consumer", "cons", c.id, c.name);
    if (c.team && !teamIds.has(c.team)) invalid(`${path}.team`, `unknown team id "${c.team}"`);
    put("consumer", path, {
      id,
      name: c.name,
      data: {
        id,
        name: c.name,
        description: c.description ?? null,
        teamId: c.team ?? null,
        metadata: c.metadata ?? {},
        disabled: c.disabled ?? false,
        groupIds: [
          ...new Set(c.groups.map((g, j) => groupIdByName.get(g) ?? invalid(`${path}.groups.${j}`, `unknown group "${g}"`))),
        ].sort(),
      },
    });
    c.keys.forEach((k, j) => {
      let hash = k.hash?.toLowerCase();
      if (k.keyEnv) {
        const plaintext = ctx.env[k.keyEnv];
        if (!plaintext) invalid(`${path}.keys.${j}.keyEnv`, `environment variable ${k.keyEnv} is not set`);
        hash = sha256Hex(plaintext);
      }
      const existing = currentKeyByHash.get(hash as string);
      const kid = k.id ?? existing?.id ?? declarativeId("key", c.name, j);
      const name = k.name ?? (existing?.data.name as string | undefined) ?? "imported";
      put("key", `${path}.keys.${j}`, {
        id: kid,
        name,
        data: {
          id: kid,
          consumerId: id,
          name,
          hash,
          allowedRoutes: k.allowedRoutes ?? [],
          allowedModels: k.allowedModels ?? [],
          expiresAt: iso(k.expiresAt),
          revoked: k.revoked ?? false,
        },
      });
    });
  });

  doc.templates.forEach((t, i) => {
    const path = `templates.${i}`;
    const id = idFor("template", "tpl", t.id, t.name);
    const versions = [...t.versions].sort((a, b) => a.version - b.version);
    if (new Set(versions.map((v) => v.version)).size !== versions.length)
      invalid(`${path}.versions`, "duplicate version numbers");
    const currentVersion = t.currentVersion ?? versions[versions.length - 1]!.version;
    if (!versions.some((v) => v.version === currentVersion))
      invalid(`${path}.currentVersion`, `version ${currentVersion} is not listed`);
    put("template", path, {
      id,
      name: t.name,
      data: { id, name: t.name, description: t.description ?? null, currentVersion, versions },
    });
  });

  const refs: Record<string, Set<string>> = {
    routeId: new Set(s.route.keys()),
    groupId: new Set(s.group.keys()),
    consumerId: new Set(s.consumer.keys()),
    apiKeyId: new Set(s.key.keys()),
    teamId: teamIds,
  };
  const checkRefs = (path: string, row: Plain) => {
    for (const [field, ids] of Object.entries(refs)) {
      const v = row[field];
      if (v && !ids.has(v as string)) invalid(`${path}.${field}`, `unknown ${field.replace(/Id$/, "")} id "${v}"`);
    }
  };

  doc.policies.forEach((p, i) => {
    const path = `policies.${i}`;
    const id = p.id ?? declarativeId("pol", i);
    const config = parsePolicyConfig(p.type, p.config ?? {});
    if (!config.success) {
      const fields = Object.fromEntries(Object.entries(fieldErrors(config.error)).map(([k, v]) => [`${path}.config.${k}`, v]));
      const first = Object.entries(fields)[0]!;
      throw new ConfigError("invalid", `${first[0]}: ${first[1][0]}`, fields);
    }
    const data = {
      id,
      name: p.name,
      type: p.type,
      scope: p.scope,
      routeId: p.routeId ?? null,
      groupId: p.groupId ?? null,
      consumerId: p.consumerId ?? null,
      apiKeyId: p.apiKeyId ?? null,
      teamId: p.teamId ?? null,
      position: p.position ?? 0,
      enabled: p.enabled ?? true,
      config: config.data,
    };
    checkRefs(path, data);
    put("policy", path, { id, name: p.name, data });
  });

  doc.budgets.forEach((raw, i) => {
    const path = `budgets.${i}`;
    const given = raw as Plain;
    const b = parseAt(BudgetConfigSchema, { ...given, id: given.id ?? declarativeId("bud", String(given.name ?? i)) }, path);
    const { failMode: _failMode, ...row } = b;
    const data = { ...row, limit: dec(b.limit) };
    checkRefs(path, data);
    if (b.downgradeTargetId && !targetIds.has(b.downgradeTargetId))
      invalid(`${path}.downgradeTargetId`, `unknown target id "${b.downgradeTargetId}"`);
    put("budget", path, { id: b.id, name: b.name, data });
  });

  doc.prices.forEach((p, i) => {
    const path = `prices.${i}`;
    const effectiveFrom = iso(p.effectiveFrom ?? "1970-01-01T00:00:00.000Z") as string;
    if (Number.isNaN(new Date(effectiveFrom).getTime())) invalid(`${path}.effectiveFrom`, "invalid date");
    const key = `${p.providerKind}|${p.model}|${effectiveFrom}`;
    let data: Plain;
    try {
      data = {
        providerKind: p.providerKind,
        model: p.model,
        inputPer1M: dec(p.inputPer1M),
        outputPer1M: dec(p.outputPer1M),
        cachedInputPer1M: dec(p.cachedInputPer1M),
        reasoningPer1M: dec(p.reasoningPer1M),
        currency: p.currency ?? "USD",
        contextWindow: p.contextWindow ?? null,
        effectiveFrom,
      };
    } catch {
      invalid(path, "prices must be decimal numbers");
    }
    put("price", path, { id: key, name: key, data });
  });

  return s;
}

// ─── plan ──────────────────────────────────────────────────────────────────────────────────────────────────────

export interface PlannedChange {
  kind: DeclarativeKind;
  action: "create" | "update" | "delete";
  id: string;
  name: string;
  /** top-level fields that change (updates) */
  fields?: string[];
}

export interface DeclarativePlan {
  changes: PlannedChange[];
  counts: { create: number; update: number; delete: number; unchanged: number };
  /** rows the document leaves out but that stay (price history) */
  kept: number;
}

/** Whether a provider's desired reference is the placeholder its stored credential exports as. */
function keepsStoredCredential(desired: Plain, current: Plain | undefined): boolean {
  return (
    Boolean(current?.stored) && stable(desired.credentials) === stable(current?.credentials) && !desired.credentialsEncrypted
  );
}

function comparable(kind: DeclarativeKind, data: Plain): Plain {
  if (kind !== "provider") return data;
  const { stored: _stored, ...rest } = data;
  return rest;
}

function plan(current: State, desired: State): DeclarativePlan {
  const changes: PlannedChange[] = [];
  let unchanged = 0;
  let kept = 0;
  for (const kind of KINDS) {
    for (const [id, want] of desired[kind]) {
      const have = current[kind].get(id);
      if (!have) {
        changes.push({ kind, action: "create", id, name: want.name });
        continue;
      }
      const a = comparable(kind, have.data);
      const b = comparable(kind, want.data);
      const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((f) => stable(a[f]) !== stable(b[f])).sort();
      if (fields.length === 0) unchanged++;
      else if (kind === "price")
        throw new ConfigError(
          "conflict",
          `price ${id} differs from the stored row; prices are history: add a row with a new effectiveFrom instead`,
        );
      else changes.push({ kind, action: "update", id, name: want.name, fields });
    }
    for (const [id, have] of current[kind]) {
      if (desired[kind].has(id)) continue;
      if (kind === "price") kept++;
      else changes.push({ kind, action: "delete", id, name: have.name });
    }
  }
  const count = (a: PlannedChange["action"]) => changes.filter((c) => c.action === a).length;
  return { changes, counts: { create: count("create"), update: count("update"), delete: count("delete"), unchanged }, kept };
}

async function currentState(db: Db | Tx, ring: MasterKeyRing | null): Promise<State> {
  const doc = await readDeclarative(db, ring);
  const state = normalizeDeclarative(parseDeclarativeConfig(doc), { current: null, env: {} });
  // which providers hold a stored credential (their `credentials` is the export placeholder)
  const stored = await db.provider.findMany({ where: { credentialsKeyVersion: { not: null } }, select: { id: true } });
  for (const { id } of stored) {
    const e = state.provider.get(id);
    if (e) e.data.stored = true;
  }
  return state;
}

export interface DeclarativeOptions {
  ring?: MasterKeyRing | null;
  env?: Record<string, string | undefined>;
}

function ringOf(opts: DeclarativeOptions): MasterKeyRing | null {
  if (opts.ring !== undefined) return opts.ring;
  try {
    return masterKeyRingFromEnv();
  } catch {
    return null;
  }
}

/** Dry run: what applying `input` (YAML text or a parsed document) would change. Writes nothing. */
export async function diffDeclarativeConfig(input: string | unknown, db: Db = getDb(), opts: DeclarativeOptions = {}) {
  const doc = parseDeclarativeConfig(input);
  const current = await currentState(db, ringOf(opts));
  const desired = normalizeDeclarative(doc, { current, env: opts.env ?? process.env });
  return plan(current, desired);
}

// ─── apply ─────────────────────────────────────────────────────────────────────────────────────────────────────

const json = (v: unknown) => v as Prisma.InputJsonValue;

async function writeEntry(tx: Tx, kind: DeclarativeKind, id: string, want: Plain, have: Plain | undefined) {
  switch (kind) {
    case "team": {
      const data = { name: want.name as string, slug: want.slug as string, description: want.description as string | null };
      await tx.team.upsert({ where: { id }, create: { id, ...data }, update: data });
      return;
    }
    case "group": {
      const data = { name: want.name as string, description: want.description as string | null };
      await tx.consumerGroup.upsert({ where: { id }, create: { id, ...data }, update: data });
      return;
    }
    case "provider": {
      const base = {
        name: want.name as string,
        kind: kindToDb(want.kind as string) as never,
        baseUrl: want.baseUrl as string | null,
        settings: json(want.settings),
        allowOverride: want.allowOverride as boolean,
        enabled: want.enabled as boolean,
      };
      const secret = keepsStoredCredential(want, have)
        ? {}
        : want.credentialsEncrypted
          ? {
              credentialsEncrypted: want.credentialsEncrypted as string,
              credentialsKeyVersion: envelopeKeyVersion(want.credentialsEncrypted as string),
              credentialsRef: Prisma.DbNull,
            }
          : {
              credentialsEncrypted: null,
              credentialsKeyVersion: null,
              previousCredentialsEncrypted: null,
              previousCredentialsKeyVersion: null,
              previousCredentialsExpiresAt: null,
              credentialsRef: want.credentials ? json(want.credentials) : Prisma.DbNull,
            };
      await tx.provider.upsert({ where: { id }, create: { id, ...base, ...secret }, update: { ...base, ...secret } });
      return;
    }
    case "route": {
      const data = {
        name: want.name as string,
        description: want.description as string | null,
        paths: want.paths as string[],
        type: want.type as never,
        nativeFormat: want.nativeFormat as string | null,
        balancer: json(want.balancer),
        retry: json(want.retry),
        options: json(want.options),
        enabled: want.enabled as boolean,
      };
      await tx.route.upsert({ where: { id }, create: { id, ...data }, update: data });
      const targets = want.targets as Plain[];
      await tx.target.deleteMany({ where: { routeId: id, id: { notIn: targets.map((t) => t.id as string) } } });
      for (const t of targets) {
        const row = {
          routeId: id,
          providerId: t.providerId as string,
          model: t.model as string,
          alias: t.alias as string | null,
          weight: t.weight as number,
          priority: t.priority as number,
          description: t.description as string | null,
          options: json(t.options),
          position: t.position as number,
          enabled: t.enabled as boolean,
        };
        await tx.target.upsert({ where: { id: t.id as string }, create: { id: t.id as string, ...row }, update: row });
      }
      await tx.routeAllowedGroup.deleteMany({ where: { routeId: id } });
      const groups = want.allowedGroupIds as string[];
      if (groups.length) await tx.routeAllowedGroup.createMany({ data: groups.map((groupId) => ({ routeId: id, groupId })) });
      return;
    }
    case "consumer": {
      const data = {
        name: want.name as string,
        description: want.description as string | null,
        teamId: want.teamId as string | null,
        metadata: json(want.metadata),
        disabled: want.disabled as boolean,
      };
      await tx.consumer.upsert({ where: { id }, create: { id, ...data }, update: data });
      await tx.consumerGroupMember.deleteMany({ where: { consumerId: id } });
      const groups = want.groupIds as string[];
      if (groups.length)
        await tx.consumerGroupMember.createMany({ data: groups.map((groupId) => ({ consumerId: id, groupId })) });
      return;
    }
    case "key": {
      const revoked = want.revoked as boolean;
      const data = {
        consumerId: want.consumerId as string,
        name: want.name as string,
        hash: want.hash as string,
        allowedRoutes: want.allowedRoutes as string[],
        allowedModels: want.allowedModels as string[],
        expiresAt: want.expiresAt ? new Date(want.expiresAt as string) : null,
        status: revoked ? ("REVOKED" as const) : ("ACTIVE" as const),
      };
      const revokedAt = revoked && !have?.revoked ? { revokedAt: new Date() } : !revoked ? { revokedAt: null } : {};
      await tx.apiKey.upsert({
        where: { id },
        create: { id, ...data, ...revokedAt, start: `imported-${(want.hash as string).slice(0, 6)}` },
        update: { ...data, ...revokedAt },
      });
      return;
    }
    case "template": {
      const versions = want.versions as Array<{ version: number; body: unknown }>;
      const data = {
        name: want.name as string,
        description: want.description as string | null,
        currentVersion: want.currentVersion as number,
      };
      await tx.promptTemplate.upsert({ where: { id }, create: { id, ...data }, update: data });
      const stored = await tx.promptTemplateVersion.findMany({ where: { templateId: id } });
      for (const v of versions) {
        const existing = stored.find((x) => x.version === v.version);
        if (existing && stable(existing.body) !== stable(v.body))
          throw new ConfigError(
            "conflict",
            `template ${want.name}: version ${v.version} differs from the stored one; versions are immutable, add a new version`,
          );
        if (!existing) {
          await tx.promptTemplateVersion.create({
            data: {
              id: declarativeId("tplv", id, v.version),
              templateId: id,
              version: v.version,
              body: json(v.body),
              variables: templateVariables(v.body as { messages: Array<{ content: string }> }),
            },
          });
        }
      }
      await tx.promptTemplateVersion.deleteMany({
        where: { templateId: id, version: { notIn: versions.map((v) => v.version) } },
      });
      return;
    }
    case "policy": {
      const { id: _id, config, ...rest } = want;
      const data = { ...(rest as Omit<Prisma.PolicyUncheckedCreateInput, "id" | "config">), config: json(config) };
      await tx.policy.upsert({ where: { id }, create: { id, ...data }, update: data });
      return;
    }
    case "budget": {
      const { id: _id, ...rest } = want;
      const data = rest as Omit<Prisma.BudgetUncheckedCreateInput, "id">;
      await tx.budget.upsert({ where: { id }, create: { id, ...data }, update: data });
      return;
    }
    case "price": {
      await tx.price.create({
        data: {
          id: `price_${sha256Hex(id).slice(0, 20)}`,
          providerKind: kindToDb(want.providerKind as string) as never,
          model: want.model as string,
          inputPer1M: want.inputPer1M as string,
          outputPer1M: want.outputPer1M as string,
          cachedInputPer1M: want.cachedInputPer1M as string | null,
          reasoningPer1M: want.reasoningPer1M as string | null,
          currency: want.currency as string,
          contextWindow: want.contextWindow as number | null,
          effectiveFrom: new Date(want.effectiveFrom as string),
        },
      });
      return;
    }
  }
}

async function deleteEntry(tx: Tx, kind: DeclarativeKind, id: string) {
  switch (kind) {
    case "team":
      return void (await tx.team.delete({ where: { id } }));
    case "group":
      return void (await tx.consumerGroup.delete({ where: { id } }));
    case "provider":
      return void (await tx.provider.delete({ where: { id } }));
    case "route":
      return void (await tx.route.delete({ where: { id } }));
    case "consumer":
      return void (await tx.consumer.delete({ where: { id } }));
    case "key":
      return void (await tx.apiKey.delete({ where: { id } }));
    case "template":
      return void (await tx.promptTemplate.delete({ where: { id } }));
    case "policy":
      return void (await tx.policy.delete({ where: { id } }));
    case "budget":
      return void (await tx.budget.delete({ where: { id } }));
    case "price":
      return;
  }
}

/** Writes go parents first; deletions children first (a route goes before the provider its targets used). */
const WRITE_ORDER: DeclarativeKind[] = [
  "team",
  "group",
  "provider",
  "route",
  "consumer",
  "key",
  "template",
  "policy",
  "budget",
  "price",
];
const DELETE_ORDER: DeclarativeKind[] = ["budget", "policy", "key", "consumer", "route", "template", "provider", "group", "team"];

/**
 * Make the configuration equal to the document, in one transaction: one config version bump and one audit entry
 * ("config.apply", with the plan). Nothing changes when the plan is empty (no version bump either).
 */
export async function applyDeclarativeConfig(
  input: string | unknown,
  actor: Actor,
  db: Db = getDb(),
  opts: DeclarativeOptions = {},
): Promise<DeclarativePlan & { version: string | null }> {
  const doc = parseDeclarativeConfig(input);
  const ring = ringOf(opts);
  try {
    // plan outside for an early answer; the transaction re-plans against what it reads itself
    const before = await currentState(db, ring);
    const preview = plan(before, normalizeDeclarative(doc, { current: before, env: opts.env ?? process.env }));
    if (preview.changes.length === 0) return { ...preview, version: null };
    const { result, version } = await writeConfig(
      db,
      null,
      async (tx) => {
        const current = await currentState(tx, ring);
        const desired = normalizeDeclarative(doc, { current, env: opts.env ?? process.env });
        const p = plan(current, desired);
        const changed = new Set(p.changes.map((c) => `${c.kind}:${c.id}`));
        for (const kind of WRITE_ORDER)
          for (const [id, want] of desired[kind])
            if (changed.has(`${kind}:${id}`)) await writeEntry(tx, kind, id, want.data, current[kind].get(id)?.data);
        for (const kind of DELETE_ORDER)
          for (const c of p.changes) if (c.kind === kind && c.action === "delete") await deleteEntry(tx, kind, c.id);
        await tx.auditLog.create({
          data: {
            actorType: actor.type,
            actorId: actor.id ?? null,
            actorLabel: actor.label ?? null,
            action: "config.apply",
            entityType: "config",
            after: auditJson({ counts: p.counts, kept: p.kept, changes: p.changes }) ?? undefined,
            ip: actor.ip ?? null,
          },
        });
        return p;
      },
      { timeout: 120_000, maxWait: 10_000 },
    );
    return { ...result, version: version.toString() };
  } catch (err) {
    throw mapPrismaError(err);
  }
}

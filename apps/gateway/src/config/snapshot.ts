// The config snapshot: everything the data plane needs, validated with the shared zod schemas and turned into lookup
// structures once, so a request does map lookups only. A RawConfig (plain JSON, secrets still encrypted) comes from
// Postgres, the YAML file or the on-disk copy; buildSnapshot validates it, decrypts credentials and precomputes
// per-route structures. Any validation failure throws SnapshotError and the store keeps the previous snapshot.

import { createPublicKey, type KeyObject } from "node:crypto";
import { BlockList, isIP } from "node:net";
import { Prisma } from "@sluice/db";
import type { MasterKeyRing } from "@sluice/db/crypto";
import {
  CredentialRefSchema,
  type NativeFormat as NativeFormatName,
  NativeFormatSchema,
  type ProviderKind,
  ProviderKindSchema,
  ProviderSettingsSchema,
  parsePolicyConfig,
  type RouteBalancer,
  RouteBalancerSchema,
  type RouteOptions,
  RouteOptionsSchema,
  type RouteRetry,
  RouteRetrySchema,
  type RouteType,
  RouteTypeSchema,
  TargetOptionsSchema,
} from "@sluice/db/schemas";
import { createRemoteJWKSet, type JWTVerifyGetKey } from "jose";
import { z } from "zod";
import { type CompiledTemplate, compileTemplate } from "../lib/template.ts";
import { providers as adapters } from "../providers/registry.ts";
import type { ProviderAdapter, ProviderCredentials } from "../providers/types.ts";
import {
  buildGovernance,
  type Governance,
  type GovernanceOptions,
  RawBudgetSchema,
  RawPromptTemplateSchema,
} from "./governance.ts";
import {
  defaultVaultReader,
  type ResolveContext,
  resolveCredentials,
  resolvePreviousCredentials,
  type SecretRead,
  type VaultReader,
} from "./secrets.ts";

type Decimal = Prisma.Decimal;
const Decimal = Prisma.Decimal;

// ─── raw config (the serialisable form) ────────────────────────────────────────────────────────────────────────

const Id = z.string().min(1);
const IsoDate = z.union([z.string(), z.date()]).transform((v, ctx) => {
  const d = v instanceof Date ? v : new Date(v);
  if (Number.isNaN(d.getTime())) {
    ctx.addIssue({ code: "custom", message: "invalid date" });
    return z.NEVER;
  }
  return d.toISOString();
});
const DecimalText = z
  .union([z.string(), z.number()])
  .transform((v) => String(v))
  .refine((v) => /^-?\d+(\.\d+)?$/.test(v), { message: "must be a decimal number" });

export const RawProviderSchema = z.object({
  id: Id,
  name: z.string().min(1),
  kind: ProviderKindSchema,
  baseUrl: z.string().url().nullable().default(null),
  settings: ProviderSettingsSchema.prefault({}),
  credentialsEncrypted: z.string().min(1).nullable().default(null),
  credentialsRef: CredentialRefSchema.nullable().default(null),
  /** zero-downtime rotation: the previous envelope, usable until previousCredentialsExpiresAt */
  previousCredentialsEncrypted: z.string().min(1).nullable().default(null),
  previousCredentialsExpiresAt: IsoDate.nullable().default(null),
  allowOverride: z.boolean().default(false),
  enabled: z.boolean().default(true),
});

export const RawTargetSchema = z.object({
  id: Id,
  providerId: Id,
  model: z.string().min(1),
  alias: z.string().min(1).nullable().default(null),
  weight: z.number().int().min(0).default(100),
  priority: z.number().int().default(0),
  options: TargetOptionsSchema.prefault({}),
  position: z.number().int().default(0),
  enabled: z.boolean().default(true),
  /** free text; the semantic balancer compares prompts with it */
  description: z.string().nullable().default(null),
});

export const RawRouteSchema = z.object({
  id: Id,
  name: z.string().min(1),
  paths: z.array(z.string().min(1)).min(1),
  type: RouteTypeSchema,
  nativeFormat: NativeFormatSchema.nullable().default(null),
  balancer: RouteBalancerSchema.prefault({}),
  retry: RouteRetrySchema.prefault({}),
  options: RouteOptionsSchema.prefault({}),
  enabled: z.boolean().default(true),
  allowedGroupIds: z.array(Id).default([]),
  targets: z.array(RawTargetSchema).default([]),
});

export const RawConsumerSchema = z.object({
  id: Id,
  name: z.string().min(1),
  teamId: z.string().nullable().default(null),
  metadata: z.record(z.string(), z.unknown()).default({}),
  disabled: z.boolean().default(false),
  groupIds: z.array(Id).default([]),
});

export const RawGroupSchema = z.object({ id: Id, name: z.string().min(1) });

export const RawApiKeySchema = z.object({
  id: Id,
  consumerId: Id,
  hash: z.string().regex(/^[0-9a-f]{64}$/, "must be a lower-case sha256 hex digest"),
  allowedRoutes: z.array(z.string()).default([]),
  allowedModels: z.array(z.string()).default([]),
  status: z.enum(["ACTIVE", "REVOKED"]).default("ACTIVE"),
  expiresAt: IsoDate.nullable().default(null),
});

export const RawPolicySchema = z
  .object({
    id: Id,
    name: z.string().min(1),
    type: z.string().min(1),
    scope: z.enum(["GLOBAL", "ROUTE", "GROUP", "CONSUMER", "KEY", "TEAM"]),
    routeId: z.string().nullable().default(null),
    groupId: z.string().nullable().default(null),
    consumerId: z.string().nullable().default(null),
    apiKeyId: z.string().nullable().default(null),
    teamId: z.string().nullable().default(null),
    position: z.number().int().default(0),
    enabled: z.boolean().default(true),
    config: z.unknown().default({}),
  })
  .superRefine((p, ctx) => {
    const r = parsePolicyConfig(p.type, p.config);
    if (!r.success) {
      for (const issue of r.error.issues) {
        ctx.addIssue({ code: "custom", path: ["config", ...issue.path], message: issue.message });
      }
    }
  });

export const RawPriceSchema = z.object({
  providerKind: ProviderKindSchema,
  model: z.string().min(1),
  inputPer1M: DecimalText,
  outputPer1M: DecimalText,
  cachedInputPer1M: DecimalText.nullable().default(null),
  reasoningPer1M: DecimalText.nullable().default(null),
  currency: z.string().min(1).default("USD"),
  effectiveFrom: IsoDate,
});

export const RawConfigSchema = z.object({
  /** the config version (bigint as decimal text) */
  version: z.union([z.string().regex(/^\d+$/), z.number().int().min(0), z.bigint()]).transform((v) => String(v)),
  providers: z.array(RawProviderSchema).default([]),
  routes: z.array(RawRouteSchema).default([]),
  consumers: z.array(RawConsumerSchema).default([]),
  groups: z.array(RawGroupSchema).default([]),
  apiKeys: z.array(RawApiKeySchema).default([]),
  policies: z.array(RawPolicySchema).default([]),
  prices: z.array(RawPriceSchema).default([]),
  budgets: z.array(RawBudgetSchema).default([]),
  promptTemplates: z.array(RawPromptTemplateSchema).default([]),
});

export type RawConfigInput = z.input<typeof RawConfigSchema>;
export type RawConfig = z.output<typeof RawConfigSchema>;
export type RawProvider = RawConfig["providers"][number];
export type RawPolicy = RawConfig["policies"][number];

// ─── the snapshot ──────────────────────────────────────────────────────────────────────────────────────────────

export interface ProviderEntry {
  id: string;
  name: string;
  kind: ProviderKind;
  adapter: ProviderAdapter;
  /** base URL without trailing slash; "" when it could not be determined (see `unavailable`) */
  baseUrl: string;
  origin: string;
  settings: Record<string, unknown>;
  credentials: ProviderCredentials;
  /** during a rotation's grace period: the previous credential, tried once when the upstream answers 401 */
  previousCredentials: { credentials: ProviderCredentials; expiresAt: number } | null;
  /** why the provider cannot be used (credentials not resolvable, no base URL); null when usable */
  unavailable: string | null;
  allowOverride: boolean;
  enabled: boolean;
  connections: number;
}

export interface TargetOptionRule {
  name: "temperature" | "top_p" | "top_k" | "max_tokens" | "presence_penalty" | "frequency_penalty";
  value: number;
  override: boolean;
}

export interface TargetEntry {
  id: string;
  /** = provider.id (the balancer's BalancerTarget shape) */
  providerId: string;
  description: string | null;
  provider: ProviderEntry;
  model: CompiledTemplate;
  /** the name clients use (alias, or the model setting) */
  clientModel: string;
  optionRules: TargetOptionRule[];
  headers: Record<string, string> | null;
  timeoutMs: number | null;
  weight: number;
  priority: number;
}

export interface CorsEntry {
  origins: Set<string>;
  anyOrigin: boolean;
  allowHeaders: string;
  credentials: boolean;
  maxAge: string;
}

export interface RouteEntry {
  id: string;
  name: string;
  type: RouteType;
  /** native routes: the wire format clients speak (anthropic | gemini | bedrock) */
  nativeFormat: NativeFormatName | null;
  paths: string[];
  options: RouteOptions;
  retry: RouteRetry;
  balancer: RouteBalancer;
  /** consumer group ids allowed; null = any authenticated consumer */
  allowedGroups: Set<string> | null;
  targets: TargetEntry[];
  /** client model name -> targets serving it */
  byModel: Map<string, TargetEntry[]>;
  /** targets whose model is a template without alias (or alias "*"): serve any requested model */
  wildcard: TargetEntry[];
  /** the names shown by GET /models */
  modelNames: string[];
  keyHeader: string | null;
  bodyLimit: number | null;
  ip: { allow: BlockList | null; deny: BlockList | null } | null;
  cors: CorsEntry | null;
  jwt: { key: KeyObject | JWTVerifyGetKey; issuer?: string; audience?: string; consumerClaim: string } | null;
  logPayloads: boolean;
}

export interface RegexRoute {
  regex: RegExp;
  route: RouteEntry;
}

export interface ConsumerEntry {
  id: string;
  name: string;
  teamId: string | null;
  groups: Set<string>;
  metadata: Record<string, unknown>;
  disabled: boolean;
}

export interface KeyEntry {
  id: string;
  consumer: ConsumerEntry;
  revoked: boolean;
  expiresAt: number | null;
  allowedRoutes: Set<string> | null;
  allowedModels: Set<string> | null;
}

export interface PriceEntry {
  model: string;
  input: Decimal;
  output: Decimal;
  cached: Decimal | null;
  reasoning: Decimal | null;
  currency: string;
  effectiveFrom: number;
}

export interface Snapshot {
  version: bigint;
  builtAt: number;
  source: "database" | "file" | "disk-cache" | "empty";
  /** the validated raw form (credentials still encrypted), kept for the on-disk copy */
  raw: RawConfig;
  /** route type -> normalised path prefix -> route */
  exact: Record<RouteType, Map<string, RouteEntry>>;
  regex: Record<RouteType, RegexRoute[]>;
  /** normalised prefix -> routes under it (GET /models) */
  byPrefix: Map<string, RouteEntry[]>;
  routesById: Map<string, RouteEntry>;
  providersById: Map<string, ProviderEntry>;
  keysByHash: Map<string, KeyEntry>;
  consumersById: Map<string, ConsumerEntry>;
  consumersByName: Map<string, ConsumerEntry>;
  groupsById: Map<string, { id: string; name: string }>;
  policies: RawPolicy[];
  /** provider kind -> model -> prices, newest effectiveFrom first */
  prices: Map<string, Map<string, PriceEntry[]>>;
  /** policy set, budgets, templates and cache policies (config/governance.ts) */
  governance: Governance;
  /** the secrets read while building this snapshot (provider, source; never values): counted and audited */
  secretReads: SecretRead[];
  warnings: string[];
}

export class SnapshotError extends Error {
  override name = "SnapshotError";
}

export interface BuildOptions {
  ring: MasterKeyRing | null;
  source: Snapshot["source"];
  env?: Record<string, string | undefined>;
  now?: number;
  /** custom policy modules loaded at startup (SLUICE_POLICY_MODULES) */
  customPolicies?: GovernanceOptions["customPolicies"];
  /** Vault reads and their TTL cache (default: the process-wide one) */
  vault?: VaultReader;
}

export const ENDPOINT_SUFFIX: Record<Exclude<RouteType, "native">, string> = {
  chat: "/chat/completions",
  completions: "/completions",
  embeddings: "/embeddings",
};

/** "/v1/" -> "/v1"; "/" -> "" */
export function normalisePrefix(path: string): string {
  let p = path.trim();
  if (!p.startsWith("/")) p = `/${p}`;
  while (p.endsWith("/")) p = p.slice(0, -1);
  return p;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function formatZodError(err: z.ZodError): string {
  return err.issues
    .slice(0, 10)
    .map((i) => `${i.path.join(".")}: ${i.message}`)
    .join("; ");
}

export function parseRawConfig(input: unknown): RawConfig {
  const result = RawConfigSchema.safeParse(input);
  if (!result.success) throw new SnapshotError(`config is invalid: ${formatZodError(result.error)}`);
  return result.data;
}

async function buildProvider(p: RawProvider, c: ResolveContext, now: number): Promise<ProviderEntry> {
  const adapter = adapters[p.kind];
  const { credentials, error } = await resolveCredentials(p, c);
  const previousCredentials = resolvePreviousCredentials(p, c, now);
  let baseUrl = "";
  let origin = "";
  let unavailable = error;
  try {
    baseUrl = (p.baseUrl ?? adapter.defaultBaseUrl(p.settings)).replace(/\/+$/, "");
    origin = new URL(baseUrl).origin;
  } catch (err) {
    unavailable = (err as Error).message;
  }
  return {
    id: p.id,
    name: p.name,
    kind: p.kind,
    adapter,
    baseUrl,
    origin,
    settings: p.settings as Record<string, unknown>,
    credentials,
    previousCredentials,
    unavailable,
    allowOverride: p.allowOverride,
    enabled: p.enabled,
    connections: p.settings.connections ?? 128,
  };
}

function buildBlockList(entries: string[], what: string): BlockList | null {
  if (entries.length === 0) return null;
  const list = new BlockList();
  for (const entry of entries) {
    const [addr, bits] = entry.split("/") as [string, string | undefined];
    const family = isIP(addr);
    if (family === 0) throw new SnapshotError(`${what}: "${entry}" is not an IP address or CIDR`);
    const type = family === 6 ? "ipv6" : "ipv4";
    if (bits === undefined) list.addAddress(addr, type);
    else {
      const prefix = Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32)) {
        throw new SnapshotError(`${what}: "${entry}" has an invalid prefix length`);
      }
      list.addSubnet(addr, prefix, type);
    }
  }
  return list;
}

async function buildJwt(route: RawConfig["routes"][number]): Promise<RouteEntry["jwt"]> {
  const jwt = route.options.jwt;
  if (!jwt || route.options.auth === "key" || route.options.auth === "none") return null;
  let key: KeyObject | JWTVerifyGetKey;
  if (jwt.jwksUrl) {
    key = createRemoteJWKSet(new URL(jwt.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 600_000 });
  } else {
    try {
      key = createPublicKey(jwt.publicKeyPem as string);
    } catch (err) {
      throw new SnapshotError(`route ${route.name}: jwt.publicKeyPem is not a usable public key (${(err as Error).message})`);
    }
  }
  return { key, issuer: jwt.issuer, audience: jwt.audience, consumerClaim: jwt.consumerClaim };
}

const OPTION_NAMES: TargetOptionRule["name"][] = [
  "temperature",
  "top_p",
  "top_k",
  "max_tokens",
  "presence_penalty",
  "frequency_penalty",
];

export async function buildSnapshot(input: unknown, opts: BuildOptions): Promise<Snapshot> {
  const raw = parseRawConfig(input);
  const env = opts.env ?? process.env;
  const warnings: string[] = [];

  const providersById = new Map<string, ProviderEntry>();
  const secrets: ResolveContext = { ring: opts.ring, env, vault: opts.vault ?? defaultVaultReader, reads: [] };
  const ids = new Set<string>();
  for (const p of raw.providers) {
    if (ids.has(p.id)) throw new SnapshotError(`provider id ${p.id} appears twice`);
    ids.add(p.id);
  }
  // resolved concurrently: one slow secret store does not add up per provider
  const built = await Promise.all(raw.providers.map((p) => buildProvider(p, secrets, opts.now ?? Date.now())));
  for (const [i, p] of raw.providers.entries()) {
    const entry = built[i] as ProviderEntry;
    if (entry.unavailable) warnings.push(`provider ${p.name}: ${entry.unavailable}`);
    providersById.set(p.id, entry);
  }

  const groupsById = new Map(raw.groups.map((g) => [g.id, g]));

  const exact = { chat: new Map(), completions: new Map(), embeddings: new Map(), native: new Map() } as Snapshot["exact"];
  const regex = { chat: [], completions: [], embeddings: [], native: [] } as Snapshot["regex"];
  const byPrefix = new Map<string, RouteEntry[]>();
  const routesById = new Map<string, RouteEntry>();

  const routes = [...raw.routes].sort((a, b) => a.name.localeCompare(b.name));
  for (const r of routes) {
    if (!r.enabled) continue;
    const targets: TargetEntry[] = [];
    const byModel = new Map<string, TargetEntry[]>();
    const wildcard: TargetEntry[] = [];
    const ordered = [...r.targets].sort((a, b) => a.position - b.position);
    for (const t of ordered) {
      if (!t.enabled) continue;
      const provider = providersById.get(t.providerId);
      if (!provider) throw new SnapshotError(`route ${r.name}: target ${t.id} names unknown provider ${t.providerId}`);
      if (!provider.enabled) continue;
      let model: CompiledTemplate;
      try {
        model = compileTemplate(t.model);
      } catch (err) {
        throw new SnapshotError(`route ${r.name}: target ${t.id}: ${(err as Error).message}`);
      }
      const optionRules: TargetOptionRule[] = [];
      for (const name of OPTION_NAMES) {
        const o = t.options[name];
        if (o) optionRules.push({ name, value: o.value, override: o.mode === "override" });
      }
      const entry: TargetEntry = {
        id: t.id,
        providerId: provider.id,
        description: t.description,
        provider,
        model,
        clientModel: t.alias ?? t.model,
        optionRules,
        headers: t.options.headers
          ? Object.fromEntries(Object.entries(t.options.headers).map(([k, v]) => [k.toLowerCase(), v]))
          : null,
        timeoutMs: t.options.timeoutMs ?? null,
        weight: t.weight,
        priority: t.priority,
      };
      targets.push(entry);
      if (t.alias === "*" || (t.alias === null && model.parts !== null)) wildcard.push(entry);
      else {
        const list = byModel.get(entry.clientModel);
        if (list) list.push(entry);
        else byModel.set(entry.clientModel, [entry]);
      }
    }
    for (const [name, list] of byModel) {
      if (list.length > 1) list.sort((a, b) => a.priority - b.priority);
      byModel.set(name, list);
    }
    const o = r.options;
    const cors = o.cors
      ? {
          origins: new Set(o.cors.origins),
          anyOrigin: o.cors.origins.includes("*"),
          allowHeaders: ["authorization", "content-type", "x-api-key", ...(o.keyHeader ? [o.keyHeader] : []), ...o.cors.headers]
            .map((h) => h.toLowerCase())
            .join(", "),
          credentials: o.cors.credentials,
          maxAge: String(o.cors.maxAge),
        }
      : null;
    const route: RouteEntry = {
      id: r.id,
      name: r.name,
      type: r.type,
      nativeFormat: r.nativeFormat,
      paths: r.paths,
      options: o,
      retry: r.retry,
      balancer: r.balancer,
      allowedGroups: r.allowedGroupIds.length > 0 ? new Set(r.allowedGroupIds) : null,
      targets,
      byModel,
      wildcard,
      modelNames: [...byModel.keys()],
      keyHeader: o.keyHeader ? o.keyHeader.toLowerCase() : null,
      bodyLimit: o.bodyLimit ?? null,
      ip:
        o.ipAllow.length > 0 || o.ipDeny.length > 0
          ? {
              allow: buildBlockList(o.ipAllow, `route ${r.name} ipAllow`),
              deny: buildBlockList(o.ipDeny, `route ${r.name} ipDeny`),
            }
          : null,
      cors,
      jwt: await buildJwt(r),
      logPayloads: o.logPayloads,
    };
    if ((o.auth === "jwt" || o.auth === "key-or-jwt") && !route.jwt) {
      throw new SnapshotError(`route ${r.name}: auth "${o.auth}" needs options.jwt`);
    }
    if (r.type === "native" && r.nativeFormat === null) {
      throw new SnapshotError(`route ${r.name}: a native route needs nativeFormat (anthropic, gemini or bedrock)`);
    }
    routesById.set(r.id, route);
    for (const path of r.paths) {
      if (path.startsWith("~")) {
        if (r.type === "native") continue;
        let re: RegExp;
        try {
          re = new RegExp(`^(?:${path.slice(1)})${escapeRegex(ENDPOINT_SUFFIX[r.type])}$`);
        } catch (err) {
          throw new SnapshotError(`route ${r.name}: path ${path} is not a valid regular expression (${(err as Error).message})`);
        }
        regex[r.type].push({ regex: re, route });
        continue;
      }
      const prefix = normalisePrefix(path);
      // native routes of different formats share a prefix without conflict (see pipeline/native-match.ts)
      const key = r.type === "native" ? `${r.nativeFormat}:${prefix}` : prefix;
      const existing = exact[r.type].get(key);
      if (existing) {
        warnings.push(`routes ${existing.name} and ${r.name} both serve ${r.type} on ${prefix || "/"}; ${existing.name} wins`);
      } else exact[r.type].set(key, route);
      const list = byPrefix.get(prefix);
      if (list) list.push(route);
      else byPrefix.set(prefix, [route]);
    }
  }

  const consumersById = new Map<string, ConsumerEntry>();
  const consumersByName = new Map<string, ConsumerEntry>();
  for (const c of raw.consumers) {
    const entry: ConsumerEntry = {
      id: c.id,
      name: c.name,
      teamId: c.teamId,
      groups: new Set(c.groupIds),
      metadata: c.metadata,
      disabled: c.disabled,
    };
    consumersById.set(c.id, entry);
    consumersByName.set(c.name, entry);
  }

  const keysByHash = new Map<string, KeyEntry>();
  for (const k of raw.apiKeys) {
    const consumer = consumersById.get(k.consumerId);
    if (!consumer) {
      warnings.push(`api key ${k.id} belongs to unknown consumer ${k.consumerId}; ignored`);
      continue;
    }
    keysByHash.set(k.hash, {
      id: k.id,
      consumer,
      revoked: k.status === "REVOKED",
      expiresAt: k.expiresAt ? Date.parse(k.expiresAt) : null,
      allowedRoutes: k.allowedRoutes.length > 0 ? new Set(k.allowedRoutes) : null,
      allowedModels: k.allowedModels.length > 0 ? new Set(k.allowedModels) : null,
    });
  }

  const prices = new Map<string, Map<string, PriceEntry[]>>();
  for (const p of raw.prices) {
    let byModel = prices.get(p.providerKind);
    if (!byModel) {
      byModel = new Map();
      prices.set(p.providerKind, byModel);
    }
    const entry: PriceEntry = {
      model: p.model,
      input: new Decimal(p.inputPer1M),
      output: new Decimal(p.outputPer1M),
      cached: p.cachedInputPer1M === null ? null : new Decimal(p.cachedInputPer1M),
      reasoning: p.reasoningPer1M === null ? null : new Decimal(p.reasoningPer1M),
      currency: p.currency,
      effectiveFrom: Date.parse(p.effectiveFrom),
    };
    const list = byModel.get(p.model);
    if (list) list.push(entry);
    else byModel.set(p.model, [entry]);
  }
  for (const byModel of prices.values())
    for (const list of byModel.values()) list.sort((a, b) => b.effectiveFrom - a.effectiveFrom);

  const governance = buildGovernance(raw, { customPolicies: opts.customPolicies });
  for (const w of governance.warnings) warnings.push(w);

  return {
    version: BigInt(raw.version),
    builtAt: opts.now ?? Date.now(),
    source: opts.source,
    raw,
    exact,
    regex,
    byPrefix,
    routesById,
    providersById,
    keysByHash,
    consumersById,
    consumersByName,
    groupsById,
    policies: raw.policies.filter((p) => p.enabled).sort((a, b) => a.position - b.position),
    prices,
    governance,
    secretReads: secrets.reads,
    warnings,
  };
}

export function emptySnapshot(): Promise<Snapshot> {
  return buildSnapshot({ version: "0" }, { ring: null, source: "empty" });
}

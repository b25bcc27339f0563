import { z } from "zod";
import { ProviderKindSchema, RouteTypeSchema } from "./enums.ts";
import { BudgetConfigSchema, PromptTemplateBodySchema } from "./policy.ts";
import { CredentialRefSchema } from "./provider.ts";

// The declarative configuration file (Kong decK's idea): the whole gateway configuration as one YAML document. The same
// format is read by the gateway in DB-less mode and by the Admin API's import/export (`pnpm sluice config ...`).
//
// The gateway's DB-less loader (apps/gateway/src/config/yaml.ts) parses with this very schema, so an export boots a
// gateway unchanged (entities refer to each other by name; ids default to "<prefix>_<name>"; `credentials` is a
// reference resolved by the gateway, never a secret; keys are sha256 hashes or `keyEnv` references). `teams`,
// descriptions, key names and price context windows are kept for the database and ignored by the gateway, so an
// export of a database loses nothing. Secrets never appear: stored provider credentials export as environment references.

const Name = z.string().min(1);
const Json = z.record(z.string(), z.unknown());
const Description = z.string().nullable().optional();

export const DeclarativeProviderSchema = z
  .object({
    id: z.string().optional(),
    name: Name,
    kind: ProviderKindSchema,
    baseUrl: z.string().nullable().optional(),
    settings: Json.optional(),
    /** a reference the gateway resolves: { env: { apiKey: "OPENAI_API_KEY" } } | { file: "/run/secrets/x" } | { vault: {...} } */
    credentials: CredentialRefSchema.nullable().optional(),
    /** an envelope made with the master key (accepted on import, never exported) */
    credentialsEncrypted: z.string().optional(),
    allowOverride: z.boolean().optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

export const DeclarativeGroupSchema = z.object({ id: z.string().optional(), name: Name, description: Description }).strict();

export const DeclarativeTeamSchema = z
  .object({ id: z.string().optional(), name: Name, slug: z.string().min(1), description: Description })
  .strict();

export const DeclarativeTargetSchema = z
  .object({
    id: z.string().optional(),
    /** provider name */
    provider: Name,
    model: Name,
    alias: z.string().nullable().optional(),
    weight: z.number().int().min(0).optional(),
    priority: z.number().int().optional(),
    description: Description,
    options: Json.optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

export const DeclarativeRouteSchema = z
  .object({
    id: z.string().optional(),
    name: Name,
    description: Description,
    paths: z.array(z.string()).min(1),
    type: RouteTypeSchema.default("chat"),
    nativeFormat: z.string().nullable().optional(),
    balancer: Json.optional(),
    retry: Json.optional(),
    options: Json.optional(),
    enabled: z.boolean().optional(),
    /** consumer group names */
    allowedGroups: z.array(Name).default([]),
    targets: z.array(DeclarativeTargetSchema).default([]),
  })
  .strict();

export const DeclarativeKeySchema = z
  .object({
    id: z.string().optional(),
    name: z.string().optional(),
    /** sha256 hex of the key */
    hash: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, "a sha256 hex digest")
      .optional(),
    /** name of an environment variable holding the plaintext key (hashed when loaded) */
    keyEnv: z.string().optional(),
    allowedRoutes: z.array(z.string()).optional(),
    allowedModels: z.array(z.string()).optional(),
    expiresAt: z.string().nullable().optional(),
    revoked: z.boolean().optional(),
  })
  .strict()
  .refine((k) => (k.hash ? !k.keyEnv : !!k.keyEnv), { message: "give exactly one of hash or keyEnv" });

export const DeclarativeConsumerSchema = z
  .object({
    id: z.string().optional(),
    name: Name,
    description: Description,
    /** team id */
    team: z.string().nullable().optional(),
    metadata: Json.optional(),
    disabled: z.boolean().optional(),
    /** group names */
    groups: z.array(Name).default([]),
    keys: z.array(DeclarativeKeySchema).default([]),
  })
  .strict();

/** A policy as the gateway's snapshot holds it; attachments by id. The config is checked against its type on import. */
export const DeclarativePolicySchema = z
  .object({
    id: z.string().optional(),
    name: Name,
    type: Name,
    scope: z.enum(["GLOBAL", "ROUTE", "GROUP", "CONSUMER", "KEY", "TEAM"]).default("GLOBAL"),
    routeId: z.string().nullable().optional(),
    groupId: z.string().nullable().optional(),
    consumerId: z.string().nullable().optional(),
    apiKeyId: z.string().nullable().optional(),
    teamId: z.string().nullable().optional(),
    position: z.number().int().optional(),
    enabled: z.boolean().optional(),
    config: z.unknown().optional(),
  })
  .strict();

export const DeclarativePriceSchema = z
  .object({
    providerKind: ProviderKindSchema,
    model: Name,
    inputPer1M: z.union([z.string(), z.number()]),
    outputPer1M: z.union([z.string(), z.number()]),
    cachedInputPer1M: z.union([z.string(), z.number()]).nullable().optional(),
    reasoningPer1M: z.union([z.string(), z.number()]).nullable().optional(),
    currency: z.string().optional(),
    contextWindow: z.number().int().positive().nullable().optional(),
    effectiveFrom: z.string().optional(),
  })
  .strict();

export const DeclarativeTemplateSchema = z
  .object({
    id: z.string().optional(),
    name: Name,
    description: Description,
    /** which version the gateway serves (default: the highest) */
    currentVersion: z.number().int().min(1).optional(),
    versions: z.array(z.object({ version: z.number().int().min(1), body: PromptTemplateBodySchema }).strict()).min(1),
  })
  .strict();

/** Budgets exactly as the gateway enforces them; `id` may be left out (it defaults to "bud_<name>"). */
export const DeclarativeBudgetSchema = z.unknown().superRefine((value, ctx) => {
  const withId = value && typeof value === "object" && !("id" in value) ? { ...value, id: "bud_placeholder" } : value;
  const r = BudgetConfigSchema.safeParse(withId);
  if (!r.success) for (const issue of r.error.issues) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
});

export const DeclarativeConfigSchema = z
  .object({
    /** format version (or, in a gateway's snapshot copy, the config version it came from) */
    version: z.union([z.number().int().min(0), z.string().regex(/^\d+$/)]).default(1),
    teams: z.array(DeclarativeTeamSchema).default([]),
    groups: z.array(DeclarativeGroupSchema).default([]),
    providers: z.array(DeclarativeProviderSchema).default([]),
    routes: z.array(DeclarativeRouteSchema).default([]),
    consumers: z.array(DeclarativeConsumerSchema).default([]),
    policies: z.array(DeclarativePolicySchema).default([]),
    templates: z.array(DeclarativeTemplateSchema).default([]),
    budgets: z.array(DeclarativeBudgetSchema).default([]),
    prices: z.array(DeclarativePriceSchema).default([]),
  })
  .strict();

export type DeclarativeConfigInput = z.input<typeof DeclarativeConfigSchema>;
export type DeclarativeConfig = z.output<typeof DeclarativeConfigSchema>;

/** The gateway's default id for an entity given by name only: "<prefix>_<name with odd characters as dashes>". */
export function declarativeId(prefix: string, ...parts: Array<string | number>): string {
  return `${prefix}_${parts.map((p) => String(p).replace(/[^A-Za-z0-9_-]+/g, "-")).join("_")}`;
}

/** The environment variable an exported provider credential is read from: SLUICE_CRED_<PROVIDER>_<FIELD>. */
export function exportedCredentialEnvName(providerName: string, field: string): string {
  const upper = (s: string) =>
    s
      .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
      .replace(/[^A-Za-z0-9]+/g, "_")
      .replace(/^_+|_+$/g, "")
      .toUpperCase();
  return `SLUICE_CRED_${upper(providerName)}_${upper(field)}`;
}

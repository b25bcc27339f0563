import { z } from "zod";
import { PolicyScopeSchema, ProviderKindSchema, RoleSchema, RouteTypeSchema } from "./enums.ts";
import { POLICY_TYPES, PromptTemplateBodySchema, parsePolicyConfig, TimeZoneSchema } from "./policy.ts";
import { CredentialRefSchema, ProviderCredentialsSchema, ProviderSettingsSchema } from "./provider.ts";
import { RouteBalancerSchema, RouteOptionsSchema, RouteRetrySchema, TargetOptionsSchema } from "./route.ts";

// Input shapes of the control plane (manager forms, server actions, Admin API, the config service layer). Browser-safe:
// forms import these to validate inline with exactly the rules the server applies.

export const NameSchema = z.string().trim().min(1, "required").max(100, "at most 100 characters");
const Description = z.string().trim().max(1_000, "at most 1000 characters").nullish();
const OptionalId = z.string().trim().min(1).nullish();
const NullableDate = z.coerce.date().nullish();

export const SlugSchema = z
  .string()
  .trim()
  .min(1, "required")
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, "lower-case letters, digits and dashes");

// ─── providers ─────────────────────────────────────────────────────────────────────────────────────────────────

const providerFields = {
  name: NameSchema,
  kind: ProviderKindSchema,
  baseUrl: z.string().trim().url("must be a URL").nullish(),
  settings: ProviderSettingsSchema.default({}),
  /** write-only: encrypted at rest, never returned */
  credentials: ProviderCredentialsSchema.nullish(),
  /** instead of stored credentials: a reference the gateway resolves (env, file, Vault) */
  credentialsRef: CredentialRefSchema.nullish(),
  allowOverride: z.boolean().default(false),
  enabled: z.boolean().default(true),
};
const oneCredentialSource = (p: { credentials?: unknown; credentialsRef?: unknown }) => !(p.credentials && p.credentialsRef);
const oneCredentialSourceIssue = { message: "give credentials or a credentials reference, not both", path: ["credentialsRef"] };

export const ProviderCreateSchema = z.object(providerFields).strict().refine(oneCredentialSource, oneCredentialSourceIssue);
export type ProviderCreateInput = z.input<typeof ProviderCreateSchema>;

/** Omitted fields keep their value; `credentials: null` removes stored credentials. */
export const ProviderUpdateSchema = z
  .object(providerFields)
  .partial()
  .strict()
  .refine(oneCredentialSource, oneCredentialSourceIssue);
export type ProviderUpdateInput = z.input<typeof ProviderUpdateSchema>;

export const ProviderRotateSchema = z
  .object({
    credentials: ProviderCredentialsSchema,
    /** how long the previous credential stays usable (seconds, default one hour, at most 30 days) */
    graceSeconds: z.coerce
      .number()
      .int()
      .min(0)
      .max(30 * 86_400)
      .default(3_600),
  })
  .strict();
export type ProviderRotateInput = z.input<typeof ProviderRotateSchema>;

// ─── routes ────────────────────────────────────────────────────────────────────────────────────────────────────

/** A path prefix ("/v1", "/teams/data/v1") or a regular expression with named groups after "~" (Kong style). */
export const RoutePathSchema = z
  .string()
  .trim()
  .refine(
    (s) => {
      if (s.startsWith("/")) return /^\/[A-Za-z0-9._~\-/:]*$/.test(s);
      if (!s.startsWith("~") || s.length < 2) return false;
      try {
        new RegExp(s.slice(1));
        return true;
      } catch {
        return false;
      }
    },
    { message: "a path prefix starting with / (or ~ and a valid regular expression)" },
  );

export const TargetInputSchema = z
  .object({
    /** keep an existing target's id on update; new targets get one */
    id: z.string().min(1).optional(),
    providerId: z.string().min(1, "choose a provider"),
    model: z.string().trim().min(1, "required"),
    alias: z.string().trim().min(1).nullish(),
    weight: z.coerce.number().int().min(0).max(1_000_000).default(100),
    priority: z.coerce.number().int().min(0).max(1_000).default(0),
    description: Description,
    options: TargetOptionsSchema.default({}),
    enabled: z.boolean().default(true),
  })
  .strict();
export type TargetInput = z.input<typeof TargetInputSchema>;

const routeFields = {
  name: NameSchema,
  description: Description,
  paths: z.array(RoutePathSchema).min(1, "at least one path"),
  type: RouteTypeSchema.default("chat"),
  nativeFormat: z.enum(["anthropic", "gemini", "bedrock"]).nullish(),
  balancer: RouteBalancerSchema.prefault({}),
  retry: RouteRetrySchema.prefault({}),
  options: RouteOptionsSchema.prefault({}),
  enabled: z.boolean().default(true),
  targets: z.array(TargetInputSchema).default([]),
  /** consumer group ids allowed to call the route; empty = any authenticated consumer */
  allowedGroupIds: z.array(z.string().min(1)).default([]),
};
const nativeNeedsFormat = (r: { type?: string; nativeFormat?: string | null }) => r.type !== "native" || Boolean(r.nativeFormat);
const nativeIssue = { message: "a native route needs its wire format", path: ["nativeFormat"] };

export const RouteCreateSchema = z.object(routeFields).strict().refine(nativeNeedsFormat, nativeIssue);
export type RouteCreateInput = z.input<typeof RouteCreateSchema>;
export const RouteUpdateSchema = z.object(routeFields).partial().strict();
export type RouteUpdateInput = z.input<typeof RouteUpdateSchema>;

// ─── policies ──────────────────────────────────────────────────────────────────────────────────────────────────

export const PolicyTypeSchema = z.enum(POLICY_TYPES as [string, ...string[]]);

const SCOPE_FIELD = {
  GLOBAL: null,
  ROUTE: "routeId",
  GROUP: "groupId",
  CONSUMER: "consumerId",
  KEY: "apiKeyId",
  TEAM: "teamId",
} as const;
export const POLICY_SCOPE_FIELD = SCOPE_FIELD;

const policyFields = {
  name: NameSchema,
  type: PolicyTypeSchema,
  scope: PolicyScopeSchema.default("GLOBAL"),
  routeId: OptionalId,
  groupId: OptionalId,
  consumerId: OptionalId,
  apiKeyId: OptionalId,
  teamId: OptionalId,
  position: z.coerce.number().int().min(0).max(100_000).default(0),
  enabled: z.boolean().default(true),
  config: z.unknown().default({}),
};

type PolicyShape = {
  type?: string;
  scope?: keyof typeof SCOPE_FIELD;
  config?: unknown;
} & Partial<Record<"routeId" | "groupId" | "consumerId" | "apiKeyId" | "teamId", string | null | undefined>>;

/** The policy's config must parse with its type's schema, and the scope must name exactly its one attachment. */
function checkPolicy(p: PolicyShape, ctx: z.RefinementCtx, partial: boolean) {
  if (p.type !== undefined && (p.config !== undefined || !partial)) {
    const r = parsePolicyConfig(p.type, p.config ?? {});
    if (!r.success) {
      for (const issue of r.error.issues)
        ctx.addIssue({ code: "custom", path: ["config", ...issue.path], message: issue.message });
    }
  }
  if (p.scope === undefined) return;
  const field = SCOPE_FIELD[p.scope];
  if (field && !p[field])
    ctx.addIssue({ code: "custom", path: [field], message: `a ${p.scope.toLowerCase()} policy needs ${field}` });
  for (const other of Object.values(SCOPE_FIELD)) {
    if (other && other !== field && p[other])
      ctx.addIssue({ code: "custom", path: [other], message: `not used by a ${p.scope.toLowerCase()} policy` });
  }
}

export const PolicyCreateSchema = z
  .object(policyFields)
  .strict()
  .superRefine((p, ctx) => checkPolicy(p, ctx, false));
export type PolicyCreateInput = z.input<typeof PolicyCreateSchema>;
/** Updating `config` needs `type` too (the service fills it in from the stored policy). */
export const PolicyUpdateSchema = z
  .object(policyFields)
  .partial()
  .strict()
  .superRefine((p, ctx) => checkPolicy(p, ctx, true));
export type PolicyUpdateInput = z.input<typeof PolicyUpdateSchema>;

// ─── consumers, groups, teams, keys ────────────────────────────────────────────────────────────────────────────

const MetadataSchema = z.record(z.string().min(1), z.union([z.string(), z.number(), z.boolean()])).default({});

const consumerFields = {
  name: NameSchema,
  description: Description,
  teamId: OptionalId,
  ownerUserId: OptionalId,
  metadata: MetadataSchema,
  disabled: z.boolean().default(false),
  groupIds: z.array(z.string().min(1)).default([]),
};
export const ConsumerCreateSchema = z.object(consumerFields).strict();
export type ConsumerCreateInput = z.input<typeof ConsumerCreateSchema>;
export const ConsumerUpdateSchema = z.object(consumerFields).partial().strict();
export type ConsumerUpdateInput = z.input<typeof ConsumerUpdateSchema>;

export const GroupCreateSchema = z.object({ name: NameSchema, description: Description }).strict();
export type GroupCreateInput = z.input<typeof GroupCreateSchema>;
export const GroupUpdateSchema = GroupCreateSchema.partial();
export type GroupUpdateInput = z.input<typeof GroupUpdateSchema>;

export const TeamCreateSchema = z.object({ name: NameSchema, slug: SlugSchema, description: Description }).strict();
export type TeamCreateInput = z.input<typeof TeamCreateSchema>;
export const TeamUpdateSchema = TeamCreateSchema.partial();
export type TeamUpdateInput = z.input<typeof TeamUpdateSchema>;

export const ApiKeyIssueSchema = z
  .object({
    consumerId: z.string().min(1, "choose a consumer"),
    name: NameSchema,
    allowedRoutes: z.array(z.string().min(1)).default([]),
    allowedModels: z.array(z.string().min(1)).default([]),
    expiresAt: NullableDate,
  })
  .strict();
export type ApiKeyIssueInput = z.input<typeof ApiKeyIssueSchema>;

export const ApiKeyRotateSchema = z
  .object({
    /** how long the old key keeps working (seconds); 0 revokes it at once */
    graceSeconds: z.coerce
      .number()
      .int()
      .min(0)
      .max(30 * 86_400)
      .default(0),
  })
  .strict();
export type ApiKeyRotateInput = z.input<typeof ApiKeyRotateSchema>;

// ─── prompt templates ──────────────────────────────────────────────────────────────────────────────────────────

export const TemplateNameSchema = z
  .string()
  .trim()
  .min(1, "required")
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "letters, digits, dots, dashes and underscores");

export const PromptTemplateCreateSchema = z
  .object({ name: TemplateNameSchema, description: Description, body: PromptTemplateBodySchema })
  .strict();
export type PromptTemplateCreateInput = z.input<typeof PromptTemplateCreateSchema>;
export const PromptTemplateVersionCreateSchema = z.object({ body: PromptTemplateBodySchema }).strict();
export type PromptTemplateVersionCreateInput = z.input<typeof PromptTemplateVersionCreateSchema>;

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;

/** The `{{variable}}` names a template body uses, in order of first appearance. */
export function templateVariables(body: { messages: Array<{ content: string }> }): string[] {
  const seen = new Set<string>();
  for (const m of body.messages) for (const match of m.content.matchAll(PLACEHOLDER)) seen.add(match[1] as string);
  return [...seen];
}

/** Fill a template body with sample values (preview); missing variables are listed, not guessed. */
export function renderTemplatePreview<M extends { role: string; content: string }>(
  body: { messages: M[] },
  values: Record<string, string>,
): { messages: M[]; missing: string[] } {
  const missing = new Set<string>();
  const messages = body.messages.map((m) => ({
    ...m,
    content: m.content.replace(PLACEHOLDER, (whole, name: string) => {
      if (Object.hasOwn(values, name)) return values[name] as string;
      missing.add(name);
      return whole;
    }),
  }));
  return { messages, missing: [...missing] };
}

// ─── prices, budgets ───────────────────────────────────────────────────────────────────────────────────────────

export const DecimalTextSchema = z
  .union([z.string(), z.number()])
  .transform((v) => String(v).trim())
  .refine((v) => /^\d+(\.\d{1,6})?$/.test(v), { message: "a non-negative number with at most 6 decimals" });

export const PriceCreateSchema = z
  .object({
    providerKind: ProviderKindSchema,
    model: z.string().trim().min(1, "required"),
    inputPer1M: DecimalTextSchema,
    outputPer1M: DecimalTextSchema,
    cachedInputPer1M: DecimalTextSchema.nullish(),
    reasoningPer1M: DecimalTextSchema.nullish(),
    currency: z.string().trim().length(3, "a 3-letter currency code").toUpperCase().default("USD"),
    contextWindow: z.coerce.number().int().positive().nullish(),
    /** when the price starts to apply; default now. History is never rewritten: a change is a new row. */
    effectiveFrom: z.coerce.date().optional(),
  })
  .strict();
export type PriceCreateInput = z.input<typeof PriceCreateSchema>;

const BUDGET_SCOPE_FIELD = { GLOBAL: null, TEAM: "teamId", CONSUMER: "consumerId", KEY: "apiKeyId", ROUTE: "routeId" } as const;

const budgetFields = {
  name: NameSchema,
  scope: z.enum(["GLOBAL", "TEAM", "CONSUMER", "KEY", "ROUTE"]).default("GLOBAL"),
  teamId: OptionalId,
  consumerId: OptionalId,
  apiKeyId: OptionalId,
  routeId: OptionalId,
  metric: z.enum(["TOKENS", "COST"]).default("COST"),
  limit: z
    .union([z.string(), z.number()])
    .transform((v) => String(v).trim())
    .refine((v) => /^\d+(\.\d{1,10})?$/.test(v), { message: "a non-negative number with at most 10 decimals" }),
  currency: z.string().trim().length(3).toUpperCase().default("USD"),
  period: z.enum(["DAY", "WEEK", "MONTH", "TOTAL"]).default("MONTH"),
  timezone: TimeZoneSchema.default("UTC"),
  action: z.enum(["REJECT", "DOWNGRADE"]).default("REJECT"),
  downgradeTargetId: OptionalId,
  enabled: z.boolean().default(true),
};
type BudgetShape = Partial<Record<"teamId" | "consumerId" | "apiKeyId" | "routeId" | "downgradeTargetId", string | null>> & {
  scope?: keyof typeof BUDGET_SCOPE_FIELD;
  action?: string;
};
function checkBudget(b: BudgetShape, ctx: z.RefinementCtx) {
  if (b.action === "DOWNGRADE" && !b.downgradeTargetId)
    ctx.addIssue({ code: "custom", path: ["downgradeTargetId"], message: "a downgrade budget needs a target to downgrade to" });
  if (b.scope === undefined) return;
  const field = BUDGET_SCOPE_FIELD[b.scope];
  if (field && !b[field])
    ctx.addIssue({ code: "custom", path: [field], message: `a ${b.scope.toLowerCase()} budget needs ${field}` });
}
export const BudgetCreateSchema = z.object(budgetFields).strict().superRefine(checkBudget);
export type BudgetCreateInput = z.input<typeof BudgetCreateSchema>;
export const BudgetUpdateSchema = z.object(budgetFields).partial().strict().superRefine(checkBudget);
export type BudgetUpdateInput = z.input<typeof BudgetUpdateSchema>;

// ─── users, admin tokens ───────────────────────────────────────────────────────────────────────────────────────

export const UserInviteSchema = z
  .object({
    email: z.string().trim().toLowerCase().email("an e-mail address"),
    roles: z.array(RoleSchema).min(1, "at least one role"),
    teamId: OptionalId,
    /** invite lifetime in hours (default 7 days) */
    expiresInHours: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 30)
      .default(24 * 7),
  })
  .strict();
export type UserInviteInput = z.input<typeof UserInviteSchema>;

export const InviteAcceptSchema = z
  .object({
    token: z.string().min(1),
    name: z.string().trim().max(100).nullish(),
    password: z.string().min(12, "at least 12 characters").max(200),
  })
  .strict();
export type InviteAcceptInput = z.input<typeof InviteAcceptSchema>;

export const UserUpdateSchema = z
  .object({
    name: z.string().trim().max(100).nullish(),
    roles: z.array(RoleSchema).optional(),
    teamId: OptionalId,
    disabled: z.boolean().optional(),
  })
  .strict();
export type UserUpdateInput = z.input<typeof UserUpdateSchema>;

/**
 * Admin API token scopes: `config:read` (every GET and the export), `config:write` (every config mutation and the
 * import), `users:write` (users, invites and admin tokens), `audit:read` (the audit log).
 */
export const ADMIN_SCOPES = ["config:read", "config:write", "users:write", "audit:read"] as const;
export const AdminScopeSchema = z.enum(ADMIN_SCOPES);
export type AdminScope = z.infer<typeof AdminScopeSchema>;

export const AdminTokenCreateSchema = z
  .object({
    name: NameSchema,
    scopes: z.array(AdminScopeSchema).min(1, "at least one scope"),
    expiresAt: NullableDate,
  })
  .strict();
export type AdminTokenCreateInput = z.input<typeof AdminTokenCreateSchema>;

// ─── lists ─────────────────────────────────────────────────────────────────────────────────────────────────────

/** Server-side paging, sorting and a free-text filter, from a query string or a form. */
export const ListQuerySchema = z.object({
  page: z.coerce.number().int().min(1).catch(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).catch(25).default(25),
  sort: z.string().max(50).optional(),
  order: z.enum(["asc", "desc"]).catch("asc").default("asc"),
  q: z.string().trim().max(200).optional(),
});
export type ListQuery = z.input<typeof ListQuerySchema>;

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

/** Zod issues as `{ "field.path": ["message"] }` for forms and API errors. */
export function fieldErrors(error: z.ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join(".") || "_form";
    out[key] = [...(out[key] ?? []), issue.message];
  }
  return out;
}

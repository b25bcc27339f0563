import { z } from "zod";
import { RegexSchema } from "./route.ts";

// One zod schema per policy type; `PolicyConfigSchemas[type]` validates `policies.config`. Later issues fill in the
// behaviour; the shapes are here so the manager UI, the Admin API and the gateway agree.

const FailMode = z.enum(["open", "closed"]).default("open");

export const RateLimitConfigSchema = z
  .object({
    /** what is counted */
    metric: z.enum(["requests", "tokens", "prompt_tokens", "completion_tokens", "cost"]).default("requests"),
    limit: z.number().positive(),
    windowMs: z.number().int().positive(),
    burst: z.number().min(0).default(0),
    /** per what the counter is kept */
    per: z.enum(["consumer", "key", "team", "route", "global"]).default("consumer"),
    failMode: FailMode,
  })
  .strict();

export const CacheConfigSchema = z
  .object({
    mode: z.enum(["exact", "semantic"]).default("exact"),
    ttlSeconds: z.number().int().positive().default(300),
    partition: z.enum(["consumer", "team", "shared"]).default("consumer"),
    backend: z.enum(["auto", "redis", "postgres", "memory"]).default("auto"),
    /** answers larger than this (characters of stored JSON, ~bytes) are not cached; default: the gateway's (1 MiB) */
    maxEntryBytes: z.number().int().positive().optional(),
    /** track this route's most frequent requests and re-fetch them shortly before their entries expire */
    refreshAhead: z.boolean().optional(),
    semantic: z
      .object({
        embeddingsTargetId: z.string().min(1),
        threshold: z.number().min(0).max(1).default(0.95),
        maxMessages: z.number().int().positive().default(6),
        skipWithTools: z.boolean().default(true),
      })
      .strict()
      .optional(),
  })
  .strict();

export const PromptTemplateConfigSchema = z
  .object({
    allowUntemplated: z.boolean().default(true),
    /** how variable values are inserted: "json" escapes quotes, backslashes and control characters (safe inside JSON text) */
    escape: z.enum(["json", "none"]).default("json"),
  })
  .strict();

const DecoratorMessage = z.object({ role: z.enum(["system", "user", "assistant"]), content: z.string() }).strict();
export const PromptDecoratorConfigSchema = z
  .object({ prepend: z.array(DecoratorMessage).default([]), append: z.array(DecoratorMessage).default([]) })
  .strict();

export const PromptGuardConfigSchema = z
  .object({
    allow: z.array(RegexSchema).default([]),
    deny: z.array(RegexSchema).default([]),
    roles: z.enum(["user", "all"]).default("user"),
    scope: z.enum(["last", "all"]).default("last"),
  })
  .strict();

export const PII_KINDS = ["email", "phone", "card", "iban", "national_id", "ip"] as const;
export const PiiConfigSchema = z
  .object({
    detect: z.array(z.enum(PII_KINDS)).default([...PII_KINDS]),
    action: z.enum(["redact", "reject"]).default("redact"),
    restore: z.boolean().default(true),
  })
  .strict();

/** A JSON Pointer (RFC 6901): "" (the whole document) or "/"-separated, with ~0 / ~1 escapes. */
export const JsonPointerSchema = z
  .string()
  .refine((s) => s === "" || (s.startsWith("/") && !/~[^01]|~$/.test(s)), { message: "invalid JSON pointer" });

/** One RFC 6902 operation. */
export const JsonPatchOperationSchema = z.discriminatedUnion("op", [
  z.object({ op: z.literal("add"), path: JsonPointerSchema, value: z.unknown() }).strict(),
  z.object({ op: z.literal("remove"), path: JsonPointerSchema }).strict(),
  z.object({ op: z.literal("replace"), path: JsonPointerSchema, value: z.unknown() }).strict(),
  z.object({ op: z.literal("move"), from: JsonPointerSchema, path: JsonPointerSchema }).strict(),
  z.object({ op: z.literal("copy"), from: JsonPointerSchema, path: JsonPointerSchema }).strict(),
  z.object({ op: z.literal("test"), path: JsonPointerSchema, value: z.unknown() }).strict(),
]);
export type JsonPatchOperation = z.infer<typeof JsonPatchOperationSchema>;

const HeaderName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, "invalid header name");
export const HeaderTransformSchema = z
  .object({
    add: z.record(HeaderName, z.string()).default({}),
    remove: z.array(HeaderName).default([]),
    rename: z.record(HeaderName, HeaderName).default({}),
  })
  .strict();

export const TransformerConfigSchema = z
  .object({
    requestHeaders: HeaderTransformSchema.default({ add: {}, remove: [], rename: {} }),
    /** same operations on the headers sent back to the client */
    responseHeaders: HeaderTransformSchema.default({ add: {}, remove: [], rename: {} }),
    requestBodyPatch: z.array(JsonPatchOperationSchema).default([]),
    responseBodyPatch: z.array(JsonPatchOperationSchema).default([]),
  })
  .strict();

/** An IANA time zone name the runtime knows (Intl). */
export const TimeZoneSchema = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: "unknown IANA time zone" },
);

/**
 * A budget as the gateway enforces it (the `budgets` table, or a `budgets:` entry in DB-less YAML). `limit` is a
 * decimal string: tokens for metric "tokens", money in `currency` for metric "cost" (kept exact: the gateway counts
 * money in integer nano-units, 1e-9 of the currency unit).
 */
export const BudgetConfigSchema = z
  .object({
    id: z.string().min(1),
    name: z.string().min(1),
    scope: z.enum(["GLOBAL", "TEAM", "CONSUMER", "KEY", "ROUTE"]),
    teamId: z.string().nullable().default(null),
    consumerId: z.string().nullable().default(null),
    apiKeyId: z.string().nullable().default(null),
    routeId: z.string().nullable().default(null),
    metric: z.enum(["TOKENS", "COST"]).default("COST"),
    limit: z
      .union([z.string(), z.number()])
      .transform((v) => String(v))
      .refine((v) => /^\d+(\.\d{1,10})?$/.test(v), { message: "must be a non-negative decimal with at most 10 decimals" }),
    currency: z.string().min(1).default("USD"),
    period: z.enum(["DAY", "WEEK", "MONTH", "TOTAL"]).default("MONTH"),
    timezone: TimeZoneSchema.default("UTC"),
    action: z.enum(["REJECT", "DOWNGRADE"]).default("REJECT"),
    downgradeTargetId: z.string().min(1).nullable().default(null),
    enabled: z.boolean().default(true),
    failMode: FailMode,
  })
  .strict()
  .refine((b) => b.action !== "DOWNGRADE" || b.downgradeTargetId !== null, {
    message: "a downgrade budget needs downgradeTargetId",
    path: ["downgradeTargetId"],
  });
export type BudgetConfig = z.output<typeof BudgetConfigSchema>;

/** A prompt template version's body: messages with `{{variable}}` placeholders. */
export const PromptTemplateBodySchema = z
  .object({
    messages: z
      .array(z.object({ role: z.enum(["system", "developer", "user", "assistant"]), content: z.string() }).strict())
      .min(1),
  })
  .strict();
export type PromptTemplateBody = z.infer<typeof PromptTemplateBodySchema>;

export const CustomPolicyConfigSchema = z
  .object({ module: z.string().min(1), options: z.record(z.string(), z.unknown()).default({}) })
  .strict();

export const PolicyConfigSchemas = {
  "rate-limit": RateLimitConfigSchema,
  cache: CacheConfigSchema,
  "prompt-template": PromptTemplateConfigSchema,
  "prompt-decorator": PromptDecoratorConfigSchema,
  "prompt-guard": PromptGuardConfigSchema,
  pii: PiiConfigSchema,
  transformer: TransformerConfigSchema,
  custom: CustomPolicyConfigSchema,
} as const;
export type PolicyType = keyof typeof PolicyConfigSchemas;
export const POLICY_TYPES = Object.keys(PolicyConfigSchemas) as PolicyType[];

/** Validate a policy's config for its type; returns zod's result so callers show inline errors. */
export function parsePolicyConfig(type: string, config: unknown) {
  const schema = (PolicyConfigSchemas as Record<string, z.ZodTypeAny>)[type];
  if (!schema) {
    return {
      success: false as const,
      error: new z.ZodError([{ code: "custom", path: ["type"], message: `unknown policy type "${type}"`, input: type }]),
    };
  }
  return schema.safeParse(config);
}

export type RateLimitConfig = z.output<typeof RateLimitConfigSchema>;
export type CacheConfig = z.output<typeof CacheConfigSchema>;
export type PromptTemplateConfig = z.output<typeof PromptTemplateConfigSchema>;
export type PromptDecoratorConfig = z.output<typeof PromptDecoratorConfigSchema>;
export type PromptGuardConfig = z.output<typeof PromptGuardConfigSchema>;
export type PiiConfig = z.output<typeof PiiConfigSchema>;
export type PiiKind = (typeof PII_KINDS)[number];
export type TransformerConfig = z.output<typeof TransformerConfigSchema>;
export type HeaderTransform = z.output<typeof HeaderTransformSchema>;
export type CustomPolicyConfig = z.output<typeof CustomPolicyConfigSchema>;

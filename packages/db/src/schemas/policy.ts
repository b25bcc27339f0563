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

export const PromptTemplateConfigSchema = z.object({ allowUntemplated: z.boolean().default(true) }).strict();

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

export const TransformerConfigSchema = z
  .object({
    requestHeaders: z
      .object({
        add: z.record(z.string(), z.string()).default({}),
        remove: z.array(z.string()).default([]),
        rename: z.record(z.string(), z.string()).default({}),
      })
      .strict()
      .default({ add: {}, remove: [], rename: {} }),
    requestBodyPatch: z.array(z.record(z.string(), z.unknown())).default([]),
    responseBodyPatch: z.array(z.record(z.string(), z.unknown())).default([]),
  })
  .strict();

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

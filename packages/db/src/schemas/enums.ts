import { z } from "zod";

export const PROVIDER_KINDS = [
  "openai",
  "azure",
  "anthropic",
  "gemini",
  "vertex",
  "bedrock",
  "cohere",
  "mistral",
  "ollama",
  "llama",
  "huggingface",
  "openai-compatible",
] as const;
export const ProviderKindSchema = z.enum(PROVIDER_KINDS);
export type ProviderKind = z.infer<typeof ProviderKindSchema>;

export const ROLES = ["ADMIN", "DEVELOPER", "FINANCE"] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

export const ROUTE_TYPES = ["chat", "completions", "embeddings", "native"] as const;
export const RouteTypeSchema = z.enum(ROUTE_TYPES);
export type RouteType = z.infer<typeof RouteTypeSchema>;

export const NATIVE_FORMATS = ["anthropic", "gemini", "bedrock"] as const;
export const NativeFormatSchema = z.enum(NATIVE_FORMATS);
export type NativeFormat = z.infer<typeof NativeFormatSchema>;

export const POLICY_SCOPES = ["GLOBAL", "ROUTE", "GROUP", "CONSUMER", "KEY", "TEAM"] as const;
export const PolicyScopeSchema = z.enum(POLICY_SCOPES);
export type PolicyScope = z.infer<typeof PolicyScopeSchema>;

export const ERROR_TYPES = ["caller", "policy", "provider", "gateway"] as const;
export type ErrorType = (typeof ERROR_TYPES)[number];

export const CACHE_STATUSES = ["none", "miss", "hit", "semantic_hit", "bypass"] as const;
export type CacheStatus = (typeof CACHE_STATUSES)[number];

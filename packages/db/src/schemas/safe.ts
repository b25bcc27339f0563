import { z } from "zod";
import { ProviderKindSchema } from "./enums.ts";

// "Safe" output shapes: what may leave the server. They cannot carry secrets by construction.

export const SafeProviderSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: ProviderKindSchema,
  baseUrl: z.string().nullable(),
  settings: z.record(z.string(), z.unknown()),
  hasCredentials: z.boolean(),
  credentialsRef: z.unknown().nullable(),
  allowOverride: z.boolean(),
  enabled: z.boolean(),
});
export type SafeProvider = z.infer<typeof SafeProviderSchema>;

export const SafeApiKeySchema = z.object({
  id: z.string(),
  consumerId: z.string(),
  name: z.string(),
  start: z.string(),
  allowedRoutes: z.array(z.string()),
  allowedModels: z.array(z.string()),
  status: z.enum(["ACTIVE", "REVOKED"]),
  expiresAt: z.date().nullable(),
  lastUsedAt: z.date().nullable(),
  createdAt: z.date(),
});
export type SafeApiKey = z.infer<typeof SafeApiKeySchema>;

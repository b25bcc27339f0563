import { z } from "zod";

/** Endpoint settings of a provider row (`providers.settings`). Unknown keys are refused, not ignored. */
export const ProviderSettingsSchema = z
  .object({
    /** Azure OpenAI */
    apiVersion: z.string().min(1).optional(),
    /** Azure: model alias -> deployment name; when absent the upstream model is the deployment */
    deployments: z.record(z.string(), z.string()).optional(),
    /** Bedrock / Vertex */
    region: z.string().min(1).optional(),
    /** Vertex */
    project: z.string().min(1).optional(),
    location: z.string().min(1).optional(),
    /** Anthropic */
    anthropicVersion: z.string().min(1).optional(),
    /** extra static headers sent upstream */
    headers: z.record(z.string(), z.string()).optional(),
    /** where the credential goes for openai-compatible servers: bearer (default), header name, or none */
    authHeader: z.string().min(1).optional(),
    /** upstream connection pool size per gateway node */
    connections: z.number().int().min(1).max(1024).optional(),
  })
  .strict();
export type ProviderSettings = z.infer<typeof ProviderSettingsSchema>;

/** The secret JSON that is encrypted at rest (`providers.credentialsEncrypted`). */
export const ProviderCredentialsSchema = z
  .object({
    apiKey: z.string().min(1).optional(),
    accessKeyId: z.string().min(1).optional(),
    secretAccessKey: z.string().min(1).optional(),
    sessionToken: z.string().min(1).optional(),
    accessToken: z.string().min(1).optional(),
  })
  .strict();
export type ProviderCredentials = z.infer<typeof ProviderCredentialsSchema>;

/** A credential given by reference and resolved by the gateway (never stored in plaintext). */
export const CredentialRefSchema = z.union([
  z.object({ env: z.record(z.string(), z.string().regex(/^[A-Z_][A-Z0-9_]*$/i)) }).strict(),
  z.object({ file: z.string().min(1) }).strict(),
  z
    .object({
      vault: z
        .object({
          address: z.string().url(),
          mount: z.string().min(1).default("secret"),
          path: z.string().min(1),
          tokenEnv: z.string().min(1).default("VAULT_TOKEN"),
        })
        .strict(),
    })
    .strict(),
]);
export type CredentialRef = z.infer<typeof CredentialRefSchema>;

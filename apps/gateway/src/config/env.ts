// Environment, parsed once at startup with zod. A bad value is one clear line and a non-zero exit (server.ts);
// buildApp takes the parsed result, so tests pass their own.

import { parseMasterKeys } from "@sluice/db/crypto";
import { z } from "zod";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const optionalText = z
  .string()
  .transform((s) => s.trim())
  .optional()
  .transform((s) => (s ? s : undefined));

function isUrlWithProtocol(value: string, protocols: string[]): boolean {
  try {
    const u = new URL(value);
    return protocols.includes(u.protocol) && u.hostname.length > 0;
  } catch {
    return false;
  }
}

export const EnvSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    GATEWAY_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    GATEWAY_HOST: z.string().min(1).default("0.0.0.0"),
    DATABASE_URL: optionalText.refine((v) => v === undefined || isUrlWithProtocol(v, ["postgres:", "postgresql:"]), {
      message: "must be a postgresql:// URL with a host",
    }),
    REDIS_URL: optionalText.refine((v) => v === undefined || isUrlWithProtocol(v, ["redis:", "rediss:"]), {
      message: "must be a redis:// or rediss:// URL",
    }),
    SLUICE_MASTER_KEY: optionalText,
    SLUICE_MASTER_KEYS: optionalText,
    NEXTAUTH_SECRET: optionalText,
    SLUICE_DATA_DIR: z.string().min(1).default(".sluice"),
    SLUICE_CONFIG_FILE: optionalText,
    SLUICE_NODE_ID: optionalText,
    LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
    /** bytes; the largest body any route may accept (routes may set a lower one) */
    SLUICE_BODY_LIMIT: z.coerce
      .number()
      .int()
      .positive()
      .max(100 * 1024 * 1024)
      .default(10 * 1024 * 1024),
    /** how often the config version is polled as a safety net (ms) */
    SLUICE_CONFIG_POLL_MS: z.coerce.number().int().min(100).default(3000),
    SLUICE_HEARTBEAT_MS: z.coerce.number().int().min(100).default(5000),
    /** comma-separated paths of custom policy modules to load at startup (policies/registry.ts) */
    SLUICE_POLICY_MODULES: optionalText,
    /** shared secret for the gateway's /admin endpoints (header x-sluice-admin-token); unset = endpoints disabled */
    SLUICE_GATEWAY_ADMIN_TOKEN: optionalText.refine((v) => v === undefined || v.length >= 16, {
      message: "must be at least 16 characters",
    }),
    /** deadline of one shared (Redis) limiter call before each limit's fail mode applies (ms) */
    SLUICE_LIMITER_TIMEOUT_MS: z.coerce.number().int().min(1).max(10_000).default(50),
    /** key prefix of the limiter's and the cache's Redis keys (several deployments on one Redis) */
    SLUICE_REDIS_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9:_-]*$/, "letters, digits, colon, underscore and dash only")
      .default("sl:"),
    /** observability (config/observability.ts): a YAML/JSON file validated with ObservabilityConfigSchema */
    SLUICE_OBSERVABILITY_FILE: optionalText,
    /** one HTTP log sink receiving batched JSON usage records */
    SLUICE_LOG_SINK_URL: optionalText.refine((v) => v === undefined || isUrlWithProtocol(v, ["http:", "https:"]), {
      message: "must be an http(s) URL",
    }),
    /** OpenTelemetry tracing (OTLP/HTTP JSON); off unless set */
    OTEL_EXPORTER_OTLP_ENDPOINT: optionalText.refine((v) => v === undefined || isUrlWithProtocol(v, ["http:", "https:"]), {
      message: "must be an http(s) URL",
    }),
    OTEL_EXPORTER_OTLP_HEADERS: optionalText,
    OTEL_SERVICE_NAME: optionalText,
  })
  .superRefine((env, ctx) => {
    const keys = env.SLUICE_MASTER_KEYS ?? env.SLUICE_MASTER_KEY;
    if (keys) {
      try {
        parseMasterKeys(keys);
      } catch (err) {
        ctx.addIssue({
          code: "custom",
          path: [env.SLUICE_MASTER_KEYS ? "SLUICE_MASTER_KEYS" : "SLUICE_MASTER_KEY"],
          message: (err as Error).message,
        });
      }
    }
    if (env.NODE_ENV === "production") {
      if (!keys) ctx.addIssue({ code: "custom", path: ["SLUICE_MASTER_KEY"], message: "is required when NODE_ENV=production" });
      if (!env.NEXTAUTH_SECRET) {
        ctx.addIssue({ code: "custom", path: ["NEXTAUTH_SECRET"], message: "is required when NODE_ENV=production" });
      }
    }
  });

export type Env = z.infer<typeof EnvSchema>;

export class EnvError extends Error {
  override name = "EnvError";
}

/** Parse the environment; throws EnvError with one line per problem ("NAME: what is wrong"). */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = EnvSchema.safeParse(source);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `${i.path.join(".") || "env"}: ${i.message}`);
  throw new EnvError(`invalid configuration: ${lines.join("; ")}`);
}

export function masterKeySpec(env: Env): string | undefined {
  return env.SLUICE_MASTER_KEYS ?? env.SLUICE_MASTER_KEY;
}

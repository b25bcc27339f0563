import { z } from "zod";

/** A regular expression given as text: refused at save time when it does not compile. */
export const RegexSchema = z
  .string()
  .min(1)
  .refine(
    (s) => {
      try {
        new RegExp(s);
        return true;
      } catch {
        return false;
      }
    },
    { message: "invalid regular expression" },
  );

export const BALANCER_ALGORITHMS = [
  "round-robin",
  "consistent-hash",
  "least-connections",
  "lowest-latency",
  "lowest-usage",
  "priority",
  "semantic",
] as const;

/**
 * Per-target circuit breaker (nginx max_fails / fail_timeout, plus a failure-rate rule and Envoy's panic mode).
 * Absent = the gateway's defaults below. The breaker opens on whichever rule trips first:
 *   consecutive: `maxFails` failures with no success in between, within `windowMs` (a dead target, fast)
 *   rate:        at least `minRequests` outcomes in the last `windowMs` and `failureRate` or more of them failed
 * The fields added after the first release are optional (their defaults live in the gateway's breaker), so configs
 * and objects written before them stay valid.
 */
export const CircuitBreakerConfigSchema = z
  .object({
    /** consecutive failures (with no success in between) that open the breaker */
    maxFails: z.number().int().min(1).max(1_000).default(10),
    /** the failures must fall within this window; the failure rate is measured over it too */
    windowMs: z.number().int().positive().max(3_600_000).default(10_000),
    /** how long the breaker stays open before one probe is let through (half-open) */
    failTimeoutMs: z.number().int().positive().max(3_600_000).default(30_000),
    /** share of failed outcomes in the window that opens the breaker (default 0.5; 1 = only when all failed) */
    failureRate: z.number().gt(0).max(1).optional(),
    /** outcomes the window must hold before the failure rate counts (default 20) */
    minRequests: z.number().int().min(1).max(1_000_000).optional(),
    /**
     * panic mode (default true): when no target of a request's set is admitted by its breaker, try them anyway,
     * ignoring the breakers (the attempt is recorded with `panic: true`) instead of answering 503 no_healthy_target
     */
    panic: z.boolean().optional(),
  })
  .strict();
export type CircuitBreakerConfig = z.infer<typeof CircuitBreakerConfigSchema>;

/** Active health checks: a non-billing request per target on a schedule (off unless enabled). */
export const HealthCheckConfigSchema = z
  .object({
    enabled: z.boolean().default(false),
    intervalMs: z.number().int().min(1_000).max(3_600_000).default(30_000),
    /** each interval is spread by +-jitter (a fraction of intervalMs) so nodes do not check in lockstep */
    jitter: z.number().min(0).max(0.5).default(0.1),
    timeoutMs: z.number().int().positive().max(120_000).default(5_000),
    /** consecutive failed checks that open the target's breaker */
    unhealthyAfter: z.number().int().min(1).max(100).default(2),
    /** consecutive passed checks that close an open breaker */
    healthyAfter: z.number().int().min(1).max(100).default(1),
  })
  .strict();
export type HealthCheckConfig = z.infer<typeof HealthCheckConfigSchema>;

export const RouteBalancerSchema = z
  .object({
    algorithm: z.enum(BALANCER_ALGORITHMS).default("round-robin"),
    /** consistent-hash: what to hash */
    hashOn: z
      .union([
        z.object({ header: z.string().min(1) }).strict(),
        z.object({ consumer: z.literal(true) }).strict(),
        z.object({ bodyField: z.string().min(1) }).strict(),
      ])
      .optional(),
    /** lowest-latency: share of traffic still sent to slower targets */
    probeShare: z.number().min(0).max(0.5).default(0.05),
    /** lowest-usage: what "usage" means and over which window */
    usageMetric: z.enum(["tokens", "cost"]).default("tokens"),
    usageWindowMs: z.number().int().positive().default(60_000),
    /** semantic: target used below the similarity threshold, embeddings target */
    semantic: z
      .object({
        embeddingsTargetId: z.string().min(1),
        threshold: z.number().min(-1).max(1).default(0.5),
        fallbackTargetId: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    /** consistent-hash: virtual nodes per target at weight 100 (scaled by weight) */
    vnodes: z.number().int().min(1).max(1_000).optional(),
    /** per-target circuit breaker for this route's targets */
    circuitBreaker: CircuitBreakerConfigSchema.optional(),
    /** active health checks for this route's targets */
    healthCheck: HealthCheckConfigSchema.optional(),
  })
  .strict();
export type RouteBalancer = z.infer<typeof RouteBalancerSchema>;

export const FAILOVER_CRITERIA = ["error", "timeout", "http_429", "http_5xx", "non_idempotent"] as const;

export const RouteRetrySchema = z
  .object({
    /** total attempts including the first */
    attempts: z.number().int().min(1).max(10).default(1),
    on: z
      .array(z.union([z.enum(FAILOVER_CRITERIA), z.number().int().min(400).max(599)]))
      .default(["error", "timeout", "http_5xx", "http_429"]),
    backoffMs: z.number().int().min(0).max(60_000).default(100),
    maxBackoffMs: z.number().int().min(0).max(60_000).default(2_000),
    timeouts: z
      .object({
        connectMs: z.number().int().positive().default(5_000),
        firstByteMs: z.number().int().positive().default(60_000),
        totalMs: z.number().int().positive().default(600_000),
      })
      .strict()
      .default({ connectMs: 5_000, firstByteMs: 60_000, totalMs: 600_000 }),
    /** opt-in: resume a broken stream on the next target with the partial answer as context */
    streamContinuation: z.boolean().default(false),
    /** back off (full jitter) also before failing over to a target not yet tried; default: only before re-trying one */
    backoffOnFailover: z.boolean().optional(),
  })
  .strict();
export type RouteRetry = z.infer<typeof RouteRetrySchema>;

export const JwtAuthSchema = z
  .object({
    jwksUrl: z.string().url().optional(),
    publicKeyPem: z.string().min(1).optional(),
    issuer: z.string().min(1).optional(),
    audience: z.string().min(1).optional(),
    /** the claim whose value is a consumer id (or consumer name) */
    consumerClaim: z.string().min(1).default("sub"),
  })
  .strict()
  .refine((j) => j.jwksUrl || j.publicKeyPem, { message: "jwksUrl or publicKeyPem is required" });

export const RouteOptionsSchema = z
  .object({
    /** header that carries the consumer key besides Authorization: Bearer and x-api-key */
    keyHeader: z.string().min(1).optional(),
    /** whether the route needs a consumer at all */
    auth: z.enum(["key", "jwt", "key-or-jwt", "none"]).default("key"),
    jwt: JwtAuthSchema.optional(),
    ipAllow: z.array(z.string().min(1)).default([]),
    ipDeny: z.array(z.string().min(1)).default([]),
    cors: z
      .object({
        origins: z.array(z.string().min(1)).default([]),
        headers: z.array(z.string()).default([]),
        credentials: z.boolean().default(false),
        maxAge: z.number().int().min(0).default(600),
      })
      .strict()
      .optional(),
    /** request body limit in bytes (413 above it) */
    bodyLimit: z
      .number()
      .int()
      .positive()
      .max(100 * 1024 * 1024)
      .optional(),
    /** log prompts and completions for this route (off by default) */
    logPayloads: z.boolean().default(false),
    /** default max_tokens used for budget reservations when the client sends none */
    defaultMaxTokens: z.number().int().positive().optional(),
    /** conditional routing rules evaluated before balancing; first match picks the target subset */
    rules: z
      .array(
        z
          .object({
            name: z.string().min(1),
            when: z
              .object({
                group: z.string().min(1).optional(),
                header: z
                  .object({ name: z.string().min(1), equals: z.string().optional(), matches: RegexSchema.optional() })
                  .strict()
                  .optional(),
                query: z
                  .object({ name: z.string().min(1), equals: z.string().optional() })
                  .strict()
                  .optional(),
                metadata: z
                  .object({ key: z.string().min(1), equals: z.string() })
                  .strict()
                  .optional(),
                promptMatches: RegexSchema.optional(),
              })
              .strict(),
            targets: z.array(z.string().min(1)).min(1),
          })
          .strict(),
      )
      .default([]),
    /**
     * weighted split (A/B test, canary) used when no rule matched; the chosen arm's name is recorded on the usage
     * event. Sticky on the consumer or a header when set (the same caller keeps its arm), random per request otherwise.
     */
    split: z
      .object({
        stickyOn: z
          .union([z.object({ consumer: z.literal(true) }).strict(), z.object({ header: z.string().min(1) }).strict()])
          .optional(),
        arms: z
          .array(
            z
              .object({
                name: z.string().min(1),
                weight: z.number().int().min(0).max(1_000_000),
                targets: z.array(z.string().min(1)).min(1),
              })
              .strict(),
          )
          .min(1)
          .refine((arms) => arms.some((a) => a.weight > 0), { message: "at least one arm needs a weight above 0" })
          .refine((arms) => new Set(arms.map((a) => a.name)).size === arms.length, { message: "arm names must be unique" }),
      })
      .strict()
      .optional(),
  })
  .strict();
export type RouteOptions = z.infer<typeof RouteOptionsSchema>;

/** A value with explicit precedence between the route's setting and the client's: default = client wins. */
export const OptionValueSchema = <T extends z.ZodTypeAny>(v: T) =>
  z.object({ value: v, mode: z.enum(["default", "override"]).default("default") }).strict();

export const TargetOptionsSchema = z
  .object({
    temperature: OptionValueSchema(z.number().min(0).max(2)).optional(),
    top_p: OptionValueSchema(z.number().min(0).max(1)).optional(),
    top_k: OptionValueSchema(z.number().int().min(1)).optional(),
    max_tokens: OptionValueSchema(z.number().int().positive()).optional(),
    presence_penalty: OptionValueSchema(z.number().min(-2).max(2)).optional(),
    frequency_penalty: OptionValueSchema(z.number().min(-2).max(2)).optional(),
    /** per-target upstream headers */
    headers: z.record(z.string(), z.string()).optional(),
    /** per-target timeout override */
    timeoutMs: z.number().int().positive().optional(),
  })
  .strict();
export type TargetOptions = z.infer<typeof TargetOptionsSchema>;

// The policy engine's public entry points (pure decisions and stores; no Fastify). See each module's header.

export { type BudgetPeriod, type PeriodBounds, PeriodClock, periodBounds } from "./budget/calendar.ts";
export { estimatePromptTokens, FALLBACK_MAX_TOKENS, type WorstCase, worstCaseTokens } from "./budget/estimate.ts";
export {
  type CompiledPrice,
  compilePrice,
  costNano,
  formatNano,
  NANO_PER_UNIT,
  type PriceInput,
  toNano,
} from "./budget/money.ts";
export { actualUsage, type LimitReservation, type ReserveLimitsInput, reserveLimits } from "./limits/engine.ts";
export { formatResetDuration, rateLimitHeaders, retryAfterHeaders } from "./limits/headers.ts";
export { MemoryLimiter } from "./limits/memory-limiter.ts";
export {
  budgetApplies,
  type CompiledBudget,
  compileBudget,
  type LimitSubject,
  limitDecision,
  type PlannedLimit,
  planLimits,
  type RateLimitEntry,
} from "./limits/plan.ts";
export { LIMITER_REDIS_OPTIONS, RedisLimiter } from "./limits/redis-limiter.ts";
export { ResilientLimiter } from "./limits/resilient-limiter.ts";
export type { ActualUsage, Limiter, LimiterHooks, LimitRequest, LimitResult, ReserveResult } from "./limits/types.ts";
export { detectPii, restoreText, StreamRestorer } from "./prompt/pii.ts";
export { compilePromptTemplate, type TemplateStore, templateStore } from "./prompt/template.ts";
export { builtinPolicies, loadCustomPolicies, loadCustomPolicy, validatePolicyExport } from "./registry.ts";
export { type BoundPolicy, buildPolicySet, createPolicyContext, type PolicyRow, PolicySet } from "./runner.ts";
export { applyJsonPatch } from "./transform/json-patch.ts";
export { applyHeaderEdits } from "./transform/transformer.ts";
export * from "./types.ts";

// From configuration to one reservation: which counters a request touches (rate-limit policies and budgets that
// apply), what it may cost at worst, and how a reserve result becomes a Decision.
//
// Typical pipeline use (preHandler, after the prompt phase and the cache lookup):
//   const worst = worstCaseTokens(request, { defaultMaxTokens: route.options.defaultMaxTokens });
//   const requests = planLimits(rateLimitPolicies, budgets, ctx, { worst, worstCostNano, downgraded: false });
//   const result = await limiter.reserve(requests);
//   const decision = limitDecision(requests, result, ctx.now());
//   if (!decision.ok) -> 429; if decision.downgradeTargetId -> re-plan with that target's price and downgraded: true
//   ... after the response: limiter.settle(result.reservationId, { promptTokens, completionTokens, costNano })
//   ... on upstream error before any token: limiter.release(result.reservationId)

import type { BudgetConfig, RateLimitConfig } from "@sluice/db/schemas";
import { PeriodClock } from "../budget/calendar.ts";
import type { WorstCase } from "../budget/estimate.ts";
import { formatNano, toNano } from "../budget/money.ts";
import { allow, type Decision, deny } from "../types.ts";
import { rateLimitHeaders, retryAfterHeaders } from "./headers.ts";
import type { LimitRequest, LimitResult, ReserveResult } from "./types.ts";

/** Who is asking: the subject fields of PolicyContext. */
export interface LimitSubject {
  consumerId: string | null;
  keyId: string | null;
  teamId: string | null;
  routeId: string;
}

/** A rate-limit policy that applies to the request (scope selection is the runner's job). */
export interface RateLimitEntry {
  id: string;
  name: string;
  config: RateLimitConfig;
}

/** A budget compiled once per snapshot. */
export interface CompiledBudget {
  config: BudgetConfig;
  /** the limit in units: tokens, or nano-units of the currency */
  units: number;
  clock: PeriodClock;
}

export function compileBudget(config: BudgetConfig): CompiledBudget {
  const units = config.metric === "COST" ? Number(toNano(config.limit)) : Math.floor(Number(config.limit));
  return { config, units, clock: new PeriodClock(config.period, config.timezone) };
}

export function budgetApplies(b: BudgetConfig, s: LimitSubject): boolean {
  if (!b.enabled) return false;
  switch (b.scope) {
    case "GLOBAL":
      return true;
    case "TEAM":
      return b.teamId !== null && b.teamId === s.teamId;
    case "CONSUMER":
      return b.consumerId !== null && b.consumerId === s.consumerId;
    case "KEY":
      return b.apiKeyId !== null && b.apiKeyId === s.keyId;
    case "ROUTE":
      return b.routeId === s.routeId;
  }
}

export interface PlanInput {
  worst: WorstCase;
  /** worst-case cost in nano-units; null when the target has no price (cost limits then reserve 0 and settle real) */
  worstCostNano: bigint | null;
  /** the request was already downgraded: downgrade budgets count but no longer deny */
  downgraded?: boolean;
}

export interface PlannedLimit extends LimitRequest {
  /** budgets with action DOWNGRADE */
  downgradeTargetId?: string;
}

function subjectOf(per: RateLimitConfig["per"], s: LimitSubject): string | null {
  switch (per) {
    case "consumer":
      return s.consumerId;
    case "key":
      return s.keyId;
    case "team":
      return s.teamId;
    case "route":
      return s.routeId;
    case "global":
      return "*";
  }
}

function costFor(metric: LimitRequest["metric"], input: PlanInput): number {
  switch (metric) {
    case "requests":
      return 1;
    case "tokens":
      return input.worst.promptTokens + input.worst.completionTokens;
    case "prompt_tokens":
      return input.worst.promptTokens;
    case "completion_tokens":
      return input.worst.completionTokens;
    case "cost":
      return input.worstCostNano === null ? 0 : Number(input.worstCostNano);
  }
}

/**
 * The counters one request reserves against. A limit kept per team (or key, consumer) is skipped when the request
 * has no such subject. Rate limits with metric "cost" count nano-units, their `limit` in currency units.
 */
export function planLimits(
  rateLimits: readonly RateLimitEntry[],
  budgets: readonly CompiledBudget[],
  subject: LimitSubject,
  input: PlanInput,
  now: number,
): PlannedLimit[] {
  const out: PlannedLimit[] = [];
  for (const p of rateLimits) {
    const c = p.config;
    const who = subjectOf(c.per, subject);
    if (who === null) continue;
    const isCost = c.metric === "cost";
    out.push({
      id: `rl:${p.id}:${c.per}:${who}`,
      name: p.name,
      source: "rate-limit",
      metric: c.metric,
      limit: isCost ? Number(toNano(c.limit)) : Math.floor(c.limit),
      burst: isCost ? Number(toNano(c.burst)) : Math.floor(c.burst),
      window: { kind: "sliding", ms: c.windowMs },
      cost: Math.ceil(costFor(c.metric, input)),
      failMode: c.failMode,
    });
  }
  for (const b of budgets) {
    const c = b.config;
    if (!budgetApplies(c, subject)) continue;
    const bounds = b.clock.at(now);
    const metric = c.metric === "COST" ? "cost" : "tokens";
    const downgrade = c.action === "DOWNGRADE" && c.downgradeTargetId !== null;
    out.push({
      id: `bg:${c.id}`,
      name: c.name,
      source: "budget",
      metric,
      limit: b.units,
      window: { kind: "period", start: bounds.start, end: bounds.end },
      cost: Math.ceil(costFor(metric, input)),
      enforce: !(downgrade && input.downgraded),
      failMode: c.failMode,
      ...(downgrade ? { downgradeTargetId: c.downgradeTargetId as string } : {}),
    });
  }
  return out;
}

/** A reserve result as the pipeline's decision (429s carry retry-after; allowed requests carry x-ratelimit-*). */
export function limitDecision(requests: readonly PlannedLimit[], result: ReserveResult, now: number): Decision {
  const headers = rateLimitHeaders(result.results, now);
  if (result.ok) return allow({ headers });
  if (result.degraded === "denied") {
    const retry = result.retryAfterMs ?? 1000;
    return deny(429, "rate_limit_unavailable", "Rate limits cannot be checked right now; please retry.", {
      retryAfterMs: retry,
      headers: { ...headers, ...retryAfterHeaders(retry) },
      internal: "shared limiter unavailable and a fail-closed limit applies",
    });
  }
  const denied: Array<{ req: PlannedLimit; res: LimitResult }> = [];
  for (let i = 0; i < requests.length; i++) {
    const res = result.results[i];
    if (res && !res.ok) denied.push({ req: requests[i] as PlannedLimit, res });
  }
  const downgradeTo = denied.every((d) => d.req.downgradeTargetId !== undefined) ? denied[0]?.req.downgradeTargetId : undefined;
  if (downgradeTo !== undefined) return allow({ headers, downgradeTargetId: downgradeTo });

  const budget = denied.find((d) => d.req.source === "budget" && d.req.downgradeTargetId === undefined)?.req;
  const first = denied[0];
  const retry = result.retryAfterMs;
  const extraHeaders = retry === null ? headers : { ...headers, ...retryAfterHeaders(retry) };
  const retryField = retry === null ? {} : { retryAfterMs: retry };
  if (budget) {
    const resets =
      budget.window.kind === "period" && budget.window.end !== null ? new Date(budget.window.end).toISOString() : null;
    const spent = budget.metric === "cost" ? `${formatNano(BigInt(budget.limit))} limit` : `${budget.limit} tokens`;
    return deny(
      429,
      "budget_exceeded",
      `Budget "${budget.name}" is exhausted (${spent})${resets ? `; it resets at ${resets}` : ""}.`,
      { ...retryField, headers: extraHeaders, internal: `budget ${budget.id}` },
    );
  }
  const req = first?.req;
  const what = req
    ? `${req.metric.replace("_", " ")} per ${req.window.kind === "sliding" ? `${req.window.ms / 1000}s` : "period"}`
    : "";
  return deny(429, "rate_limit_exceeded", `Rate limit "${req?.name ?? "?"}" exceeded (${what}).`, {
    ...retryField,
    headers: extraHeaders,
    internal: req ? `limit ${req.id}` : undefined,
  });
}

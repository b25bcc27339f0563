// One call for the pipeline's limit step: estimate the worst case (only when a token or cost limit needs it), plan
// the counters, reserve them atomically, turn the result into a Decision, and follow a budget downgrade once.

import type { ChatRequest } from "../../providers/types.ts";
import { estimatePromptTokens, FALLBACK_MAX_TOKENS, type WorstCase } from "../budget/estimate.ts";
import { type CompiledPrice, costNano } from "../budget/money.ts";
import { ALLOW, type Decision } from "../types.ts";
import { budgetApplies, type CompiledBudget, type LimitSubject, limitDecision, planLimits, type RateLimitEntry } from "./plan.ts";
import type { ActualUsage, Limiter, LimitResult } from "./types.ts";

export interface ReserveLimitsInput {
  limiter: Limiter;
  rateLimits: readonly RateLimitEntry[];
  budgets: readonly CompiledBudget[];
  subject: LimitSubject;
  /** null for requests without messages (embeddings: pass promptTokens instead) */
  request: ChatRequest | null;
  /** prompt tokens when already known (embeddings input, or a cached estimate) */
  promptTokens?: number;
  /** the route's defaultMaxTokens */
  defaultMaxTokens?: number | null;
  /** price of the routed target (null = unpriced); of a downgrade target when given its id */
  priceFor(downgradeTargetId: string | null): CompiledPrice | null;
  /**
   * whether a budget's downgrade target can serve this request (native routes: only a target speaking the same
   * API); when it cannot, the exhausted budget rejects as if its action were "reject"
   */
  canDowngradeTo?(targetId: string): boolean;
  now: number;
}

export interface LimitReservation {
  decision: Decision;
  /** settle or release it after the response; null when nothing was reserved */
  reservationId: string | null;
  results: LimitResult[];
  /** set when a budget downgraded the request: route it to this target */
  downgradeTargetId: string | null;
  worst: WorstCase;
}

export async function reserveLimits(input: ReserveLimitsInput): Promise<LimitReservation> {
  const budgets = input.budgets.filter((b) => budgetApplies(b.config, input.subject));
  const none: WorstCase = { promptTokens: 0, completionTokens: 0 };
  if (input.rateLimits.length === 0 && budgets.length === 0) {
    return { decision: ALLOW, reservationId: null, results: [], downgradeTargetId: null, worst: none };
  }
  const needsTokens = budgets.length > 0 || input.rateLimits.some((r) => r.config.metric !== "requests");
  let worst = none;
  if (needsTokens) {
    const req = input.request;
    const prompt = input.promptTokens ?? (req ? estimatePromptTokens(req) : 0);
    const ceiling = req ? (req.max_completion_tokens ?? req.max_tokens ?? input.defaultMaxTokens ?? FALLBACK_MAX_TOKENS) : 0;
    const n = req?.n != null && req.n > 1 ? req.n : 1;
    worst = { promptTokens: prompt, completionTokens: ceiling * n };
  }
  const attempt = async (downgradeTargetId: string | null) => {
    const price = needsTokens ? input.priceFor(downgradeTargetId) : null;
    const planned = planLimits(
      input.rateLimits,
      budgets,
      input.subject,
      { worst, worstCostNano: price ? costNano(worst, price) : null, downgraded: downgradeTargetId !== null },
      input.now,
    );
    const result = await input.limiter.reserve(planned);
    let decision = limitDecision(planned, result, input.now);
    if (decision.ok && decision.downgradeTargetId && input.canDowngradeTo && !input.canDowngradeTo(decision.downgradeTargetId)) {
      // nothing was reserved (the reservation is all or nothing): answer the budget's denial instead
      decision = limitDecision(
        planned.map((p) => ({ ...p, downgradeTargetId: undefined })),
        result,
        input.now,
      );
    }
    return { result, decision };
  };
  let { result, decision } = await attempt(null);
  let downgradeTargetId: string | null = null;
  if (decision.ok && decision.downgradeTargetId) {
    downgradeTargetId = decision.downgradeTargetId;
    ({ result, decision } = await attempt(downgradeTargetId));
    if (decision.ok) decision = { ...decision, downgradeTargetId };
  }
  return { decision, reservationId: result.reservationId, results: result.results, downgradeTargetId, worst };
}

/** Real usage -> what the limiter settles (cost from the price the request was served at). */
export function actualUsage(
  usage: { promptTokens: number; completionTokens: number; cachedTokens?: number; reasoningTokens?: number },
  price: CompiledPrice | null,
): ActualUsage {
  return {
    requests: 1,
    promptTokens: usage.promptTokens,
    completionTokens: usage.completionTokens,
    costNano: price ? costNano(usage, price) : null,
  };
}

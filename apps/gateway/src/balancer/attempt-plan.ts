// The attempt loop's brain, driven by the pipeline:
//
//   const plan = route.plan(ctx);
//   for (let step = await plan.next(); !step.done; step = await plan.next()) {
//     await sleep(step.delayMs);                       // backoff / retry-after, already fitted into the deadline
//     const result = await callUpstream(step.target, { timeoutMs: step.timeoutMs, ... });
//     const decision = plan.report(result.attempt, { latencyMs, ttftMs, tokens, cost, streamStarted });
//     if (!decision.failover) break;                    // served, or an error to hand to the client
//   }
//   usageEvent.attempts = plan.attempts;
//
// `next()` picks a target not yet tried (then, when all were tried, one again), skipping open breakers and
// cool-downs, within the retry budget (`attempts` in total) and never starting past the deadline (`timeouts.totalMs`
// after the plan began, the whole request's limit). Every attempt is recorded. Each step handed out must be
// reported exactly once (`{ kind: "aborted" }` when the client went away).

import type { RouteRetry } from "@sluice/db/schemas";
import { type Admission, panicAllowed } from "./circuit-breaker.ts";
import {
  type AttemptKind,
  type AttemptResult,
  backoffDelayMs,
  type FailoverDecision,
  healthVerdict,
  shouldFailover,
} from "./failover.ts";
import type { HealthRegistry } from "./health.ts";
import type { Balancer, BalancerTarget, SelectionContext } from "./types.ts";

export type RetryConfig = Pick<RouteRetry, "attempts" | "on" | "backoffMs" | "maxBackoffMs" | "timeouts" | "streamContinuation"> &
  Partial<Pick<RouteRetry, "backoffOnFailover">>;

/** One attempt as the usage event's `attempts` column stores it. */
export interface AttemptRecord {
  /** 1-based */
  attempt: number;
  targetId: string;
  providerId: string;
  /** ms after the plan began that the attempt was handed out */
  startedAtMs: number;
  /** wait before it (backoff / retry-after) */
  delayMs: number;
  kind: AttemptKind;
  status?: number;
  /** error code, timeout phase, or the failover decision's reason for a failed attempt */
  error?: string;
  latencyMs?: number;
  ttftMs?: number;
  /** the failover decision: `ok`, `client_error`, `http_5xx` ... */
  decision: string;
  failover: boolean;
  /** admitted as a half-open breaker's single probe */
  probe?: true;
  /** admitted in panic mode: no target's breaker admitted the request, so breakers were ignored */
  panic?: true;
  /** resumed a stream that broke after its first byte */
  continuation?: true;
}

export type PlanDoneReason = "succeeded" | "not_retryable" | "budget_exhausted" | "deadline" | "no_target";

export type AttemptStep<T extends BalancerTarget> =
  | {
      done: false;
      /** 1-based */
      attempt: number;
      target: T;
      /** wait this long before calling */
      delayMs: number;
      /** the attempt's total limit: what is left of the deadline after the delay */
      timeoutMs: number;
      connectTimeoutMs: number;
      firstByteTimeoutMs: number;
      /** resume a broken stream with the partial answer as context (route opted in) */
      continuation: boolean;
    }
  | {
      done: true;
      reason: PlanDoneReason;
      /** when every target is cooling down after 429s: how long until the first is back (for a Retry-After) */
      retryAfterMs?: number;
    };

/** What the pipeline observed besides the result. */
export interface AttemptObservation {
  latencyMs?: number;
  ttftMs?: number;
  tokens?: number;
  cost?: number;
  /** bytes of the streamed answer already reached the client */
  streamStarted?: boolean;
}

export interface AttemptPlanOptions<T extends BalancerTarget> {
  targets: readonly T[];
  balancer: Balancer<T>;
  retry: RetryConfig;
  ctx: SelectionContext;
  /** breakers and cool-downs; without it the plan tracks 429 cool-downs for itself only */
  health?: HealthRegistry;
  /** see FailoverContext.idempotent (default false) */
  idempotent?: boolean;
  /** when the request began (default now): the deadline counts from here */
  startedAt?: number;
  /** absolute deadline overriding startedAt + timeouts.totalMs */
  deadline?: number;
}

interface Pending<T> {
  target: T;
  admission: Admission;
  record: AttemptRecord;
}

export class AttemptPlan<T extends BalancerTarget> {
  readonly attempts: AttemptRecord[] = [];
  readonly startedAt: number;
  readonly deadline: number;
  readonly #o: AttemptPlanOptions<T>;
  readonly #tried = new Set<string>();
  readonly #exclude = new Set<string>();
  readonly #cooldowns = new Map<string, number>();
  #pending: Pending<T> | undefined;
  #done: PlanDoneReason | undefined;
  #continuation = false;
  #servedBy: T | undefined;
  #lastDecision: FailoverDecision | undefined;

  constructor(options: AttemptPlanOptions<T>) {
    this.#o = options;
    this.startedAt = options.startedAt ?? options.ctx.clock.now();
    this.deadline = options.deadline ?? this.startedAt + options.retry.timeouts.totalMs;
  }

  get done(): PlanDoneReason | undefined {
    return this.#done;
  }

  /** the target that served the request, once succeeded */
  get servedBy(): T | undefined {
    return this.#servedBy;
  }

  get lastDecision(): FailoverDecision | undefined {
    return this.#lastDecision;
  }

  #cooldownUntil(id: string, now: number): number | undefined {
    const { health } = this.#o;
    if (health) return health.cooldownUntil(id);
    const until = this.#cooldowns.get(id);
    return until !== undefined && until > now ? until : undefined;
  }

  #breakerOpen(id: string): boolean {
    return this.#o.health !== undefined && !this.#o.health.breaker(id).canAttempt();
  }

  /** panic mode: every target's breaker refuses, and their configs allow ignoring them (the default) */
  #panic(): boolean {
    const { health, targets } = this.#o;
    if (!health || targets.length === 0) return false;
    for (const t of targets) {
      const b = health.breaker(t.id);
      if (b.canAttempt() || !panicAllowed(b.config)) return false;
    }
    return true;
  }

  #finish(reason: PlanDoneReason, now: number): AttemptStep<T> {
    this.#done = reason;
    let soonest: number | undefined;
    if (reason === "no_target" || reason === "deadline") {
      for (const t of this.#o.targets) {
        const until = this.#cooldownUntil(t.id, now);
        if (until !== undefined && (soonest === undefined || until < soonest)) soonest = until;
      }
    }
    return soonest === undefined ? { done: true, reason } : { done: true, reason, retryAfterMs: soonest - now };
  }

  /** The next attempt, or why there is none. Call again only after `report`. */
  async next(): Promise<AttemptStep<T>> {
    if (this.#pending) throw new Error("AttemptPlan.next() called before the previous attempt was reported");
    const { ctx, retry, targets, balancer, health } = this.#o;
    let now = ctx.clock.now();
    if (this.#done) return this.#finish(this.#done, now);
    if (this.attempts.length >= retry.attempts) return this.#finish("budget_exhausted", now);
    if (now >= this.deadline) return this.#finish("deadline", now);
    let hitDeadline = false;
    // pass 1: untried and available; pass 2: available (retry a tried one); pass 3: cooling down (wait for it).
    // Panic mode (no breaker admits any target): the same passes with the breakers ignored.
    const panic = this.#panic();
    for (let pass = 1; pass <= 3; pass++) {
      const exclude = this.#exclude;
      exclude.clear();
      for (const t of targets) {
        const cooling = this.#cooldownUntil(t.id, now) !== undefined;
        if ((!panic && this.#breakerOpen(t.id)) || (pass < 3 && cooling) || (pass === 1 && this.#tried.has(t.id)))
          exclude.add(t.id);
      }
      if (pass === 3 && exclude.size === targets.length) break;
      for (;;) {
        const target = await balancer.select(targets, ctx, exclude);
        if (target === undefined) break;
        now = ctx.clock.now();
        const retried = this.#tried.has(target.id);
        let delayMs = 0;
        if (this.attempts.length > 0 && (retried || retry.backoffOnFailover === true))
          delayMs = backoffDelayMs(this.attempts.length - 1, retry, ctx.rng);
        const until = this.#cooldownUntil(target.id, now);
        if (until !== undefined) delayMs = Math.max(delayMs, until - now);
        if (now + delayMs >= this.deadline) {
          hitDeadline = true;
          exclude.add(target.id);
          continue;
        }
        const admission: Admission = panic ? "panic" : health ? health.tryAcquire(target.id) : "normal";
        if (admission === false) {
          exclude.add(target.id);
          continue;
        }
        return this.#begin(target, admission, delayMs, now);
      }
    }
    return this.#finish(hitDeadline ? "deadline" : "no_target", now);
  }

  #begin(target: T, admission: Admission, delayMs: number, now: number): AttemptStep<T> {
    const { retry, balancer } = this.#o;
    const attempt = this.attempts.length + 1;
    const record: AttemptRecord = {
      attempt,
      targetId: target.id,
      providerId: target.providerId,
      startedAtMs: now - this.startedAt,
      delayMs,
      kind: "ok",
      decision: "pending",
      failover: false,
    };
    if (admission === "probe") record.probe = true;
    else if (admission === "panic") record.panic = true;
    if (this.#continuation) record.continuation = true;
    this.attempts.push(record);
    this.#tried.add(target.id);
    this.#pending = { target, admission, record };
    balancer.onStart(target.id);
    const timeoutMs = Math.max(0, this.deadline - (now + delayMs));
    return {
      done: false,
      attempt,
      target,
      delayMs,
      timeoutMs,
      connectTimeoutMs: Math.min(retry.timeouts.connectMs, timeoutMs),
      firstByteTimeoutMs: Math.min(retry.timeouts.firstByteMs, timeoutMs),
      continuation: this.#continuation,
    };
  }

  /** Report how the attempt handed out by `next()` ended; returns whether (and why) to fail over. */
  report(result: AttemptResult, observed: AttemptObservation = {}): FailoverDecision {
    const p = this.#pending;
    if (!p) throw new Error("AttemptPlan.report() without an attempt in progress");
    this.#pending = undefined;
    const { retry, ctx, health, balancer } = this.#o;
    const now = ctx.clock.now();
    const decision = shouldFailover(result, retry, {
      streamStarted: observed.streamStarted === true,
      idempotent: this.#o.idempotent,
    });
    this.#lastDecision = decision;
    const verdict = healthVerdict(result);
    const retryAfterMs = result.kind === "http" ? result.retryAfterMs : undefined;
    if (health) health.recordOutcome(p.target.id, verdict, retryAfterMs, p.admission);
    else if (retryAfterMs !== undefined && retryAfterMs > 0) this.#cooldowns.set(p.target.id, now + retryAfterMs);
    // latency feeds the averages only when it says something about the target: a success or a failure
    const informative = result.kind === "ok" || verdict === "failure";
    balancer.onEnd(p.target.id, {
      ok: verdict !== "failure",
      latencyMs: informative ? observed.latencyMs : undefined,
      ttftMs: informative ? observed.ttftMs : undefined,
      tokens: observed.tokens,
      cost: observed.cost,
    });

    const r = p.record;
    r.kind = result.kind;
    r.decision = decision.reason;
    r.failover = decision.failover;
    if (observed.latencyMs !== undefined) r.latencyMs = observed.latencyMs;
    if (observed.ttftMs !== undefined) r.ttftMs = observed.ttftMs;
    if (result.kind === "ok" && result.status !== undefined) r.status = result.status;
    if (result.kind === "http") {
      r.status = result.status;
      r.error =
        decision.reason === "client_error" || decision.reason === "not_configured" ? `http_${result.status}` : decision.reason;
    } else if (result.kind === "timeout") r.error = `timeout_${result.phase}`;
    else if (result.kind === "error") r.error = result.code ?? "error";
    else if (result.kind === "aborted") r.error = "aborted";

    if (result.kind === "ok") {
      this.#done = "succeeded";
      this.#servedBy = p.target;
    } else if (!decision.failover) this.#done = "not_retryable";
    this.#continuation = decision.continuation === true;
    return decision;
  }
}

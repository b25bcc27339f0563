// Target health for the whole gateway process: a circuit breaker per target fed by real traffic (passive), cool-downs
// from 429 retry-after, results of active checks, and the shared runtime stats (in-flight, EWMA latency). The
// HealthChecker runs a non-billing check per target on a jittered schedule (the pipeline supplies the request, e.g.
// GET /v1/models). `snapshot()` is what a health endpoint and the manager UI show.

import type { CircuitBreakerConfig, HealthCheckConfig } from "@sluice/db/schemas";
import { type Admission, type BreakerSnapshot, CircuitBreaker, DEFAULT_BREAKER } from "./circuit-breaker.ts";
import type { HealthVerdict } from "./failover.ts";
import { systemClock, systemRng } from "./random.ts";
import { TargetStatsTable } from "./stats.ts";
import type { Clock, Rng } from "./types.ts";

export interface LastCheck {
  at: number;
  ok: boolean;
  latencyMs: number;
  error?: string;
}

export interface TargetHealthSnapshot {
  targetId: string;
  routeId?: string;
  /** available = breaker admits traffic and no cool-down */
  available: boolean;
  breaker: BreakerSnapshot;
  cooldownUntil?: number;
  lastCheck?: LastCheck;
  consecutiveCheckFailures: number;
  inFlight: number;
  ewmaLatencyMs?: number;
  ewmaTtftMs?: number;
  requests: number;
  failures: number;
}

export interface TargetRegistration {
  targetId: string;
  routeId?: string;
  breaker?: CircuitBreakerConfig;
}

interface Entry {
  breaker: CircuitBreaker;
  routeId?: string;
  cooldownUntil: number;
  lastCheck?: LastCheck;
  checkFailures: number;
  checkSuccesses: number;
}

export interface HealthRegistryOptions {
  clock?: Clock;
  /** breaker limits for targets registered without their own */
  breaker?: CircuitBreakerConfig;
  stats?: TargetStatsTable;
}

export class HealthRegistry {
  readonly stats: TargetStatsTable;
  readonly clock: Clock;
  readonly #defaultBreaker: CircuitBreakerConfig;
  readonly #entries = new Map<string, Entry>();

  constructor(options: HealthRegistryOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.stats = options.stats ?? new TargetStatsTable();
    this.#defaultBreaker = options.breaker ?? DEFAULT_BREAKER;
  }

  #entry(targetId: string): Entry {
    let e = this.#entries.get(targetId);
    if (!e) {
      e = {
        breaker: new CircuitBreaker(this.#defaultBreaker, this.clock),
        cooldownUntil: 0,
        checkFailures: 0,
        checkSuccesses: 0,
      };
      this.#entries.set(targetId, e);
    }
    return e;
  }

  /** add or reconfigure a target; its state survives reconfiguration */
  register(reg: TargetRegistration): void {
    const e = this.#entry(reg.targetId);
    e.routeId = reg.routeId;
    e.breaker.reconfigure(reg.breaker ?? this.#defaultBreaker);
  }

  /** make the registry hold exactly these targets (call on every config snapshot swap) */
  sync(regs: readonly TargetRegistration[]): void {
    const keep = new Set<string>();
    for (const r of regs) {
      this.register(r);
      keep.add(r.targetId);
    }
    for (const id of this.#entries.keys()) if (!keep.has(id)) this.#entries.delete(id);
    this.stats.retain(keep);
  }

  breaker(targetId: string): CircuitBreaker {
    return this.#entry(targetId).breaker;
  }

  /** a remaining 429 cool-down's end, or undefined */
  cooldownUntil(targetId: string): number | undefined {
    const until = this.#entries.get(targetId)?.cooldownUntil ?? 0;
    return until > this.clock.now() ? until : undefined;
  }

  /** breaker would admit and no cool-down */
  isAvailable(targetId: string): boolean {
    const e = this.#entries.get(targetId);
    if (!e) return true;
    return e.breaker.canAttempt() && !(e.cooldownUntil > this.clock.now());
  }

  /** breaker admission only (the half-open probe slot is taken here) */
  tryAcquire(targetId: string): Admission {
    return this.#entry(targetId).breaker.tryAcquire();
  }

  /** give back a probe slot that will not be used */
  release(targetId: string): void {
    this.#entries.get(targetId)?.breaker.release();
  }

  /**
   * Passive health from one attempt (see healthVerdict); `retryAfterMs` starts a cool-down. `admission` is what
   * tryAcquire returned for the attempt: a probe with a neutral outcome gives its slot back.
   */
  recordOutcome(targetId: string, verdict: HealthVerdict, retryAfterMs?: number, admission?: Admission): void {
    const e = this.#entry(targetId);
    if (verdict === "success") e.breaker.onSuccess();
    else if (verdict === "failure") e.breaker.onFailure();
    else if (admission === "probe") e.breaker.release();
    if (retryAfterMs !== undefined && retryAfterMs > 0) this.setCooldown(targetId, this.clock.now() + retryAfterMs);
  }

  setCooldown(targetId: string, untilMs: number): void {
    const e = this.#entry(targetId);
    if (untilMs > e.cooldownUntil) e.cooldownUntil = untilMs;
  }

  /**
   * An active check's result: `unhealthyAfter` consecutive failures open the breaker (and keep it open while they
   * last); `healthyAfter` consecutive passes close a breaker that is not closed.
   */
  recordCheck(targetId: string, check: LastCheck, policy: Pick<HealthCheckConfig, "unhealthyAfter" | "healthyAfter">): void {
    const e = this.#entry(targetId);
    e.lastCheck = check;
    if (check.ok) {
      e.checkFailures = 0;
      e.checkSuccesses++;
      if (e.checkSuccesses >= policy.healthyAfter && e.breaker.state() !== "closed") e.breaker.reset();
    } else {
      e.checkSuccesses = 0;
      e.checkFailures++;
      if (e.checkFailures >= policy.unhealthyAfter) e.breaker.trip();
    }
  }

  snapshotOf(targetId: string): TargetHealthSnapshot {
    const e = this.#entry(targetId);
    const s = this.stats.peek(targetId);
    const cooldownUntil = this.cooldownUntil(targetId);
    const snap: TargetHealthSnapshot = {
      targetId,
      available: this.isAvailable(targetId),
      breaker: e.breaker.snapshot(),
      consecutiveCheckFailures: e.checkFailures,
      inFlight: s?.inFlight ?? 0,
      requests: s?.requests ?? 0,
      failures: s?.failures ?? 0,
    };
    if (e.routeId !== undefined) snap.routeId = e.routeId;
    if (cooldownUntil !== undefined) snap.cooldownUntil = cooldownUntil;
    if (e.lastCheck !== undefined) snap.lastCheck = { ...e.lastCheck };
    if (s?.ewmaLatencyMs !== undefined) snap.ewmaLatencyMs = Math.round(s.ewmaLatencyMs);
    if (s?.ewmaTtftMs !== undefined) snap.ewmaTtftMs = Math.round(s.ewmaTtftMs);
    return snap;
  }

  /** every registered target's state (JSON-serialisable) */
  snapshot(): TargetHealthSnapshot[] {
    return [...this.#entries.keys()].map((id) => this.snapshotOf(id));
  }
}

/** A non-billing check of one target; resolve true when healthy. Honour `signal` (aborted on timeout / stop). */
export type HealthCheckFn = (targetId: string, signal: AbortSignal) => Promise<boolean>;

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** real timers, unref'd so a pending check never keeps the process alive */
export const systemTimers: Timers = {
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

export interface HealthCheckerOptions {
  check: HealthCheckFn;
  config: Pick<HealthCheckConfig, "intervalMs" | "jitter" | "timeoutMs" | "unhealthyAfter" | "healthyAfter">;
  rng?: Rng;
  timers?: Timers;
  /** a check that threw or timed out (for logs) */
  onError?: (targetId: string, err: unknown) => void;
}

class CheckTimeoutError extends Error {
  constructor(ms: number) {
    super(`health check timed out after ${ms} ms`);
    this.name = "CheckTimeoutError";
  }
}

/**
 * Runs `check` for each target every intervalMs +- jitter, one check per target at a time, each bounded by
 * timeoutMs. Start it per route with active checks enabled; stop it on config swap and shutdown.
 */
export class HealthChecker {
  readonly #registry: HealthRegistry;
  readonly #o: HealthCheckerOptions;
  readonly #rng: Rng;
  readonly #timers: Timers;
  readonly #scheduled = new Map<string, unknown>();
  readonly #running = new Map<string, AbortController>();
  #stopped = true;
  /** bumped by stop(): checks that were running then are not recorded */
  #generation = 0;

  constructor(registry: HealthRegistry, options: HealthCheckerOptions) {
    this.#registry = registry;
    this.#o = options;
    this.#rng = options.rng ?? systemRng;
    this.#timers = options.timers ?? systemTimers;
  }

  /** begin checking these targets; the first check of each is spread over one interval */
  start(targetIds: Iterable<string>): void {
    this.#stopped = false;
    for (const id of targetIds) {
      if (this.#scheduled.has(id) || this.#running.has(id)) continue;
      this.#schedule(id, this.#rng() * this.#o.config.intervalMs);
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#generation++;
    for (const h of this.#scheduled.values()) this.#timers.clearTimeout(h);
    this.#scheduled.clear();
    for (const c of this.#running.values()) c.abort();
    this.#running.clear();
  }

  /** the delay before the next check: intervalMs spread by +-jitter */
  nextDelayMs(): number {
    const { intervalMs, jitter } = this.#o.config;
    return Math.max(0, Math.round(intervalMs * (1 + jitter * (2 * this.#rng() - 1))));
  }

  #schedule(targetId: string, delayMs: number): void {
    if (this.#stopped) return;
    const handle = this.#timers.setTimeout(() => {
      this.#scheduled.delete(targetId);
      void this.checkNow(targetId).finally(() => {
        if (!this.#stopped && !this.#scheduled.has(targetId)) this.#schedule(targetId, this.nextDelayMs());
      });
    }, delayMs);
    this.#scheduled.set(targetId, handle);
  }

  /** run one check now and record it; resolves to the verdict (a check already running is joined by a false) */
  async checkNow(targetId: string): Promise<boolean> {
    if (this.#running.has(targetId)) return false;
    const controller = new AbortController();
    this.#running.set(targetId, controller);
    const generation = this.#generation;
    const clock = this.#registry.clock;
    const started = clock.now();
    const { timeoutMs } = this.#o.config;
    let timer: unknown;
    let ok = false;
    let error: string | undefined;
    try {
      ok = await Promise.race([
        this.#o.check(targetId, controller.signal),
        new Promise<boolean>((_, reject) => {
          timer = this.#timers.setTimeout(() => {
            controller.abort();
            reject(new CheckTimeoutError(timeoutMs));
          }, timeoutMs);
        }),
      ]);
      if (!ok) error = "check reported unhealthy";
    } catch (err) {
      ok = false;
      error = err instanceof Error ? err.message : String(err);
      this.#o.onError?.(targetId, err);
    } finally {
      this.#timers.clearTimeout(timer);
      if (this.#running.get(targetId) === controller) this.#running.delete(targetId);
    }
    if (generation !== this.#generation) return ok;
    const check: LastCheck = { at: started, ok, latencyMs: clock.now() - started };
    if (error !== undefined) check.error = error;
    this.#registry.recordCheck(targetId, check, this.#o.config);
    return ok;
  }
}

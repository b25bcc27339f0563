// Circuit breaker per target (nginx max_fails / fail_timeout with a single half-open probe):
//   closed    -> open       after `maxFails` failures within `windowMs` (a success in between starts the count over),
//                           or when the last `windowMs` holds at least `minRequests` outcomes of which `failureRate`
//                           or more failed (counted in WINDOW_BUCKETS buckets, so the window slides in tenths)
//   open      -> half-open  once `failTimeoutMs` passed; nothing is admitted while open
//   half-open -> closed     when the one admitted probe succeeds
//   half-open -> open       when it fails (the timeout starts again)
// A probe that never reports (a lost attempt) frees its slot after another failTimeoutMs. Time comes from the
// injected clock; the state is computed on read, so there are no timers.

import type { CircuitBreakerConfig } from "@sluice/db/schemas";
import type { Clock } from "./types.ts";

export type BreakerState = "closed" | "open" | "half-open";

/** "panic": admitted although the breaker is not (every target of the request was unavailable; see AttemptPlan) */
export type Admission = "normal" | "probe" | "panic" | false;

export const DEFAULT_FAILURE_RATE = 0.5;
export const DEFAULT_MIN_REQUESTS = 20;
export const DEFAULT_BREAKER: CircuitBreakerConfig = {
  maxFails: 10,
  windowMs: 10_000,
  failTimeoutMs: 30_000,
  failureRate: DEFAULT_FAILURE_RATE,
  minRequests: DEFAULT_MIN_REQUESTS,
  panic: true,
};

const WINDOW_BUCKETS = 10;

/** panic mode unless the config turns it off */
export function panicAllowed(config: CircuitBreakerConfig): boolean {
  return config.panic !== false;
}

export interface BreakerSnapshot {
  state: BreakerState;
  /** failures counted toward opening (closed state) */
  recentFailures: number;
  /** outcomes (successes + failures) and failures in the rate window (closed state) */
  windowRequests: number;
  windowFailures: number;
  openedAt: number | undefined;
  /** when an open breaker lets a probe through */
  retryAt: number | undefined;
  probeInFlight: boolean;
  /** times the breaker opened since the process started */
  opens: number;
}

export class CircuitBreaker {
  #config: CircuitBreakerConfig;
  readonly #clock: Clock;
  /** ring of the last maxFails failure times */
  #failures: Float64Array;
  #count = 0;
  #head = 0;
  #open = false;
  #openedAt = 0;
  #probeAt: number | undefined;
  #opens = 0;
  /** the rate window: per bucket its index (floor(now / bucketMs)), successes and failures */
  readonly #bucketIdx = new Float64Array(WINDOW_BUCKETS).fill(-1);
  readonly #bucketOk = new Uint32Array(WINDOW_BUCKETS);
  readonly #bucketFail = new Uint32Array(WINDOW_BUCKETS);

  constructor(config: CircuitBreakerConfig, clock: Clock) {
    this.#config = config;
    this.#clock = clock;
    this.#failures = new Float64Array(config.maxFails);
  }

  get config(): CircuitBreakerConfig {
    return this.#config;
  }

  /** new limits keep the current state (a config swap does not close an open breaker) */
  reconfigure(config: CircuitBreakerConfig): void {
    if (config.maxFails !== this.#config.maxFails) {
      this.#failures = new Float64Array(config.maxFails);
      this.#count = 0;
      this.#head = 0;
    }
    if (config.windowMs !== this.#config.windowMs) this.#clearWindow();
    this.#config = config;
  }

  #clearWindow(): void {
    this.#bucketIdx.fill(-1);
    this.#bucketOk.fill(0);
    this.#bucketFail.fill(0);
  }

  #bucketMs(): number {
    return Math.max(1, this.#config.windowMs / WINDOW_BUCKETS);
  }

  #tally(now: number, failed: boolean): void {
    const idx = Math.floor(now / this.#bucketMs());
    const slot = idx % WINDOW_BUCKETS;
    if (this.#bucketIdx[slot] !== idx) {
      this.#bucketIdx[slot] = idx;
      this.#bucketOk[slot] = 0;
      this.#bucketFail[slot] = 0;
    }
    if (failed) (this.#bucketFail[slot] as number)++;
    else (this.#bucketOk[slot] as number)++;
  }

  /** outcomes and failures in the buckets covering the last windowMs */
  #window(now: number): { requests: number; failures: number } {
    const idx = Math.floor(now / this.#bucketMs());
    let requests = 0;
    let failures = 0;
    for (let i = 0; i < WINDOW_BUCKETS; i++) {
      const b = this.#bucketIdx[i] as number;
      if (b > idx - WINDOW_BUCKETS && b <= idx) {
        const f = this.#bucketFail[i] as number;
        requests += (this.#bucketOk[i] as number) + f;
        failures += f;
      }
    }
    return { requests, failures };
  }

  state(): BreakerState {
    if (!this.#open) return "closed";
    return this.#clock.now() - this.#openedAt >= this.#config.failTimeoutMs ? "half-open" : "open";
  }

  #probeBusy(now: number): boolean {
    return this.#probeAt !== undefined && now - this.#probeAt < this.#config.failTimeoutMs;
  }

  /** would an attempt be admitted now? (does not take the half-open probe slot) */
  canAttempt(): boolean {
    const s = this.state();
    return s === "closed" || (s === "half-open" && !this.#probeBusy(this.#clock.now()));
  }

  /**
   * Admit an attempt: always when closed ("normal"), exactly one probe when half-open ("probe"), never when open
   * (false). Whoever holds the probe must report its outcome, or `release()` it when the outcome says nothing.
   */
  tryAcquire(): Admission {
    const s = this.state();
    if (s === "closed") return "normal";
    if (s === "open") return false;
    const now = this.#clock.now();
    if (this.#probeBusy(now)) return false;
    this.#probeAt = now;
    return "probe";
  }

  /** give back a probe slot taken by tryAcquire but never used */
  release(): void {
    this.#probeAt = undefined;
  }

  onSuccess(): void {
    if (this.#open) {
      // a late success from before the breaker opened proves nothing; the probe's success closes it
      if (this.state() === "half-open") this.#close();
      return;
    }
    this.#count = 0;
    this.#tally(this.#clock.now(), false);
  }

  onFailure(): void {
    const now = this.#clock.now();
    if (this.#open) {
      if (this.state() === "half-open") this.#trip(now);
      return;
    }
    const { maxFails, windowMs } = this.#config;
    this.#failures[this.#head] = now;
    this.#head = (this.#head + 1) % maxFails;
    if (this.#count < maxFails) this.#count++;
    // the oldest of the last maxFails failures is at #head once the ring is full
    if (this.#count >= maxFails && now - (this.#failures[this.#head] as number) <= windowMs) {
      this.#trip(now);
      return;
    }
    this.#tally(now, true);
    const w = this.#window(now);
    const minRequests = this.#config.minRequests ?? DEFAULT_MIN_REQUESTS;
    const rate = this.#config.failureRate ?? DEFAULT_FAILURE_RATE;
    if (w.requests >= minRequests && w.failures >= rate * w.requests) this.#trip(now);
  }

  /** force open (active health check declared the target down) */
  trip(): void {
    this.#trip(this.#clock.now());
  }

  /** force closed (active health check declared the target up) */
  reset(): void {
    this.#close();
  }

  #trip(now: number): void {
    if (!this.#open) this.#opens++;
    this.#open = true;
    this.#openedAt = now;
    this.#probeAt = undefined;
  }

  #close(): void {
    this.#open = false;
    this.#probeAt = undefined;
    this.#count = 0;
    // a closed breaker judges the target afresh: the failures that opened it are history
    this.#clearWindow();
  }

  snapshot(): BreakerSnapshot {
    const now = this.#clock.now();
    const { windowMs, maxFails, failTimeoutMs } = this.#config;
    let recent = 0;
    if (!this.#open) {
      for (let i = 0; i < this.#count; i++) {
        const at = this.#failures[(this.#head - 1 - i + maxFails) % maxFails] as number;
        if (now - at <= windowMs) recent++;
      }
    }
    const w = this.#open ? { requests: 0, failures: 0 } : this.#window(now);
    return {
      state: this.state(),
      recentFailures: recent,
      windowRequests: w.requests,
      windowFailures: w.failures,
      openedAt: this.#open ? this.#openedAt : undefined,
      retryAt: this.#open ? this.#openedAt + failTimeoutMs : undefined,
      probeInFlight: this.#probeBusy(now),
      opens: this.#opens,
    };
  }
}

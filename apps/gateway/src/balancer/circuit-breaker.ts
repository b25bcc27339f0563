// Circuit breaker per target (nginx max_fails / fail_timeout with a single half-open probe):
//   closed    -> open       after `maxFails` failures within `windowMs` (a success in between starts the count over)
//   open      -> half-open  once `failTimeoutMs` passed; nothing is admitted while open
//   half-open -> closed     when the one admitted probe succeeds
//   half-open -> open       when it fails (the timeout starts again)
// A probe that never reports (a lost attempt) frees its slot after another failTimeoutMs. Time comes from the
// injected clock; the state is computed on read, so there are no timers.

import type { CircuitBreakerConfig } from "@sluice/db/schemas";
import type { Clock } from "./types.ts";

export type BreakerState = "closed" | "open" | "half-open";

export type Admission = "normal" | "probe" | false;

export const DEFAULT_BREAKER: CircuitBreakerConfig = { maxFails: 5, windowMs: 10_000, failTimeoutMs: 30_000 };

export interface BreakerSnapshot {
  state: BreakerState;
  /** failures counted toward opening (closed state) */
  recentFailures: number;
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
    this.#config = config;
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
    if (this.#count >= maxFails && now - (this.#failures[this.#head] as number) <= windowMs) this.#trip(now);
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
    return {
      state: this.state(),
      recentFailures: recent,
      openedAt: this.#open ? this.#openedAt : undefined,
      retryAt: this.#open ? this.#openedAt + failTimeoutMs : undefined,
      probeInFlight: this.#probeBusy(now),
      opens: this.#opens,
    };
  }
}

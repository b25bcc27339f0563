// Contracts of the balancer: what a target looks like to an algorithm, what a request offers for selection, and the
// Balancer interface every algorithm implements. Pure types; no Fastify, no I/O.

import type { BALANCER_ALGORITHMS } from "@sluice/db/schemas";

export type BalancerAlgorithm = (typeof BALANCER_ALGORITHMS)[number];

/** Milliseconds since the epoch; injected so tests move time. */
export interface Clock {
  now(): number;
}

/** A uniform random number in [0, 1); injected so tests are deterministic (see `createSeededRng`). */
export type Rng = () => number;

/**
 * One upstream target of a route as the balancer sees it. The pipeline may pass its own richer type (provider,
 * model, options ...) as long as it has these fields: `select` hands back the same object.
 */
export interface BalancerTarget {
  /** target id (`tgt_...`), unique across routes */
  readonly id: string;
  readonly providerId: string;
  /** relative share; 0 = never chosen by weight-based algorithms */
  readonly weight: number;
  /** priority tier: lower tiers are tried first by the priority algorithm */
  readonly priority: number;
  /** free text; the semantic algorithm compares the prompt with it */
  readonly description?: string | null;
}

/** Header / query values as Node and Fastify give them. */
export type HeaderValue = string | readonly string[] | undefined;

/** What one request offers to routing rules and balancers. Build it once per request. */
export interface SelectionContext {
  consumerId?: string;
  /** ids (and, if the pipeline likes, names) of the consumer's groups; rules compare against these */
  groupIds?: readonly string[];
  /** request headers, names lower-case */
  headers?: Readonly<Record<string, HeaderValue>>;
  query?: Readonly<Record<string, unknown>>;
  /** the parsed JSON body (consistent hashing on a body field) */
  body?: unknown;
  /** the prompt as text (last user message or all messages, the pipeline decides); rules and semantic use it */
  promptText?: string;
  /** consumer / request metadata for rules */
  metadata?: Readonly<Record<string, unknown>>;
  /** streamed request: lowest-latency then ranks by time to first token */
  stream?: boolean;
  rng: Rng;
  clock: Clock;
}

/** What the pipeline observed for one attempt, fed back to the balancer. */
export interface AttemptStats {
  /** the target answered properly (no error, timeout, 5xx or 429) */
  ok: boolean;
  /** whole attempt duration; omitted = do not feed the latency average (e.g. a client error) */
  latencyMs?: number;
  /** time to first byte / token of a stream */
  ttftMs?: number;
  /** tokens billed for the attempt (prompt + completion) */
  tokens?: number;
  /** money billed for the attempt, in the price table's unit */
  cost?: number;
}

export interface Balancer<T extends BalancerTarget = BalancerTarget> {
  readonly algorithm: BalancerAlgorithm;
  /**
   * Choose one of `targets` that is not in `exclude` (the plan excludes targets already tried, with an open breaker
   * or cooling down after a 429). Resolves undefined when nothing is eligible. Never rejects: store or embedder
   * failures degrade to weighted round-robin.
   */
  select(targets: readonly T[], ctx: SelectionContext, exclude: ReadonlySet<string>): Promise<T | undefined>;
  /** an attempt on the target begins (in-flight + 1) */
  onStart(targetId: string): void;
  /** an attempt on the target ended (in-flight - 1, latency / usage recorded) */
  onEnd(targetId: string, stats: AttemptStats): void;
  /** optional warm-up when the target set is loaded (semantic: embed the descriptions) */
  prepare?(targets: readonly T[]): Promise<void>;
}

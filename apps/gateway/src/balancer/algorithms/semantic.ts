// Semantic routing: the prompt's embedding is compared (cosine) with each target description's embedding; the best
// match at or above `threshold` wins, otherwise the fallback target. Description embeddings are cached by text
// (computed once, or up front by `prepare`); the prompt is embedded once per request even when the plan selects
// again for a failover, and uncached descriptions ride along in the same embed call. An embedder failure or an empty
// prompt goes to the fallback, then to weighted round-robin: selection never fails because of embeddings.

import type { TargetStatsTable } from "../stats.ts";
import type { BalancerTarget, SelectionContext } from "../types.ts";
import { BaseBalancer } from "./base.ts";
import { SmoothWeightedRoundRobin } from "./weighted-round-robin.ts";

/** Embeds texts (the pipeline calls the route's embeddings target). One vector per text, same order. */
export type EmbedFn = (texts: string[]) => Promise<number[][]>;

export interface SemanticOptions {
  embed: EmbedFn;
  threshold: number;
  fallbackTargetId?: string;
  onError?: (err: unknown) => void;
  stats?: TargetStatsTable;
}

/** unit-length copy (cosine similarity becomes a dot product); undefined for a zero or malformed vector */
export function normalize(v: readonly number[]): Float64Array | undefined {
  let norm = 0;
  for (const x of v) norm += x * x;
  if (!(norm > 0) || !Number.isFinite(norm)) return undefined;
  const inv = 1 / Math.sqrt(norm);
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = (v[i] as number) * inv;
  return out;
}

export function dot(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return Number.NEGATIVE_INFINITY;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

export class SemanticBalancer<T extends BalancerTarget> extends BaseBalancer<T> {
  readonly algorithm = "semantic" as const;
  readonly #o: SemanticOptions;
  readonly #wrr = new SmoothWeightedRoundRobin();
  /** description text -> unit vector */
  readonly #descriptions = new Map<string, Float64Array | undefined>();
  /** per request: the prompt's unit vector (selection may run once per attempt) */
  readonly #prompts = new WeakMap<SelectionContext, Promise<Float64Array | undefined>>();
  /** last similarity scores, for tests and debugging */
  lastScores: ReadonlyMap<string, number> = new Map();

  constructor(options: SemanticOptions) {
    super(options.stats);
    this.#o = options;
  }

  #missing(targets: readonly T[]): string[] {
    const out: string[] = [];
    for (const t of targets) {
      const d = t.description?.trim();
      if (d && !this.#descriptions.has(d) && !out.includes(d)) out.push(d);
    }
    return out;
  }

  async prepare(targets: readonly T[]): Promise<void> {
    const missing = this.#missing(targets);
    if (missing.length === 0) return;
    const vectors = await this.#o.embed(missing);
    missing.forEach((d, i) => {
      const v = vectors[i];
      this.#descriptions.set(d, v ? normalize(v) : undefined);
    });
  }

  #embedPrompt(targets: readonly T[], ctx: SelectionContext): Promise<Float64Array | undefined> {
    let p = this.#prompts.get(ctx);
    if (p === undefined) {
      const prompt = ctx.promptText?.trim();
      if (!prompt) p = Promise.resolve(undefined);
      else {
        const missing = this.#missing(targets);
        p = this.#o.embed([prompt, ...missing]).then(
          (vectors) => {
            missing.forEach((d, i) => {
              const v = vectors[i + 1];
              this.#descriptions.set(d, v ? normalize(v) : undefined);
            });
            const v = vectors[0];
            return v ? normalize(v) : undefined;
          },
          (err: unknown) => {
            this.#o.onError?.(err);
            return undefined;
          },
        );
      }
      this.#prompts.set(ctx, p);
    }
    return p;
  }

  async select(targets: readonly T[], ctx: SelectionContext, exclude: ReadonlySet<string>): Promise<T | undefined> {
    const prompt = await this.#embedPrompt(targets, ctx);
    let best: T | undefined;
    let bestScore = Number.NEGATIVE_INFINITY;
    if (prompt !== undefined) {
      const scores = new Map<string, number>();
      for (const t of targets) {
        const d = t.description?.trim();
        const v = d ? this.#descriptions.get(d) : undefined;
        if (v === undefined) continue;
        const score = dot(prompt, v);
        scores.set(t.id, score);
        if (!exclude.has(t.id) && score > bestScore) {
          best = t;
          bestScore = score;
        }
      }
      this.lastScores = scores;
      if (best !== undefined && bestScore >= this.#o.threshold) return best;
    }
    const fallbackId = this.#o.fallbackTargetId;
    if (fallbackId !== undefined && !exclude.has(fallbackId)) {
      const fallback = targets.find((t) => t.id === fallbackId);
      if (fallback !== undefined) return fallback;
    }
    // no fallback configured (or it is excluded): the closest description still beats a blind pick
    return best ?? this.#wrr.pick(targets, exclude);
  }
}

// Sliding-window usage counters (tokens or cost per target) behind one interface, so lowest-usage balancing works on
// one node (memory) or shares state across gateway nodes (Redis, redis-usage-window.ts). Time is split into
// `buckets` buckets per window; a total is the sum of the buckets inside the window, the oldest one weighted by how
// much of it still overlaps the window.

export interface UsageWindowStore {
  /** add `amount` for `member` (e.g. `tokens:tgt_1`) in `scope` (e.g. the route id) at time `atMs` */
  add(scope: string, member: string, amount: number, atMs: number, windowMs: number): Promise<void>;
  /** the usage of each member over [nowMs - windowMs, nowMs], in the order given */
  totals(scope: string, members: readonly string[], windowMs: number, nowMs: number): Promise<number[]>;
}

export const DEFAULT_BUCKETS = 10;

export function bucketSizeMs(windowMs: number, buckets: number): number {
  return Math.max(1, Math.ceil(windowMs / buckets));
}

/**
 * The buckets covering [nowMs - windowMs, nowMs] with their weights: full buckets weigh 1, the oldest the fraction
 * still inside the window. Calls `visit(index, weight)` from oldest to newest.
 */
export function forEachWindowBucket(
  windowMs: number,
  bucketMs: number,
  nowMs: number,
  visit: (index: number, weight: number) => void,
): void {
  const from = nowMs - windowMs;
  const first = Math.floor(from / bucketMs);
  const last = Math.floor(nowMs / bucketMs);
  for (let i = first; i <= last; i++) {
    const weight = i === first ? Math.min(1, ((i + 1) * bucketMs - from) / bucketMs) : 1;
    if (weight > 0) visit(i, weight);
  }
}

export interface MemoryUsageWindowOptions {
  buckets?: number;
}

/** In-process store: one node only. */
export class MemoryUsageWindowStore implements UsageWindowStore {
  readonly #buckets: number;
  /** scope -> member -> bucket index -> amount */
  readonly #data = new Map<string, Map<string, Map<number, number>>>();

  constructor(options: MemoryUsageWindowOptions = {}) {
    this.#buckets = options.buckets ?? DEFAULT_BUCKETS;
  }

  async add(scope: string, member: string, amount: number, atMs: number, windowMs: number): Promise<void> {
    if (!(amount > 0)) return;
    const bucketMs = bucketSizeMs(windowMs, this.#buckets);
    let members = this.#data.get(scope);
    if (!members) {
      members = new Map();
      this.#data.set(scope, members);
    }
    let buckets = members.get(member);
    if (!buckets) {
      buckets = new Map();
      members.set(member, buckets);
    }
    const index = Math.floor(atMs / bucketMs);
    buckets.set(index, (buckets.get(index) ?? 0) + amount);
    // prune buckets that left the window (keep one spare)
    const oldest = Math.floor((atMs - windowMs) / bucketMs) - 1;
    for (const i of buckets.keys()) if (i < oldest) buckets.delete(i);
  }

  async totals(scope: string, members: readonly string[], windowMs: number, nowMs: number): Promise<number[]> {
    const bucketMs = bucketSizeMs(windowMs, this.#buckets);
    const byMember = this.#data.get(scope);
    return members.map((m) => {
      const buckets = byMember?.get(m);
      if (!buckets) return 0;
      let sum = 0;
      forEachWindowBucket(windowMs, bucketMs, nowMs, (i, w) => {
        sum += (buckets.get(i) ?? 0) * w;
      });
      return sum;
    });
  }
}

// Which cache keys are requested most often, recently: a count-min sketch estimates every key's count in fixed
// memory (depth x width 32-bit counters), and a bounded top-K table keeps the K keys with the highest estimates
// together with a caller-supplied value (what is needed to re-fetch the answer). Counts halve every `halfLifeMs`,
// so "frequent" means "frequent lately". touch() is O(depth + K) with K small (default 32).

import type { Now } from "./types.ts";

export interface HotKeyOptions {
  /** tracked keys, default 32 */
  k?: number;
  /** sketch width (counters per row), default 4096 */
  width?: number;
  /** sketch depth (rows), default 4 */
  depth?: number;
  /** counts halve this often, default 5 minutes */
  halfLifeMs?: number;
  now?: Now;
}

export interface HotKey<T> {
  id: string;
  count: number;
  value: T;
}

function fnv1a(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export class CountMinSketch {
  private readonly table: Uint32Array;

  constructor(
    readonly width: number,
    readonly depth: number,
  ) {
    this.table = new Uint32Array(width * depth);
  }

  private indexes(id: string): number[] {
    // double hashing: h1 + i*h2 gives `depth` independent-enough rows from two hashes
    const h1 = fnv1a(id, 0);
    const h2 = fnv1a(id, 0x9e3779b9) | 1;
    const out: number[] = [];
    for (let i = 0; i < this.depth; i++) out.push(i * this.width + (((h1 + Math.imul(i, h2)) >>> 0) % this.width));
    return out;
  }

  /** adds one and returns the new estimate (conservative update: only the minimum counters grow) */
  increment(id: string): number {
    const idx = this.indexes(id);
    let min = Infinity;
    for (const i of idx) min = Math.min(min, this.table[i] as number);
    const next = min + 1;
    for (const i of idx) if ((this.table[i] as number) < next) this.table[i] = next;
    return next;
  }

  estimate(id: string): number {
    let min = Infinity;
    for (const i of this.indexes(id)) min = Math.min(min, this.table[i] as number);
    return min;
  }

  halve(): void {
    for (let i = 0; i < this.table.length; i++) this.table[i] = (this.table[i] as number) >>> 1;
  }
}

export class HotKeyTracker<T> {
  private readonly sketch: CountMinSketch;
  private readonly top = new Map<string, HotKey<T>>();
  private readonly k: number;
  private readonly halfLifeMs: number;
  private readonly now: Now;
  private lastDecay: number;

  constructor(options: HotKeyOptions = {}) {
    this.k = options.k ?? 32;
    this.sketch = new CountMinSketch(options.width ?? 4096, options.depth ?? 4);
    this.halfLifeMs = options.halfLifeMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
    this.lastDecay = this.now();
  }

  /** counts one request for `id`; `value` is kept (latest wins) while the key is in the top K */
  touch(id: string, value: T | (() => T)): number {
    this.decay();
    const count = this.sketch.increment(id);
    const held = this.top.get(id);
    if (held) {
      held.count = count;
      return count;
    }
    const resolve = () => (typeof value === "function" ? (value as () => T)() : value);
    if (this.top.size < this.k) {
      this.top.set(id, { id, count, value: resolve() });
      return count;
    }
    let minId: string | null = null;
    let min = Infinity;
    for (const h of this.top.values()) {
      if (h.count < min) {
        min = h.count;
        minId = h.id;
      }
    }
    if (minId !== null && count > min) {
      this.top.delete(minId);
      this.top.set(id, { id, count, value: resolve() });
    }
    return count;
  }

  get(id: string): HotKey<T> | undefined {
    return this.top.get(id);
  }

  /** the tracked keys, most frequent first */
  hottest(): HotKey<T>[] {
    this.decay();
    return [...this.top.values()].sort((a, b) => b.count - a.count);
  }

  estimate(id: string): number {
    return this.sketch.estimate(id);
  }

  forget(id: string): void {
    this.top.delete(id);
  }

  private decay(): void {
    const now = this.now();
    if (now - this.lastDecay < this.halfLifeMs) return;
    const halvings = Math.min(32, Math.floor((now - this.lastDecay) / this.halfLifeMs));
    this.lastDecay += halvings * this.halfLifeMs;
    for (let i = 0; i < halvings; i++) this.sketch.halve();
    for (const h of this.top.values()) h.count = h.count >>> halvings;
  }
}

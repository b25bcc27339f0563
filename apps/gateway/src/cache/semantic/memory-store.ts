// In-process vector store: brute-force cosine over normalised vectors (a dot product), per partition+bucket scope.
// Fine up to a few thousand entries per scope (a 1536-d dot product is ~1 µs); each scope keeps at most
// `maxPerScope` records, oldest evicted first.

import type { VectorMatch, VectorPurge, VectorQuery, VectorRecord, VectorStore } from "./types.ts";

interface Stored {
  id: string;
  routeId: string;
  partition: string;
  vector: Float32Array;
  payload: string;
  expiresAt: number;
}

export interface MemoryVectorStoreOptions {
  /** default 5000 */
  maxPerScope?: number;
}

const scopeOf = (partition: string, bucket: string) => `${partition}\u0000${bucket}`;

export class MemoryVectorStore implements VectorStore {
  readonly kind = "memory" as const;
  private readonly scopes = new Map<string, Map<string, Stored>>();
  private readonly maxPerScope: number;

  constructor(options: MemoryVectorStoreOptions = {}) {
    this.maxPerScope = options.maxPerScope ?? 5_000;
  }

  async search(q: VectorQuery): Promise<VectorMatch | null> {
    const scope = this.scopes.get(scopeOf(q.partition, q.bucket));
    if (!scope) return null;
    let best: Stored | null = null;
    let bestSim = -Infinity;
    for (const [id, rec] of scope) {
      if (rec.expiresAt <= q.now) {
        scope.delete(id);
        continue;
      }
      if (rec.vector.length !== q.vector.length) continue;
      let dot = 0;
      for (let i = 0; i < q.vector.length; i++) dot += (rec.vector[i] as number) * (q.vector[i] as number);
      if (dot > bestSim) {
        bestSim = dot;
        best = rec;
      }
    }
    return best ? { id: best.id, payload: best.payload, similarity: bestSim } : null;
  }

  async upsert(r: VectorRecord): Promise<void> {
    const key = scopeOf(r.partition, r.bucket);
    let scope = this.scopes.get(key);
    if (!scope) {
      scope = new Map();
      this.scopes.set(key, scope);
    }
    scope.delete(r.id);
    scope.set(r.id, {
      id: r.id,
      routeId: r.routeId,
      partition: r.partition,
      vector: Float32Array.from(r.vector),
      payload: r.payload,
      expiresAt: r.expiresAt,
    });
    while (scope.size > this.maxPerScope) {
      const oldest = scope.keys().next().value;
      if (oldest === undefined) break;
      scope.delete(oldest);
    }
  }

  async purge(sel: VectorPurge): Promise<number> {
    let n = 0;
    for (const [key, scope] of this.scopes) {
      for (const [id, rec] of scope) {
        const match =
          "all" in sel ||
          ((sel.routeId == null || sel.routeId === rec.routeId) &&
            (sel.partition == null || sel.partition === rec.partition) &&
            (sel.routeId != null || sel.partition != null));
        if (match) {
          scope.delete(id);
          n++;
        }
      }
      if (scope.size === 0) this.scopes.delete(key);
    }
    return n;
  }

  async sweep(now: number): Promise<number> {
    let n = 0;
    for (const [key, scope] of this.scopes) {
      for (const [id, rec] of scope) {
        if (rec.expiresAt <= now) {
          scope.delete(id);
          n++;
        }
      }
      if (scope.size === 0) this.scopes.delete(key);
    }
    return n;
  }
}

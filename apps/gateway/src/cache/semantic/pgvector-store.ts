// pgvector store: `sluice_cache.semantic_d<dims>` tables on a pgvector-enabled PostgreSQL (not the Debian config
// database: point it at one with the extension). Tables, the extension and an hnsw cosine index are created lazily on
// first use per dimension. Queries are packages/db's named functions (cache-store.ts); similarity = 1 - (a <=> b).
//
// Filtered hnsw searches: the index yields `hnsw.ef_search` (default 40) candidates before the partition/bucket
// filter; with many tenants in one table, set `hnsw.iterative_scan = relaxed_order` (pgvector >= 0.8) on the
// connection (e.g. the pool's `options: "-c hnsw.iterative_scan=relaxed_order"`) so filtered scans keep going.

import {
  ensureSemanticTable,
  purgeSemanticEntries,
  type Queryable,
  searchSemanticEntry,
  sweepExpiredSemanticEntries,
  upsertSemanticEntry,
} from "../db.ts";
import type { VectorMatch, VectorPurge, VectorQuery, VectorRecord, VectorStore } from "./types.ts";

export class PgVectorStore implements VectorStore {
  readonly kind = "pgvector" as const;
  private readonly ready = new Map<number, Promise<void>>();

  constructor(private readonly db: Queryable) {}

  private ensure(dims: number): Promise<void> {
    let p = this.ready.get(dims);
    if (!p) {
      p = ensureSemanticTable(this.db, dims);
      this.ready.set(dims, p);
      p.catch(() => this.ready.delete(dims));
    }
    return p;
  }

  async search(q: VectorQuery): Promise<VectorMatch | null> {
    await this.ensure(q.vector.length);
    const row = await searchSemanticEntry(this.db, {
      partition: q.partition,
      bucket: q.bucket,
      embedding: q.vector,
      now: q.now,
    });
    return row ? { id: row.id, payload: row.value, similarity: row.similarity } : null;
  }

  async upsert(r: VectorRecord): Promise<void> {
    await this.ensure(r.vector.length);
    await upsertSemanticEntry(this.db, {
      id: r.id,
      partition: r.partition,
      routeId: r.routeId,
      bucket: r.bucket,
      embedding: r.vector,
      value: r.payload,
      expiresAt: r.expiresAt,
    });
  }

  purge(sel: VectorPurge): Promise<number> {
    return purgeSemanticEntries(this.db, sel);
  }

  sweep(now: number): Promise<number> {
    return sweepExpiredSemanticEntries(this.db, now);
  }
}

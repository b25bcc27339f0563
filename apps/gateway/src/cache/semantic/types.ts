// The semantic cache's vector store contract. Stores keep, per entry, the partition (tenant), the bucket (a hash of
// route, model and parameters: what must match exactly besides the prompt), the route (for purges), a normalised
// embedding, the encoded cache entry and its expiry. `search` returns the nearest unexpired neighbour within one
// partition and bucket; the caller applies the similarity threshold.

export interface VectorRecord {
  id: string;
  partition: string;
  bucket: string;
  routeId: string;
  /** L2-normalised */
  vector: readonly number[];
  /** the encoded cache entry (entry.ts encodeEntry) */
  payload: string;
  /** ms since epoch */
  expiresAt: number;
}

export interface VectorQuery {
  partition: string;
  bucket: string;
  /** L2-normalised */
  vector: readonly number[];
  now: number;
}

export interface VectorMatch {
  id: string;
  payload: string;
  /** cosine similarity, -1..1 */
  similarity: number;
}

export type VectorPurge = { all: true } | { routeId?: string | null; partition?: string | null };

export interface VectorStore {
  readonly kind: "memory" | "pgvector";
  search(query: VectorQuery): Promise<VectorMatch | null>;
  upsert(record: VectorRecord): Promise<void>;
  purge(selector: VectorPurge): Promise<number>;
  /** drop expired records; returns how many */
  sweep(now: number): Promise<number>;
  close?(): Promise<void>;
}

/** Embeds texts through the route's embeddings target; one vector per text, same order. */
export type EmbedFn = (texts: string[], target: { embeddingsTargetId: string; routeId: string }) => Promise<number[][]>;

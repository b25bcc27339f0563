// The response cache's public entry points (exact + semantic). See response-cache.ts for how the pipeline uses it.

export { type MemoryBackendOptions, MemoryCacheBackend } from "./backends/memory.ts";
export { type PostgresBackendOptions, PostgresCacheBackend } from "./backends/postgres.ts";
export { purgeFilter } from "./backends/purge.ts";
export { CACHE_REDIS_OPTIONS, type RedisBackendOptions, RedisCacheBackend } from "./backends/redis.ts";
export { decodeEntry, encodeEntry, type FreshIdentity, replayChunks, replayResponse, replaySse } from "./entry.ts";
export { CountMinSketch, type HotKey, HotKeyTracker } from "./hot-keys.ts";
export { CACHE_HEADER, cacheHeaderValue, clientCacheDirectives, usageCacheStatus } from "./http.ts";
export {
  cacheKey,
  canonicalJson,
  consumerPartition,
  normaliseRequest,
  partitionFor,
  semanticBucket,
  teamPartition,
} from "./key.ts";
export { type AbandonReason, StreamRecorder } from "./recorder.ts";
export {
  type CacheHit,
  type CacheLookup,
  type CacheLookupInput,
  type CacheWriter,
  type HotKeyValue,
  ResponseCache,
  type ResponseCacheOptions,
} from "./response-cache.ts";
export { MemoryVectorStore } from "./semantic/memory-store.ts";
export { PgVectorStore } from "./semantic/pgvector-store.ts";
export { normaliseVector, semanticPrompt } from "./semantic/prompt.ts";
export type { EmbedFn, VectorMatch, VectorQuery, VectorRecord, VectorStore } from "./semantic/types.ts";
export type * from "./types.ts";
export { type FetchAnswer, RefreshAhead, type RefreshAheadOptions, type WarmResult, warmCache } from "./warming.ts";

// The response cache as the pipeline uses it: one `lookup` per chat request (after prompt policies, before limits),
// which answers a hit or hands back a writer that stores the fresh answer once it is complete.
//
//   const lookup = await cache.lookup({ config, routeId, model, request, consumerId, teamId, headers });
//   reply.header(CACHE_HEADER, lookup.header);
//   if (lookup.hit) -> send lookup.hit.body() or lookup.hit.sse(); usage: cost 0, savedCost = price(lookup.hit.usage)
//   else -> call upstream; non-stream: await lookup.writer?.storeResponse(status, response)
//           stream: const rec = lookup.writer?.recordStream(); rec.push(chunk) | rec.pushData(text) per event;
//                   on normal end `await rec.end()`, on error/abort `rec.abandon()`
//
// What is keyed and what is stored: the key is computed from the request AFTER prompt policies (templates,
// decorators, PII redaction: placeholders, not the caller's values); the entry is the canonical answer AS RECEIVED
// from upstream, BEFORE response-phase policies (PII restore, response transformers). On a hit the pipeline runs the
// response phase on the replayed answer as it would on a fresh one, so one caller's restored PII is never stored.
// For streams, feed the recorder the upstream chunks before any usage stripping (the replay adds usage only for
// clients that ask for it).
//
// Exact lookups cost one backend round trip. In "semantic" mode an exact miss continues with one embed call and one
// vector search. Backends and the vector store fail open: an error is reported through hooks.onError and counts as a
// miss (a failed store is dropped), never as a failed request. Only 200 answers that completed (every choice has a
// finish_reason) are stored.

import type { CacheConfig } from "@sluice/db/schemas";
import type { HeaderMap } from "../policies/types.ts";
import type { ChatRequest, ChatResponse, Usage } from "../providers/types.ts";
import { MemoryCacheBackend } from "./backends/memory.ts";
import { purgeFilter, purgeMatcher } from "./backends/purge.ts";
import {
  decodeEntry,
  encodeEntry,
  type FreshIdentity,
  replayChunks,
  replayResponse,
  replaySse,
  responsePayload,
} from "./entry.ts";
import { type HotKey, type HotKeyOptions, HotKeyTracker } from "./hot-keys.ts";
import { clientCacheDirectives } from "./http.ts";
import { cacheKey, partitionFor, semanticBucket } from "./key.ts";
import { type RecordedStream, StreamRecorder } from "./recorder.ts";
import { normaliseVector, semanticPrompt } from "./semantic/prompt.ts";
import type { EmbedFn, VectorStore } from "./semantic/types.ts";
import type {
  CacheBackend,
  CacheBackendKind,
  CacheBackendStats,
  CacheEntry,
  CacheHooks,
  CacheKey,
  CacheStatus,
  Now,
  PurgeSelector,
} from "./types.ts";

export interface ResponseCacheOptions {
  /** configured backends; an in-process memory backend is created when none is given */
  backends?: Partial<Record<CacheBackendKind, CacheBackend>>;
  /** the semantic cache (mode "semantic" needs it; without it semantic routes use the exact cache only) */
  semantic?: {
    store: VectorStore;
    embed: EmbedFn;
    /** embed + vector search budget per lookup, default 1000 ms; past it the lookup is a miss (reported via onError) */
    timeoutMs?: number;
  };
  now?: Now;
  hooks?: CacheHooks;
  /** largest stored answer in characters of JSON, default 1 MiB (a route's `maxEntryBytes` overrides) */
  maxEntryChars?: number;
  /** frequency tracking for refresh-ahead (routes with `refreshAhead: true`); false disables */
  hotKeys?: HotKeyOptions | false;
}

export interface CacheLookupInput {
  /** the route's cache policy config (zod output) */
  config: CacheConfig;
  routeId: string;
  /** the model the provider will see, when the pipeline knows it; defaults to request.model */
  model?: string;
  /** the canonical request after prompt policies */
  request: ChatRequest;
  consumerId: string | null;
  teamId: string | null;
  /** lower-case request headers (cache-control, pragma) */
  headers?: HeaderMap;
}

export interface CacheHit {
  status: "hit" | "semantic-hit";
  entry: CacheEntry;
  /** cosine similarity of a semantic hit; null for exact hits */
  similarity: number | null;
  /** the original answer's usage: price it for `savedCost` (the hit itself costs 0) */
  usage: Usage | null;
  /** the JSON body for a non-streamed request (fresh id/created) */
  body(identity?: FreshIdentity): string;
  /** the chunk JSON texts for a streamed request; includeUsage defaults to the request's stream_options */
  chunks(opts?: FreshIdentity & { includeUsage?: boolean }): string[];
  /** the whole SSE body including `data: [DONE]` */
  sse(opts?: FreshIdentity & { includeUsage?: boolean }): string;
}

export interface CacheWriter {
  /** stores a complete non-streamed answer; only status 200 is stored. Resolves true when stored. */
  storeResponse(status: number, response: ChatResponse): Promise<boolean>;
  /** a recorder for a streamed answer (see recorder.ts); stores on `end()` when complete */
  recordStream(): StreamRecorder;
}

export interface CacheLookup {
  status: CacheStatus;
  /** the `x-sluice-cache` header value */
  header: CacheStatus;
  backend: CacheBackendKind;
  key: CacheKey;
  hit: CacheHit | null;
  /** null on a hit and for `no-store` */
  writer: CacheWriter | null;
}

interface Probe {
  vector: number[];
  bucket: string;
}

/** What refresh-ahead keeps per hot key. */
export interface HotKeyValue {
  input: CacheLookupInput;
  /** expiry of the stored entry as last seen (0 = unknown) */
  expiresAt: number;
}

const DEFAULT_MAX_ENTRY_CHARS = 1024 * 1024;

export class ResponseCache {
  private readonly backends: Partial<Record<CacheBackendKind, CacheBackend>>;
  private readonly memory: CacheBackend;
  private readonly semantic: { store: VectorStore; embed: EmbedFn; timeoutMs?: number } | null;
  readonly now: Now;
  private readonly hooks: CacheHooks;
  private readonly maxEntryChars: number;
  private readonly tracker: HotKeyTracker<HotKeyValue> | null;

  constructor(options: ResponseCacheOptions = {}) {
    this.now = options.now ?? Date.now;
    this.backends = { ...options.backends };
    this.memory = this.backends.memory ?? new MemoryCacheBackend({ now: this.now });
    this.backends.memory = this.memory;
    this.semantic = options.semantic ?? null;
    this.hooks = options.hooks ?? {};
    this.maxEntryChars = options.maxEntryChars ?? DEFAULT_MAX_ENTRY_CHARS;
    this.tracker = options.hotKeys === false ? null : new HotKeyTracker<HotKeyValue>({ now: this.now, ...options.hotKeys });
  }

  /** The backend a route's config selects: "auto" = Redis when configured, else memory; an unconfigured choice falls back to auto. */
  backendFor(config: Pick<CacheConfig, "backend">): CacheBackend {
    if (config.backend !== "auto") {
      const chosen = this.backends[config.backend];
      if (chosen) return chosen;
    }
    return this.backends.redis ?? this.memory;
  }

  /** The key and backend of a request (no I/O). */
  keyFor(input: CacheLookupInput): { key: CacheKey; backend: CacheBackend } {
    const partition = partitionFor(input.config.partition, input);
    const key = cacheKey({ routeId: input.routeId, model: input.model, request: input.request, partition });
    return { key, backend: this.backendFor(input.config) };
  }

  async lookup(input: CacheLookupInput): Promise<CacheLookup> {
    const { key, backend } = this.keyFor(input);
    const cc = clientCacheDirectives(input.headers);
    const track = input.config.refreshAhead === true && this.tracker !== null;

    if (cc.noCache) {
      this.emitLookup(backend.kind, input.routeId, "bypass");
      return this.result("bypass", backend, key, null, cc.noStore ? null : this.writer(input, key, backend, null));
    }
    if (track) this.tracker?.touch(key.id, () => ({ input: { ...input, headers: undefined }, expiresAt: 0 }));

    let entry: CacheEntry | null = null;
    try {
      entry = await backend.get(key);
    } catch (error) {
      this.emitError(backend.kind, "get", error);
    }
    this.emitLookup(backend.kind, input.routeId, entry ? "hit" : "miss");
    if (entry) {
      if (track) this.noteExpiry(key.id, entry.expiresAt);
      return this.result("hit", backend, key, this.hit("hit", entry, null, input.request), null);
    }

    let probe: Probe | null = null;
    const sem = this.semanticRules(input);
    if (sem) {
      const found = await this.semanticLookup(input, key, sem);
      if (found.hit) return this.result("semantic-hit", backend, key, found.hit, null);
      probe = found.probe;
    }
    return this.result("miss", backend, key, null, this.writer(input, key, backend, probe));
  }

  /** True when a live exact entry exists for the request (one round trip). */
  async has(input: CacheLookupInput): Promise<boolean> {
    const { key, backend } = this.keyFor(input);
    return (await backend.get(key)) !== null;
  }

  /** A writer for a request without a lookup (cache warming, refresh-ahead). */
  writerFor(input: CacheLookupInput): CacheWriter {
    const { key, backend } = this.keyFor(input);
    return this.writer(input, key, backend, null);
  }

  /** Purges every configured backend and the semantic store; returns the counts. */
  async purge(selector: PurgeSelector): Promise<{ total: number; byBackend: Record<string, number> }> {
    const byBackend: Record<string, number> = {};
    if (this.tracker) {
      // purged keys stop being refreshed ahead (until they are requested again)
      const matches = purgeMatcher(selector);
      for (const h of this.tracker.hottest()) {
        const { key } = this.keyFor(h.value.input);
        if (matches(key.routeId, key.partition)) this.tracker.forget(h.id);
      }
    }
    let total = 0;
    for (const backend of new Set(Object.values(this.backends))) {
      if (!backend) continue;
      const n = await backend.purge(selector);
      byBackend[backend.kind] = n;
      total += n;
    }
    if (this.semantic) {
      const f = purgeFilter(selector);
      const n = f ? await this.semantic.store.purge(f.all ? { all: true } : { routeId: f.routeId, partition: f.partition }) : 0;
      byBackend.semantic = n;
      total += n;
    }
    return { total, byBackend };
  }

  purgeRoute(routeId: string) {
    return this.purge({ routeId });
  }
  purgeConsumer(consumerId: string) {
    return this.purge({ consumerId });
  }
  purgeTeam(teamId: string) {
    return this.purge({ teamId });
  }
  purgeAll() {
    return this.purge({ all: true });
  }

  async stats(): Promise<CacheBackendStats[]> {
    const out: CacheBackendStats[] = [];
    for (const backend of new Set(Object.values(this.backends))) if (backend) out.push(await backend.stats());
    return out;
  }

  /** The most frequently requested keys of refresh-ahead routes, hottest first. */
  hotKeys(): HotKey<HotKeyValue>[] {
    return this.tracker?.hottest() ?? [];
  }

  async close(): Promise<void> {
    for (const backend of new Set(Object.values(this.backends))) await backend?.close?.();
    await this.semantic?.store.close?.();
  }

  // ─── internals ───────────────────────────────────────────────────────────────────────────────────────────────

  private result(
    status: CacheStatus,
    backend: CacheBackend,
    key: CacheKey,
    hit: CacheHit | null,
    writer: CacheWriter | null,
  ): CacheLookup {
    return { status, header: status, backend: backend.kind, key, hit, writer };
  }

  private hit(status: CacheHit["status"], entry: CacheEntry, similarity: number | null, request: ChatRequest): CacheHit {
    const now = this.now;
    const wantsUsage = request.stream_options?.include_usage === true;
    return {
      status,
      entry,
      similarity,
      usage: entry.usage,
      body: (identity = {}) => replayResponse(entry, identity, now()),
      chunks: (opts = {}) => replayChunks(entry, { includeUsage: wantsUsage, ...opts }, now()),
      sse: (opts = {}) => replaySse(entry, { includeUsage: wantsUsage, ...opts }, now()),
    };
  }

  private semanticRules(input: CacheLookupInput) {
    if (input.config.mode !== "semantic" || !input.config.semantic || !this.semantic) return null;
    return input.config.semantic;
  }

  private async embedProbe(input: CacheLookupInput, sem: NonNullable<CacheConfig["semantic"]>): Promise<Probe | null> {
    if (!this.semantic) return null;
    const prompt = semanticPrompt(input.request, sem);
    if ("skip" in prompt) return null;
    try {
      const [vector] = await this.semantic.embed([prompt.text], {
        embeddingsTargetId: sem.embeddingsTargetId,
        routeId: input.routeId,
      });
      if (!vector || vector.length === 0) return null;
      return {
        vector: normaliseVector(vector),
        bucket: semanticBucket({ routeId: input.routeId, model: input.model, request: input.request }),
      };
    } catch (error) {
      this.emitError("embed", "embed", error);
      return null;
    }
  }

  private async semanticLookup(
    input: CacheLookupInput,
    key: CacheKey,
    sem: NonNullable<CacheConfig["semantic"]>,
  ): Promise<{ hit: CacheHit | null; probe: Probe | null }> {
    const store = this.semantic?.store;
    const timeoutMs = this.semantic?.timeoutMs ?? 1_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    const probe = await Promise.race([this.embedProbe(input, sem), timeout]);
    if (probe === "timeout") {
      clearTimeout(timer);
      this.emitError("embed", "timeout", new Error(`semantic embed exceeded ${timeoutMs} ms`));
      this.emitLookup("semantic", input.routeId, "miss");
      return { hit: null, probe: null };
    }
    if (!probe || !store) {
      clearTimeout(timer);
      return { hit: null, probe: null };
    }
    try {
      const search = store.search({ partition: key.partition, bucket: probe.bucket, vector: probe.vector, now: this.now() });
      const match = await Promise.race([search, timeout]);
      if (match === "timeout") throw new Error(`semantic search exceeded ${timeoutMs} ms`);
      const entry = match && match.similarity >= sem.threshold ? decodeEntry(match.payload) : null;
      if (match && entry && entry.expiresAt > this.now()) {
        this.emitLookup("semantic", input.routeId, "semantic-hit");
        return { hit: this.hit("semantic-hit", entry, match.similarity, input.request), probe };
      }
    } catch (error) {
      this.emitError("semantic", "search", error);
    } finally {
      clearTimeout(timer);
    }
    this.emitLookup("semantic", input.routeId, "miss");
    return { hit: null, probe };
  }

  private writer(input: CacheLookupInput, key: CacheKey, backend: CacheBackend, probe: Probe | null): CacheWriter {
    const maxChars = input.config.maxEntryBytes ?? this.maxEntryChars;
    const ttlMs = input.config.ttlSeconds * 1000;
    const store = async (entry: Omit<CacheEntry, "createdAt" | "expiresAt" | "routeId" | "partition">) => {
      const now = this.now();
      const full: CacheEntry = {
        ...entry,
        routeId: key.routeId,
        partition: key.partition,
        createdAt: now,
        expiresAt: now + ttlMs,
      };
      let stored = false;
      try {
        await backend.set(key, full, ttlMs);
        stored = true;
        this.hooks.onStore?.({ backend: backend.kind, routeId: key.routeId, bytes: full.payload.length });
      } catch (error) {
        this.emitError(backend.kind, "set", error);
      }
      const sem = this.semanticRules(input);
      if (sem && this.semantic) {
        const p = probe ?? (await this.embedProbe(input, sem));
        if (p) {
          try {
            await this.semantic.store.upsert({
              id: key.id,
              partition: key.partition,
              bucket: p.bucket,
              routeId: key.routeId,
              vector: p.vector,
              payload: encodeEntry(full),
              expiresAt: full.expiresAt,
            });
            stored = true;
            this.hooks.onStore?.({ backend: "semantic", routeId: key.routeId, bytes: full.payload.length });
          } catch (error) {
            this.emitError("semantic", "upsert", error);
          }
        }
      }
      if (stored && input.config.refreshAhead === true) this.noteExpiry(key.id, full.expiresAt);
      return stored;
    };

    return {
      storeResponse: async (status, response) => {
        if (status !== 200 || !isCompleteResponse(response)) return false;
        const payload = responsePayload(response);
        if (payload.length > maxChars) {
          this.hooks.onAbandon?.({ routeId: key.routeId, reason: "too_large" });
          return false;
        }
        return store({ kind: "response", model: response.model, usage: response.usage ?? null, payload });
      },
      recordStream: () =>
        new StreamRecorder(maxChars, async (rec: RecordedStream | null, reason) => {
          if (!rec) {
            if (reason) this.hooks.onAbandon?.({ routeId: key.routeId, reason });
            return;
          }
          await store({ kind: "stream", model: rec.model, usage: rec.usage, payload: rec.payload });
        }),
    };
  }

  private noteExpiry(id: string, expiresAt: number): void {
    const held = this.tracker?.get(id);
    if (held) held.value.expiresAt = expiresAt;
  }

  private emitLookup(backend: CacheBackendKind | "semantic", routeId: string, status: CacheStatus): void {
    try {
      this.hooks.onLookup?.({ backend, routeId, status });
    } catch {
      // hooks must not break requests
    }
  }

  private emitError(backend: CacheBackendKind | "semantic" | "embed", op: string, error: unknown): void {
    try {
      this.hooks.onError?.({ backend, op, error });
    } catch {
      // hooks must not break requests
    }
  }
}

/** A 200 body that is a real chat completion with every choice finished (never an error object). */
function isCompleteResponse(response: ChatResponse): boolean {
  if (response?.object !== "chat.completion" || !Array.isArray(response.choices)) return false;
  if ("error" in (response as object)) return false;
  return response.choices.length > 0 && response.choices.every((c) => c.finish_reason !== null && c.finish_reason !== undefined);
}

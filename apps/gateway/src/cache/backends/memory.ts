// In-process backend: an LRU map with a byte budget (one node only; the default when no Redis is configured).
// A Map keeps insertion order, so "move to the back" on a hit and "evict from the front" make it an LRU with O(1)
// operations. Sizes are approximate (entrySize: payload characters plus a fixed overhead); an entry larger than the
// whole budget (or than `maxEntryBytes`) is not stored. Expired entries are dropped when touched and when the
// budget needs room.

import { entrySize } from "../entry.ts";
import type { CacheBackend, CacheBackendStats, CacheEntry, CacheKey, Now, PurgeSelector } from "../types.ts";
import { purgeMatcher } from "./purge.ts";

export interface MemoryBackendOptions {
  /** total budget, default 64 MiB */
  maxBytes?: number;
  /** largest single entry, default maxBytes / 4 */
  maxEntryBytes?: number;
  now?: Now;
}

interface Slot {
  key: CacheKey;
  entry: CacheEntry;
  bytes: number;
}

export class MemoryCacheBackend implements CacheBackend {
  readonly kind = "memory" as const;
  private readonly slots = new Map<string, Slot>();
  private readonly maxBytes: number;
  private readonly maxEntryBytes: number;
  private readonly now: Now;
  private bytes = 0;
  private readonly counters = { hits: 0, misses: 0, sets: 0, errors: 0, evictions: 0 };

  constructor(options: MemoryBackendOptions = {}) {
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.maxEntryBytes = Math.min(options.maxEntryBytes ?? Math.floor(this.maxBytes / 4), this.maxBytes);
    this.now = options.now ?? Date.now;
  }

  async get(key: CacheKey): Promise<CacheEntry | null> {
    const slot = this.slots.get(key.id);
    if (!slot) {
      this.counters.misses++;
      return null;
    }
    if (slot.entry.expiresAt <= this.now()) {
      this.remove(key.id, slot);
      this.counters.misses++;
      return null;
    }
    // most recently used goes to the back
    this.slots.delete(key.id);
    this.slots.set(key.id, slot);
    this.counters.hits++;
    return slot.entry;
  }

  async set(key: CacheKey, entry: CacheEntry, ttlMs: number): Promise<void> {
    const bytes = entrySize(entry) + key.id.length;
    if (bytes > this.maxEntryBytes) return;
    const old = this.slots.get(key.id);
    if (old) this.remove(key.id, old);
    const expiresAt = Math.min(entry.expiresAt, this.now() + ttlMs);
    this.slots.set(key.id, { key, entry: entry.expiresAt === expiresAt ? entry : { ...entry, expiresAt }, bytes });
    this.bytes += bytes;
    this.counters.sets++;
    if (this.bytes > this.maxBytes) this.makeRoom();
  }

  async purge(selector: PurgeSelector): Promise<number> {
    const matches = purgeMatcher(selector);
    let n = 0;
    for (const [id, slot] of this.slots) {
      if (matches(slot.key.routeId, slot.key.partition)) {
        this.remove(id, slot);
        n++;
      }
    }
    return n;
  }

  async stats(): Promise<CacheBackendStats> {
    return { backend: this.kind, ...this.counters, entries: this.slots.size, bytes: this.bytes };
  }

  private remove(id: string, slot: Slot): void {
    this.slots.delete(id);
    this.bytes -= slot.bytes;
  }

  private makeRoom(): void {
    const now = this.now();
    // expired entries first (one pass), then least recently used
    for (const [id, slot] of this.slots) {
      if (slot.entry.expiresAt <= now) this.remove(id, slot);
    }
    for (const [id, slot] of this.slots) {
      if (this.bytes <= this.maxBytes) break;
      this.remove(id, slot);
      this.counters.evictions++;
    }
  }
}

// Cache warming.
// (a) warmCache: load answers for a given list of requests (an operator's list, a deploy hook). The caller supplies
//     `fetch`, which calls upstream through the normal pipeline and returns the complete answer (or null).
// (b) RefreshAhead: re-fetch the most frequent recent requests (HotKeyTracker, routes with `refreshAhead: true`)
//     shortly before their entries expire, so hot keys never fall out of the cache. A timer calls tick(); each tick
//     refreshes the hot keys whose entry expires within `leadMs`, at most `concurrency` at a time, each key once.

import type { ChatResponse } from "../providers/types.ts";
import type { CacheLookupInput, ResponseCache } from "./response-cache.ts";

export type FetchAnswer = (input: CacheLookupInput) => Promise<ChatResponse | null>;

export interface WarmResult {
  warmed: number;
  /** already cached (unless `force`) */
  skipped: number;
  failed: number;
}

async function runPool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

export async function warmCache(
  cache: ResponseCache,
  inputs: readonly CacheLookupInput[],
  fetch: FetchAnswer,
  options: { concurrency?: number; force?: boolean } = {},
): Promise<WarmResult> {
  const result: WarmResult = { warmed: 0, skipped: 0, failed: 0 };
  await runPool(inputs, options.concurrency ?? 4, async (input) => {
    try {
      if (!options.force && (await cache.has(input))) {
        result.skipped++;
        return;
      }
      const answer = await fetch(input);
      if (answer && (await cache.writerFor(input).storeResponse(200, answer))) result.warmed++;
      else result.failed++;
    } catch {
      result.failed++;
    }
  });
  return result;
}

export interface RefreshAheadOptions {
  fetch: FetchAnswer;
  /** refresh entries expiring within this window, default 30 s */
  leadMs?: number;
  /** tick interval for start(), default 5 s */
  intervalMs?: number;
  /** only keys requested at least this often (decayed count), default 2 */
  minCount?: number;
  /** parallel refreshes per tick, default 2 */
  concurrency?: number;
  onError?(error: unknown): void;
}

export class RefreshAhead {
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly cache: ResponseCache,
    private readonly options: RefreshAheadOptions,
  ) {}

  /** One pass; returns how many entries were refreshed. */
  async tick(): Promise<number> {
    const now = this.cache.now();
    const lead = this.options.leadMs ?? 30_000;
    const minCount = this.options.minCount ?? 2;
    const due = this.cache
      .hotKeys()
      .filter((h) => h.count >= minCount && h.value.expiresAt > 0 && h.value.expiresAt - now <= lead && !this.inFlight.has(h.id));
    let refreshed = 0;
    await runPool(due, this.options.concurrency ?? 2, async (h) => {
      this.inFlight.add(h.id);
      try {
        const answer = await this.options.fetch(h.value.input);
        if (answer && (await this.cache.writerFor(h.value.input).storeResponse(200, answer))) refreshed++;
      } catch (error) {
        this.options.onError?.(error);
      } finally {
        this.inFlight.delete(h.id);
      }
    });
    return refreshed;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.tick().catch((error: unknown) => this.options.onError?.(error));
    }, this.options.intervalMs ?? 5_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

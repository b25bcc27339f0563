import { describe, expect, it } from "vitest";
import { MemoryCacheBackend } from "../../src/cache/backends/memory.ts";
import { entrySize } from "../../src/cache/entry.ts";
import { backendContract, entryFor, keyOf } from "./backend-contract.ts";
import { manualClock } from "./helpers.ts";

backendContract("memory", async () => {
  const clock = manualClock();
  return { backend: new MemoryCacheBackend({ now: clock.now }), now: clock.now, advance: async (ms) => clock.advance(ms) };
});

describe("MemoryCacheBackend LRU byte budget", () => {
  const payload = (n: number) => `{"x":"${"a".repeat(n)}"}`;

  it("evicts the least recently used entries to stay within the budget", async () => {
    const clock = manualClock();
    const keys = ["k0", "k1", "k2", "k3"].map((q) => keyOf("rt", "shared", q));
    const sizeOne = entrySize(entryFor(keys[0]!, 0, 1, payload(1000))) + keys[0]!.id.length;
    const backend = new MemoryCacheBackend({ now: clock.now, maxBytes: sizeOne * 3 + 10, maxEntryBytes: sizeOne * 2 });
    for (const k of keys.slice(0, 3)) await backend.set(k, entryFor(k, clock.now(), 60_000, payload(1000)), 60_000);
    // touch k0 so k1 is now the least recently used
    expect(await backend.get(keys[0]!)).not.toBeNull();
    await backend.set(keys[3]!, entryFor(keys[3]!, clock.now(), 60_000, payload(1000)), 60_000);
    expect(await backend.get(keys[1]!)).toBeNull();
    for (const i of [0, 2, 3]) expect(await backend.get(keys[i]!)).not.toBeNull();
    const s = await backend.stats();
    expect(s.entries).toBe(3);
    expect(s.bytes).toBeLessThanOrEqual(sizeOne * 3 + 10);
    expect(s.evictions).toBe(1);
  });

  it("drops expired entries before evicting live ones", async () => {
    const clock = manualClock();
    const [a, b, c] = ["a", "b", "c"].map((q) => keyOf("rt", "shared", q)) as [
      ReturnType<typeof keyOf>,
      ReturnType<typeof keyOf>,
      ReturnType<typeof keyOf>,
    ];
    const sizeOne = entrySize(entryFor(a, 0, 1, payload(500))) + a.id.length;
    const backend = new MemoryCacheBackend({ now: clock.now, maxBytes: sizeOne * 2 + 10, maxEntryBytes: sizeOne * 2 });
    await backend.set(a, entryFor(a, clock.now(), 60_000, payload(500)), 60_000);
    await backend.set(b, entryFor(b, clock.now(), 1_000, payload(500)), 1_000);
    clock.advance(2_000);
    await backend.set(c, entryFor(c, clock.now(), 60_000, payload(500)), 60_000);
    expect(await backend.get(a)).not.toBeNull();
    expect(await backend.get(c)).not.toBeNull();
    expect((await backend.stats()).evictions).toBe(0);
  });

  it("does not store an entry larger than maxEntryBytes", async () => {
    const backend = new MemoryCacheBackend({ maxBytes: 10_000, maxEntryBytes: 2_000 });
    const k = keyOf("rt", "shared");
    await backend.set(k, entryFor(k, Date.now(), 60_000, payload(5_000)), 60_000);
    expect(await backend.get(k)).toBeNull();
    expect((await backend.stats()).bytes).toBe(0);
  });
});

import { describe, expect, it } from "vitest";
import {
  buildHashRing,
  ConsistentHashBalancer,
  extractHashKey,
  lookupRing,
} from "../../src/balancer/algorithms/consistent-hash.ts";
import { ctxWith, NONE, type TestTarget, tally, target } from "./helpers.ts";

const KEYS = Array.from({ length: 20_000 }, (_, i) => `user-${i}`);

function owners(targets: readonly TestTarget[]): string[] {
  const ring = buildHashRing(targets);
  return KEYS.map((k) => (targets[lookupRing(ring, k)] as TestTarget).id);
}

describe("consistent hashing ring", () => {
  it("spreads keys close to the weights with virtual nodes", () => {
    const targets = [target("a", 100), target("b", 100), target("c", 200)];
    const counts = tally(owners(targets));
    expect(counts.a! / KEYS.length).toBeGreaterThan(0.2);
    expect(counts.a! / KEYS.length).toBeLessThan(0.3);
    expect(counts.b! / KEYS.length).toBeGreaterThan(0.2);
    expect(counts.b! / KEYS.length).toBeLessThan(0.3);
    expect(counts.c! / KEYS.length).toBeGreaterThan(0.43);
    expect(counts.c! / KEYS.length).toBeLessThan(0.57);
  });

  it("adding one target to N remaps about 1/(N+1) of keys, and only onto the new target", () => {
    for (const n of [3, 5, 10]) {
      const before = Array.from({ length: n }, (_, i) => target(`t${i}`));
      const after = [...before, target("new")];
      const a = owners(before);
      const b = owners(after);
      let moved = 0;
      for (let i = 0; i < KEYS.length; i++) {
        if (a[i] !== b[i]) {
          moved++;
          expect(b[i]).toBe("new");
        }
      }
      const share = moved / KEYS.length;
      const ideal = 1 / (n + 1);
      expect(share).toBeGreaterThan(ideal * 0.7);
      expect(share).toBeLessThan(ideal * 1.3);
    }
  });

  it("removing a target moves only that target's keys", () => {
    const all = [target("a"), target("b"), target("c"), target("d")];
    const a = owners(all);
    const b = owners(all.filter((t) => t.id !== "c"));
    for (let i = 0; i < KEYS.length; i++) if (a[i] !== "c") expect(b[i]).toBe(a[i]);
  });

  it("builds the same ring whatever the target order (every node agrees)", () => {
    const x = [target("a"), target("b"), target("c")];
    const y = [target("c"), target("a"), target("b")];
    const ox = owners(x);
    const oy = owners(y);
    expect(ox).toEqual(oy);
  });
});

describe("consistent-hash balancer", () => {
  const targets = [target("a"), target("b"), target("c")];

  it("keeps a consumer on one target and walks clockwise past excluded ones", async () => {
    const b = new ConsistentHashBalancer<TestTarget>({ consumer: true });
    const ctx = ctxWith({ consumerId: "cons_42" });
    const first = (await b.select(targets, ctx, NONE))?.id;
    for (let i = 0; i < 20; i++) expect((await b.select(targets, ctx, NONE))?.id).toBe(first);
    const next = (await b.select(targets, ctx, new Set([first!])))?.id;
    expect(next).toBeDefined();
    expect(next).not.toBe(first);
    expect(await b.select(targets, ctx, new Set(["a", "b", "c"]))).toBeUndefined();
  });

  it("hashes on a header or a (dotted) body field", async () => {
    expect(extractHashKey({ header: "X-Session" }, ctxWith({ headers: { "x-session": "s1" } }))).toBe("s1");
    expect(extractHashKey({ header: "x-session" }, ctxWith({ headers: { "x-session": ["s2", "s3"] } }))).toBe("s2");
    expect(extractHashKey({ bodyField: "metadata.session" }, ctxWith({ body: { metadata: { session: 7 } } }))).toBe("7");
    expect(extractHashKey({ bodyField: "user" }, ctxWith({ body: { user: "" } }))).toBeUndefined();
    const b = new ConsistentHashBalancer<TestTarget>({ bodyField: "user" });
    const seen = new Set<string>();
    for (let i = 0; i < 10; i++) seen.add((await b.select(targets, ctxWith({ body: { user: "alice" } }), NONE))!.id);
    expect(seen.size).toBe(1);
  });

  it("falls back to weighted round-robin when the request carries no key", async () => {
    const b = new ConsistentHashBalancer<TestTarget>({ header: "x-session" });
    const ctx = ctxWith();
    const ids: string[] = [];
    for (let i = 0; i < 9; i++) ids.push((await b.select(targets, ctx, NONE))!.id);
    expect(tally(ids)).toEqual({ a: 3, b: 3, c: 3 });
  });
});

// The semantic cache with the in-memory vector store and a deterministic embedder: hits above the threshold, misses
// below, the skip rules (tools, long conversations), partitions, TTL, purge, and failing open on embedder errors.

import { describe, expect, it } from "vitest";
import { type CacheLookupInput, ResponseCache } from "../../src/cache/response-cache.ts";
import { MemoryVectorStore } from "../../src/cache/semantic/memory-store.ts";
import { normaliseVector, semanticPrompt } from "../../src/cache/semantic/prompt.ts";
import type { EmbedFn } from "../../src/cache/semantic/types.ts";
import type { ChatMessage } from "../../src/providers/types.ts";
import { cacheConfig, chatRequest, chatResponse, manualClock } from "./helpers.ts";

// prompts -> vectors: "capital of France" and its paraphrase are ~0.995 similar; "weather" is orthogonal; the
// "near" paraphrase is ~0.9 similar (below a 0.95 threshold)
const VECTORS: Array<[RegExp, number[]]> = [
  [/capital of France\?/, [1, 0, 0]],
  [/France's capital city/, [0.995, 0.0999, 0]],
  [/French capital, roughly/, [0.9, 0.4359, 0]],
  [/weather/, [0, 0, 1]],
];

function embedder() {
  const calls: string[][] = [];
  const embed: EmbedFn = async (texts, target) => {
    calls.push(texts);
    expect(target.embeddingsTargetId).toBe("tgt_embed");
    return texts.map((t) => VECTORS.find(([re]) => re.test(t))?.[1] ?? [0, 1, 0]);
  };
  return { embed, calls };
}

const SEMANTIC = { mode: "semantic", semantic: { embeddingsTargetId: "tgt_embed", threshold: 0.95 } };

function input(
  question: string,
  over: Partial<CacheLookupInput> = {},
  config: Record<string, unknown> = SEMANTIC,
): CacheLookupInput {
  return {
    config: cacheConfig(config),
    routeId: "rt_1",
    request: chatRequest({
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: question },
      ],
    }),
    consumerId: "con_A",
    teamId: null,
    ...over,
  };
}

function setup(embed = embedder()) {
  const clock = manualClock();
  const store = new MemoryVectorStore();
  const events: string[] = [];
  const cache = new ResponseCache({
    now: clock.now,
    semantic: { store, embed: embed.embed },
    hooks: { onLookup: (e) => events.push(`${e.backend}:${e.status}`), onError: (e) => events.push(`error:${e.backend}`) },
  });
  return { clock, store, cache, events, embed };
}

async function fill(cache: ResponseCache, i: CacheLookupInput, content = "Paris.") {
  const l = await cache.lookup(i);
  expect(l.status).toBe("miss");
  expect(await l.writer!.storeResponse(200, chatResponse(content))).toBe(true);
}

describe("semantic cache", () => {
  it("answers a paraphrase above the threshold, with the similarity and original usage", async () => {
    const { cache, events } = setup();
    await fill(cache, input("What is the capital of France?"));
    const l = await cache.lookup(input("Name France's capital city"));
    expect(l.status).toBe("semantic-hit");
    expect(l.header).toBe("semantic-hit");
    expect(l.hit!.similarity).toBeGreaterThan(0.99);
    expect(l.hit!.usage).toEqual(chatResponse().usage);
    expect(JSON.parse(l.hit!.body()).choices[0].message.content).toBe("Paris.");
    expect(events).toEqual(["memory:miss", "semantic:miss", "memory:miss", "semantic:semantic-hit"]);
  });

  it("an exact repeat is an exact hit (no embed call)", async () => {
    const e = embedder();
    const { cache } = setup(e);
    await fill(cache, input("What is the capital of France?"));
    const before = e.calls.length;
    expect((await cache.lookup(input("What is the capital of France?"))).status).toBe("hit");
    expect(e.calls.length).toBe(before);
  });

  it("misses below the threshold and for unrelated prompts", async () => {
    const { cache } = setup();
    await fill(cache, input("What is the capital of France?"));
    expect((await cache.lookup(input("The French capital, roughly?"))).status).toBe("miss");
    expect((await cache.lookup(input("How is the weather?"))).status).toBe("miss");
    // a lower threshold accepts the looser paraphrase
    const loose = { mode: "semantic", semantic: { embeddingsTargetId: "tgt_embed", threshold: 0.85 } };
    const { cache: c2 } = setup();
    await fill(c2, input("What is the capital of France?", {}, loose));
    expect((await c2.lookup(input("The French capital, roughly?", {}, loose))).status).toBe("semantic-hit");
  });

  it("never crosses partitions, routes or parameters", async () => {
    const { cache } = setup();
    await fill(cache, input("What is the capital of France?"));
    expect((await cache.lookup(input("Name France's capital city", { consumerId: "con_B" }))).status).toBe("miss");
    expect((await cache.lookup(input("Name France's capital city", { routeId: "rt_2" }))).status).toBe("miss");
    const hot = input("Name France's capital city");
    hot.request = { ...hot.request, temperature: 1.5 };
    expect((await cache.lookup(hot)).status).toBe("miss");
  });

  it("skips conversations with tools and longer than maxMessages (exact cache still applies)", async () => {
    const e = embedder();
    const { cache } = setup(e);
    const withTools = input("What is the capital of France?");
    withTools.request = { ...withTools.request, tools: [{ type: "function", function: { name: "lookup" } }] };
    await fill(cache, withTools);
    expect(e.calls).toHaveLength(0);
    const para = input("Name France's capital city");
    para.request = { ...para.request, tools: withTools.request.tools };
    expect((await cache.lookup(para)).status).toBe("miss");
    expect((await cache.lookup(withTools)).status).toBe("hit");

    const long: ChatMessage[] = Array.from(
      { length: 7 },
      (_, i) => ({ role: i % 2 ? "assistant" : "user", content: `m${i}` }) as ChatMessage,
    );
    long.push({ role: "user", content: "What is the capital of France?" });
    expect(semanticPrompt(chatRequest({ messages: long }), { maxMessages: 6, skipWithTools: true })).toEqual({
      skip: "too_long",
    });
    const longInput = input("x");
    longInput.request = chatRequest({ messages: long });
    await fill(cache, longInput);
    expect(e.calls).toHaveLength(0);
  });

  it("prompt text is system + last user message; tool traffic, non-text and assistant-last are skipped", () => {
    const rules = { maxMessages: 6, skipWithTools: true };
    expect(semanticPrompt(chatRequest(), rules)).toEqual({
      text: "system: You are terse.\nuser: What is the capital of France?",
    });
    expect(
      semanticPrompt(
        chatRequest({ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "data:," } }] }] }),
        rules,
      ),
    ).toEqual({ skip: "non_text" });
    expect(
      semanticPrompt(
        chatRequest({
          messages: [
            { role: "user", content: "a" },
            { role: "assistant", content: "b" },
          ],
        }),
        rules,
      ),
    ).toEqual({
      skip: "not_user_last",
    });
    expect(
      semanticPrompt(
        chatRequest({
          messages: [
            { role: "tool", content: "42", tool_call_id: "c" },
            { role: "user", content: "ok" },
          ],
        }),
        rules,
      ),
    ).toEqual({ skip: "tools" });
    expect(
      semanticPrompt(
        chatRequest({
          messages: [
            { role: "tool", content: "42", tool_call_id: "c" },
            { role: "user", content: "ok" },
          ],
        }),
        {
          ...rules,
          skipWithTools: false,
        },
      ),
    ).toEqual({ text: "user: ok" });
  });

  it("semantic entries expire with the route TTL and are purged with the route", async () => {
    const { cache, clock } = setup();
    const cfg = { ...SEMANTIC, ttlSeconds: 10 };
    await fill(cache, input("What is the capital of France?", {}, cfg));
    expect((await cache.lookup(input("Name France's capital city", {}, cfg))).status).toBe("semantic-hit");
    clock.advance(10_000);
    expect((await cache.lookup(input("Name France's capital city", {}, cfg))).status).toBe("miss");

    await fill(cache, input("What is the capital of France?", {}, cfg));
    const purged = await cache.purgeRoute("rt_1");
    expect(purged.byBackend.semantic).toBe(1);
    expect((await cache.lookup(input("Name France's capital city", {}, cfg))).status).toBe("miss");
  });

  it("records streamed answers into the semantic store too", async () => {
    const { cache } = setup();
    const l = await cache.lookup(input("What is the capital of France?"));
    const rec = l.writer!.recordStream();
    const base = { id: "c", object: "chat.completion.chunk" as const, created: 1, model: "m" };
    rec.push({ ...base, choices: [{ index: 0, delta: { role: "assistant", content: "Paris" }, finish_reason: "stop" }] });
    await rec.end();
    const hit = (await cache.lookup(input("Name France's capital city"))).hit!;
    expect(hit.status).toBe("semantic-hit");
    expect(JSON.parse(hit.chunks()[0]!).choices[0].delta.content).toBe("Paris");
  });

  it("an embedder failure is a miss reported through onError", async () => {
    const failing: EmbedFn = async () => {
      throw new Error("embeddings target down");
    };
    const { cache, events } = setup({ embed: failing, calls: [] });
    const l = await cache.lookup(input("What is the capital of France?"));
    expect(l.status).toBe("miss");
    expect(await l.writer!.storeResponse(200, chatResponse())).toBe(true); // the exact store still works
    expect(events).toContain("error:embed");
  });

  it("a slow embedder is cut off at timeoutMs: the lookup is a miss", async () => {
    const errors: string[] = [];
    const slow: EmbedFn = () => new Promise(() => {});
    const cache = new ResponseCache({
      semantic: { store: new MemoryVectorStore(), embed: slow, timeoutMs: 20 },
      hooks: { onError: (e) => errors.push(`${e.backend}:${e.op}`) },
    });
    const started = Date.now();
    expect((await cache.lookup(input("What is the capital of France?"))).status).toBe("miss");
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(errors).toEqual(["embed:timeout"]);
  });

  it("mode exact never embeds", async () => {
    const e = embedder();
    const { cache } = setup(e);
    await fill(cache, input("What is the capital of France?", {}, { mode: "exact" }));
    expect((await cache.lookup(input("Name France's capital city", {}, { mode: "exact" }))).status).toBe("miss");
    expect(e.calls).toHaveLength(0);
  });
});

describe("MemoryVectorStore", () => {
  it("returns the nearest unexpired record in the scope and bounds each scope", async () => {
    const store = new MemoryVectorStore({ maxPerScope: 2 });
    const rec = (id: string, v: number[], expiresAt = 1_000) => ({
      id,
      partition: "p",
      bucket: "b",
      routeId: "r",
      vector: normaliseVector(v),
      payload: id,
      expiresAt,
    });
    await store.upsert(rec("a", [1, 0]));
    await store.upsert(rec("b", [0, 1], 10));
    expect((await store.search({ partition: "p", bucket: "b", vector: normaliseVector([0.1, 1]), now: 0 }))?.id).toBe("b");
    expect((await store.search({ partition: "p", bucket: "b", vector: normaliseVector([0.1, 1]), now: 20 }))?.id).toBe("a");
    expect(await store.search({ partition: "p", bucket: "other", vector: [1, 0], now: 0 })).toBeNull();
    await store.upsert(rec("c", [1, 1]));
    await store.upsert(rec("d", [1, 1]));
    expect(await store.purge({ all: true })).toBe(2);
  });
});

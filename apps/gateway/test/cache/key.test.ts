import { describe, expect, it } from "vitest";
import { cacheKey, canonicalJson, consumerPartition, partitionFor, semanticBucket, teamPartition } from "../../src/cache/key.ts";
import type { ChatRequest } from "../../src/providers/types.ts";
import { chatRequest } from "./helpers.ts";

const key = (request: ChatRequest, routeId = "rt_1", partition = "shared", model?: string) =>
  cacheKey({ routeId, partition, request, model }).hash;

describe("canonical JSON", () => {
  it("sorts keys at every depth and drops null/undefined members", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: null }], c: undefined } })).toBe('{"a":{"d":[1,{"z":1}]},"b":1}');
  });
});

describe("cache key", () => {
  const base = chatRequest();

  it("does not depend on field order", () => {
    const reordered: ChatRequest = {
      temperature: 0.2,
      messages: [
        { content: "You are terse.", role: "system" },
        { content: "What is the capital of France?", role: "user" },
      ],
      model: "gpt-4o-mini",
    };
    expect(key(reordered)).toBe(key(base));
  });

  it("ignores user, stream, stream_options and metadata", () => {
    const h = key(base);
    expect(key({ ...base, user: "alice" })).toBe(h);
    expect(key({ ...base, stream: true, stream_options: { include_usage: true } })).toBe(h);
    expect(key({ ...base, metadata: { trace: "x" } })).toBe(h);
  });

  it("depends on temperature, sampling params, seed, model, route, messages, tools and response_format", () => {
    const h = key(base);
    const variants: ChatRequest[] = [
      { ...base, temperature: 0.3 },
      { ...base, top_p: 0.5 },
      { ...base, top_k: 5 },
      { ...base, max_tokens: 10 },
      { ...base, stop: ["\n"] },
      { ...base, presence_penalty: 0.5 },
      { ...base, frequency_penalty: 0.5 },
      { ...base, n: 2 },
      { ...base, seed: 42 },
      { ...base, response_format: { type: "json_object" } },
      { ...base, tools: [{ type: "function", function: { name: "f" } }] },
      { ...base, messages: [...base.messages, { role: "user", content: "And Spain?" }] },
      { ...base, some_provider_param: 1 },
    ];
    const hashes = new Set(variants.map((v) => key(v)));
    expect(hashes.size).toBe(variants.length);
    expect(hashes.has(h)).toBe(false);
    expect(key(base, "rt_2")).not.toBe(h);
    expect(key(base, "rt_1", "shared", "gpt-4o")).not.toBe(h);
  });

  it("normalises defaults and equivalent spellings", () => {
    const plain = chatRequest({ temperature: undefined });
    const h = key(plain);
    expect(key({ ...plain, temperature: 1 })).toBe(h);
    expect(key({ ...plain, temperature: null })).toBe(h);
    expect(key({ ...plain, top_p: 1, n: 1, presence_penalty: 0, frequency_penalty: 0, parallel_tool_calls: true })).toBe(h);
    expect(key({ ...plain, response_format: { type: "text" } })).toBe(h);
    expect(key({ ...plain, tool_choice: "none" })).toBe(h);
    expect(key({ ...plain, stop: [] })).toBe(h);
    expect(key({ ...plain, stop: "END" })).toBe(key({ ...plain, stop: ["END"] }));
    expect(key({ ...plain, max_completion_tokens: 50 })).toBe(key({ ...plain, max_tokens: 50 }));
    const parts: ChatRequest = {
      ...plain,
      messages: [plain.messages[0]!, { role: "user", content: [{ type: "text", text: "What is the capital of France?" }] }],
    };
    expect(key(parts)).toBe(h);
    const tools = { ...plain, tools: [{ type: "function" as const, function: { name: "f" } }] };
    expect(key({ ...tools, tool_choice: "auto" })).toBe(key(tools));
  });

  it("keeps the partition out of the hash but in the key id", () => {
    const a = cacheKey({ routeId: "rt", partition: "c:a", request: base });
    const b = cacheKey({ routeId: "rt", partition: "c:b", request: base });
    expect(a.hash).toBe(b.hash);
    expect(a.id).not.toBe(b.id);
  });

  it("semantic bucket ignores messages but not parameters", () => {
    const b = semanticBucket({ routeId: "rt", request: base });
    expect(semanticBucket({ routeId: "rt", request: { ...base, messages: [{ role: "user", content: "hi" }] } })).toBe(b);
    expect(semanticBucket({ routeId: "rt", request: { ...base, temperature: 0.9 } })).not.toBe(b);
  });
});

describe("partitions", () => {
  const who = { consumerId: "con_1", teamId: "team_1" };
  it("per consumer, per team (falling back to the consumer without a team), shared", () => {
    expect(partitionFor("consumer", who)).toBe(consumerPartition("con_1"));
    expect(partitionFor("team", who)).toBe(teamPartition("team_1"));
    expect(partitionFor("team", { consumerId: "con_1", teamId: null })).toBe(consumerPartition("con_1"));
    expect(partitionFor("shared", who)).toBe("shared");
    expect(partitionFor("consumer", { consumerId: null, teamId: null })).toBe("anon");
  });
});

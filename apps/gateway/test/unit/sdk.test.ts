// The official openai client against a listening gateway (port 0) and a mock OpenAI upstream: chat, streaming with
// and without usage, tools, JSON mode, images, embeddings, client disconnects.

import type { FastifyInstance } from "fastify";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type MockUpstream, startOpenAILikeMock } from "../mocks/openai-like.ts";
import { baseConfig, buildTestApp, CONSUMER_KEY, type MemoryUsageSink } from "../support/gateway.ts";

let mock: MockUpstream;
let app: FastifyInstance;
let usage: MemoryUsageSink;
let client: OpenAI;
let baseURL: string;

beforeAll(async () => {
  mock = await startOpenAILikeMock({ cachedTokens: 2 });
  ({ app, usage } = await buildTestApp(baseConfig(`${mock.url}/v1`)));
  const address = await app.listen({ port: 0, host: "127.0.0.1" });
  baseURL = `${address}/v1`;
  client = new OpenAI({ apiKey: CONSUMER_KEY, baseURL, maxRetries: 0 });
});
afterAll(async () => {
  await app?.close();
  await mock?.close();
});
beforeEach(() => {
  usage.events.length = 0;
  mock.reset();
});

describe("openai SDK through the gateway", () => {
  it("chat", async () => {
    const res = await client.chat.completions.create({ model: "fast", messages: [{ role: "user", content: "Hello" }] });
    expect(res.choices[0]?.message.content).toContain("mock upstream");
    const [ev] = await usage.waitFor(1);
    expect(ev).toMatchObject({
      promptTokens: res.usage?.prompt_tokens,
      completionTokens: res.usage?.completion_tokens,
      cachedTokens: 2,
    });
  });

  it("streaming without include_usage: the usage chunk is stripped, usage still recorded", async () => {
    const stream = await client.chat.completions.create({
      model: "fast",
      messages: [{ role: "user", content: "Hello" }],
      stream: true,
    });
    let text = "";
    let sawUsage = false;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) sawUsage = true;
    }
    expect(text).toContain("mock upstream");
    expect(sawUsage).toBe(false);
    // the gateway asked upstream for usage anyway
    expect(mock.lastRequest()?.body).toMatchObject({ stream_options: { include_usage: true } });
    const [ev] = await usage.waitFor(1);
    expect(ev).toMatchObject({ stream: true, estimated: false, status: 200 });
    expect(ev?.completionTokens).toBeGreaterThan(0);
    expect(ev?.ttftMs).not.toBeNull();
  });

  it("streaming with include_usage: the usage chunk is kept and matches the event", async () => {
    const stream = await client.chat.completions.create({
      model: "fast",
      messages: [{ role: "user", content: "Hello" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let reported: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) if (chunk.usage) reported = chunk.usage;
    expect(reported?.completion_tokens).toBeGreaterThan(0);
    const [ev] = await usage.waitFor(1);
    expect(ev).toMatchObject({ promptTokens: reported?.prompt_tokens, completionTokens: reported?.completion_tokens });
  });

  it("tools and tool-call streams", async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: "function",
        function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
      },
      { type: "function", function: { name: "get_time", parameters: { type: "object", properties: {} } } },
    ];
    const res = await client.chat.completions.create({ model: "fast", messages: [{ role: "user", content: "weather?" }], tools });
    expect(res.choices[0]?.message.tool_calls?.map((c) => (c.type === "function" ? c.function.name : ""))).toEqual([
      "get_weather",
      "get_time",
    ]);
    const stream = client.chat.completions.stream({ model: "fast", messages: [{ role: "user", content: "weather?" }], tools });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]?.message.tool_calls).toHaveLength(2);
    expect(final.choices[0]?.finish_reason).toBe("tool_calls");
  });

  it("JSON mode and images in messages reach the upstream unchanged", async () => {
    await client.chat.completions.create({
      model: "fast",
      response_format: { type: "json_object" },
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is in this image? Answer in JSON." },
            { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
          ],
        },
      ],
    });
    const body = mock.lastRequest()?.body as Record<string, unknown>;
    expect(body.response_format).toEqual({ type: "json_object" });
    expect(JSON.stringify(body.messages)).toContain("image_url");
  });

  it("embeddings", async () => {
    const res = await client.embeddings.create({ model: "text-embedding-3-small", input: ["one", "two"] });
    expect(res.data).toHaveLength(2);
    expect(res.data[0]?.embedding.length).toBeGreaterThan(0);
  });

  it("errors arrive as SDK errors with status and code", async () => {
    await expect(
      client.chat.completions.create({ model: "nope", messages: [{ role: "user", content: "x" }] }),
    ).rejects.toMatchObject({
      status: 404,
      code: "model_not_found",
    });
    const bad = new OpenAI({ apiKey: "sk-wrong", baseURL, maxRetries: 0 });
    await expect(
      bad.chat.completions.create({ model: "fast", messages: [{ role: "user", content: "x" }] }),
    ).rejects.toMatchObject({
      status: 401,
    });
  });

  it("a client that disconnects mid-stream aborts the upstream call and still records usage", async () => {
    mock.injectFault({ chunkDelayMs: 50 });
    const ac = new AbortController();
    const stream = await client.chat.completions.create(
      { model: "fast", messages: [{ role: "user", content: "Hello" }], stream: true },
      { signal: ac.signal },
    );
    let n = 0;
    try {
      for await (const _ of stream) {
        if (++n === 2) ac.abort();
      }
    } catch {
      // aborted
    }
    const [ev] = await usage.waitFor(1);
    expect(ev).toMatchObject({ aborted: true, stream: true });
    await new Promise((r) => setTimeout(r, 100));
    expect(mock.stats.aborted).toBe(1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AZURE_DEFAULT_API_VERSION, adapter } from "../../src/providers/azure/index.ts";
import type { ChatRequest } from "../../src/providers/types.ts";
import { type MockUpstream, startOpenAILikeMock } from "../mocks/openai-like.ts";
import {
  fixtureJson,
  fixtureText,
  foldChunks,
  makeCtx,
  parsedBody,
  runSseStream,
  SPLITS,
  send,
  sendStream,
} from "./provider-test-helpers.ts";

const ctx = makeCtx({
  baseUrl: "https://contoso.openai.azure.com",
  model: "gpt-4o",
  settings: { apiVersion: "2024-10-21", deployments: { "gpt-4o": "prod-gpt4o" } },
  credentials: { apiKey: "azure-key-1" },
});
const base: ChatRequest = { model: "smart", messages: [{ role: "user", content: "hi" }] };

describe("azure: request", () => {
  it("uses the mapped deployment, the api-version and the api-key header", () => {
    const req = adapter.chat.buildRequest({ ...base, stream: true }, ctx);
    expect(req.url).toBe(
      "https://contoso.openai.azure.com/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21",
    );
    expect(req.headers).toEqual({ "content-type": "application/json", "api-key": "azure-key-1" });
    expect(parsedBody(req)).toEqual({
      model: "gpt-4o",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it("falls back to the model as deployment and to the default GA api-version; Entra tokens go as bearer", () => {
    const req = adapter.chat.buildRequest(base, {
      ...ctx,
      model: "gpt-4.1-mini",
      settings: {},
      credentials: { accessToken: "eyJ.tok" },
    });
    expect(req.url).toBe(
      `https://contoso.openai.azure.com/openai/deployments/gpt-4.1-mini/chat/completions?api-version=${AZURE_DEFAULT_API_VERSION}`,
    );
    expect(req.headers.authorization).toBe("Bearer eyJ.tok");
    expect(req.headers["api-key"]).toBeUndefined();
  });

  it("embeddings, completions and health check use deployment paths", () => {
    expect(adapter.embeddings!.buildRequest({ model: "e", input: "x" }, { ...ctx, model: "emb" }).url).toBe(
      "https://contoso.openai.azure.com/openai/deployments/emb/embeddings?api-version=2024-10-21",
    );
    expect(adapter.completions!.buildRequest({ model: "c", prompt: "x" }, ctx).url).toBe(
      "https://contoso.openai.azure.com/openai/deployments/prod-gpt4o/completions?api-version=2024-10-21",
    );
    expect(adapter.healthCheck!(ctx).url).toBe("https://contoso.openai.azure.com/openai/models?api-version=2024-10-21");
  });

  it("has no public default endpoint", () => {
    expect(() => adapter.defaultBaseUrl({})).toThrow(/base URL.*openai\.azure\.com/);
  });
});

describe("azure: response and stream", () => {
  it("keeps content filter results and both tool calls, with cached tokens", () => {
    const res = adapter.chat.parseResponse(fixtureJson("azure", "chat-response.upstream.json"), ctx);
    expect(res.choices[0]?.finish_reason).toBe("tool_calls");
    expect(res.choices[0]?.message.content).toBeNull();
    expect(res.choices[0]?.message.tool_calls?.map((c) => [c.id, c.function.arguments])).toEqual([
      ["call_az1", '{"city":"Zürich"}'],
      ["call_az2", '{"city":"Bern"}'],
    ]);
    expect(res.usage).toMatchObject({
      prompt_tokens: 2100,
      completion_tokens: 40,
      total_tokens: 2140,
      prompt_tokens_details: { cached_tokens: 1920 },
    });
    expect((res as unknown as { prompt_filter_results: unknown[] }).prompt_filter_results).toHaveLength(1);
  });

  it.each(SPLITS)("drops the prompt_filter_results chunk, keeps content_filter finish (split %s)", (_name, split) => {
    const chunks = runSseStream(adapter.chat, fixtureText("azure", "stream-text.sse"), ctx, split);
    expect(chunks).toHaveLength(5);
    expect(chunks.every((c) => c.id === "chatcmpl-AzText1")).toBe(true);
    const folded = foldChunks(chunks);
    expect(folded.text).toBe("Grüezi mitenand");
    expect(folded.finishReason).toBe("content_filter");
    expect(folded.usage).toMatchObject({ prompt_tokens: 19, completion_tokens: 3, total_tokens: 22 });
  });

  it("normalises Azure error bodies", () => {
    expect(
      adapter.mapError(404, {
        error: { code: "DeploymentNotFound", message: "The API deployment for this resource does not exist." },
      }),
    ).toEqual({
      error: {
        message: "The API deployment for this resource does not exist.",
        type: "not_found_error",
        code: "DeploymentNotFound",
        param: null,
      },
    });
    expect(
      adapter.mapError(400, {
        error: { message: "The response was filtered", type: null, param: "prompt", code: "content_filter", status: 400 },
      }).error,
    ).toEqual({ message: "The response was filtered", type: "invalid_request_error", code: "content_filter", param: "prompt" });
  });
});

describe("azure: against the mock upstream", () => {
  let mock: MockUpstream;
  beforeAll(async () => {
    mock = await startOpenAILikeMock({ apiKey: "azure-key-1", deployments: { "prod-gpt4o": "gpt-4o-2024-11-20" } });
  });
  afterAll(() => mock.close());
  const live = () => ({ ...ctx, baseUrl: mock.url });

  it("streams through a deployment with the api-key header", async () => {
    const { status, chunks } = await sendStream(
      adapter.chat,
      adapter.chat.buildRequest({ ...base, stream: true }, live()),
      live(),
    );
    expect(status).toBe(200);
    expect(chunks[0]?.model).toBe("gpt-4o-2024-11-20");
    const folded = foldChunks(chunks);
    expect(folded.finishReason).toBe("stop");
    expect(folded.usage?.prompt_tokens).toBe(5);
    const last = mock.lastRequest()!;
    expect(last.headers["api-key"]).toBe("azure-key-1");
    expect(last.query["api-version"]).toBe("2024-10-21");
  });

  it("an unknown deployment is a 404 DeploymentNotFound, a wrong key a 401", async () => {
    const missing = await send(
      adapter.chat.buildRequest(base, { ...live(), model: "nope", settings: { apiVersion: "2024-10-21" } }),
    );
    expect(missing.status).toBe(404);
    expect(adapter.mapError(404, missing.json()).error.code).toBe("DeploymentNotFound");
    const denied = await send(adapter.chat.buildRequest(base, { ...live(), credentials: { apiKey: "wrong" } }));
    expect(denied.status).toBe(401);
    expect(adapter.mapError(401, denied.json()).error.type).toBe("authentication_error");
  });
});

// buildUpstream golden tests: the upstream request keeps the native shape, forwards the client's bytes unchanged
// whenever nothing must change (same Buffer, no re-serialisation), swaps the client's credentials for the target's,
// and is accepted by the mock upstreams (Bedrock: a SigV4 signature the mock recomputes and checks).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anthropicFormat, bedrockFormat, geminiFormat } from "../../src/native/index.ts";
import type { NativeFormat, NativeTransformContext } from "../../src/native/types.ts";
import { BedrockConfigError } from "../../src/providers/bedrock/request.ts";
import { UnsupportedRequestError } from "../../src/providers/types.ts";
import { VertexConfigError } from "../../src/providers/vertex/request.ts";
import { startBedrockMock } from "../mocks/bedrock.ts";
import { startGeminiMock } from "../mocks/gemini.ts";
import type { MockUpstream } from "../mocks/http-mock-kit.ts";
import { buildFor, nativeCtx, send } from "./helpers.ts";

/** the headers a client of each native API sends: the gateway key in every place an SDK may put it */
const CLIENT_HEADERS = {
  authorization: "Bearer sk-sluice-consumer",
  "x-api-key": "sk-sluice-consumer",
  "x-goog-api-key": "sk-sluice-consumer",
  "x-amz-security-token": "client-token",
  cookie: "session=1",
  "user-agent": "client/1.0",
};

function build(format: NativeFormat, path: string, rawText: string, ctx: NativeTransformContext, clientHeaders = {}) {
  const m = format.match("POST", path);
  if (!m) throw new Error(`no match for ${path}`);
  const rawBody = Buffer.from(rawText);
  const body = format.validate(JSON.parse(rawText), m);
  return { rawBody, up: format.buildUpstream({ match: m, body, rawBody, clientHeaders }, ctx) };
}

const ANTHROPIC_RAW =
  '{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"Hi 👋"}],"stream":true}';

describe("anthropic -> Anthropic", () => {
  const ctx = nativeCtx("anthropic", {
    baseUrl: "https://api.anthropic.com",
    model: "claude-sonnet-4-5",
    credentials: { apiKey: "sk-ant-provider" },
  });

  it("forwards the raw bytes unchanged and replaces the credentials", async () => {
    const { rawBody, up } = build(anthropicFormat, "/v1/messages", ANTHROPIC_RAW, ctx, {
      ...CLIENT_HEADERS,
      "anthropic-version": "2023-06-01",
      "anthropic-beta": "prompt-caching-2024-07-31",
    });
    const req = await up;
    expect(req.body).toBe(rawBody);
    expect(req.rewritten).toBe(false);
    expect(req).toEqual({
      method: "POST",
      url: "https://api.anthropic.com/v1/messages",
      headers: {
        "content-type": "application/json",
        "anthropic-version": "2023-06-01",
        "anthropic-beta": "prompt-caching-2024-07-31",
        "x-api-key": "sk-ant-provider",
      },
      body: rawBody,
      rewritten: false,
    });
  });

  it("uses the default anthropic-version when the client sends none, and merges anthropic-beta with the settings'", async () => {
    const withBeta = { ...ctx, settings: { headers: { "anthropic-beta": "context-1m-2025-08-07" } } };
    const { up } = build(anthropicFormat, "/v1/messages", ANTHROPIC_RAW, withBeta, {
      "anthropic-beta": "prompt-caching-2024-07-31, context-1m-2025-08-07",
    });
    const req = await up;
    expect(req.headers["anthropic-version"]).toBe("2023-06-01");
    expect(req.headers["anthropic-beta"]).toBe("context-1m-2025-08-07,prompt-caching-2024-07-31");
  });

  it("re-serialises only when the route maps a model alias (key order kept)", async () => {
    const raw = ANTHROPIC_RAW.replace("claude-sonnet-4-5", "claude-default");
    const { up } = build(anthropicFormat, "/v1/messages", raw, ctx);
    const req = await up;
    expect(req.rewritten).toBe(true);
    expect(req.body).toBe(ANTHROPIC_RAW);
  });

  it("a body a policy edited is re-serialised even when the model is unchanged", async () => {
    const m = anthropicFormat.match("POST", "/v1/messages")!;
    const body = JSON.parse(ANTHROPIC_RAW) as Record<string, unknown>;
    body.messages = [{ role: "user", content: "Hi [REDACTED]" }];
    const req = await anthropicFormat.buildUpstream(
      { match: m, body, rawBody: Buffer.from(ANTHROPIC_RAW), bodyModified: true },
      ctx,
    );
    expect(req.rewritten).toBe(true);
    expect(req.body).toBe(JSON.stringify(body));
  });

  it("count_tokens goes to /v1/messages/count_tokens", async () => {
    const raw = '{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"Hi"}]}';
    const { rawBody, up } = build(anthropicFormat, "/v1/messages/count_tokens", raw, ctx);
    const req = await up;
    expect(req.url).toBe("https://api.anthropic.com/v1/messages/count_tokens");
    expect(req.body).toBe(rawBody);
  });

  it("refuses targets that do not speak Messages", () => {
    expect(() => build(anthropicFormat, "/v1/messages", ANTHROPIC_RAW, { ...ctx, provider: "bedrock" })).toThrow(
      UnsupportedRequestError,
    );
    expect(() => build(anthropicFormat, "/v1/messages", ANTHROPIC_RAW, { ...ctx, provider: "openai" })).toThrow(
      UnsupportedRequestError,
    );
  });
});

describe("anthropic -> Claude on Vertex AI", () => {
  const ctx = nativeCtx("vertex", {
    baseUrl: "https://us-east5-aiplatform.googleapis.com",
    model: "claude-sonnet-4-5@20250929",
    settings: { project: "proj-1", location: "us-east5" },
    credentials: { accessToken: "ya29.provider" },
  });

  it("moves the model to the URL, adds the Vertex anthropic_version, streams via :streamRawPredict", async () => {
    const { up } = build(anthropicFormat, "/v1/messages", ANTHROPIC_RAW, ctx, {
      ...CLIENT_HEADERS,
      "anthropic-version": "2023-06-01",
      "anthropic-beta": "prompt-caching-2024-07-31",
    });
    const req = await up;
    expect(req).toEqual({
      method: "POST",
      url: "https://us-east5-aiplatform.googleapis.com/v1/projects/proj-1/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5%4020250929:streamRawPredict",
      headers: {
        "content-type": "application/json",
        authorization: "Bearer ya29.provider",
        "anthropic-beta": "prompt-caching-2024-07-31",
      },
      body: '{"anthropic_version":"vertex-2023-10-16","max_tokens":64,"messages":[{"role":"user","content":"Hi 👋"}],"stream":true}',
      rewritten: true,
    });
  });

  it("non-streamed -> :rawPredict; count_tokens -> count-tokens:rawPredict with the model in the body", async () => {
    const plain = await build(anthropicFormat, "/v1/messages", ANTHROPIC_RAW.replace(',"stream":true', ""), ctx).up;
    expect(plain.url.endsWith("/models/claude-sonnet-4-5%4020250929:rawPredict")).toBe(true);
    const count = await build(
      anthropicFormat,
      "/v1/messages/count_tokens",
      '{"model":"claude","messages":[{"role":"user","content":"Hi"}]}',
      ctx,
    ).up;
    expect(count.url).toBe(
      "https://us-east5-aiplatform.googleapis.com/v1/projects/proj-1/locations/us-east5/publishers/anthropic/models/count-tokens:rawPredict",
    );
    expect(JSON.parse(count.body as string)).toEqual({
      model: "claude-sonnet-4-5@20250929",
      messages: [{ role: "user", content: "Hi" }],
    });
  });

  it("refuses a Gemini model and a Vertex provider without project", () => {
    expect(() => build(anthropicFormat, "/v1/messages", ANTHROPIC_RAW, { ...ctx, model: "gemini-2.5-flash" })).toThrow(
      UnsupportedRequestError,
    );
    expect(() => build(anthropicFormat, "/v1/messages", ANTHROPIC_RAW, { ...ctx, settings: { location: "x" } })).toThrow(
      VertexConfigError,
    );
  });
});

const GEMINI_RAW = '{"contents":[{"role":"user","parts":[{"text":"Hi 👋"}]}],"generationConfig":{"maxOutputTokens":32}}';

describe("gemini -> Gemini (AI Studio)", () => {
  const ctx = nativeCtx("gemini", {
    baseUrl: "https://generativelanguage.googleapis.com",
    model: "gemini-2.5-flash",
    credentials: { apiKey: "AIza-provider" },
  });

  it("forwards the raw bytes, drops the client's ?key=, puts the provider key in x-goog-api-key", async () => {
    const { rawBody, up } = build(
      geminiFormat,
      "/v1beta/models/gemini-2.5-flash:streamGenerateContent?key=AIza-client&alt=sse",
      GEMINI_RAW,
      ctx,
      CLIENT_HEADERS,
    );
    expect(await up).toEqual({
      method: "POST",
      url: "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
      headers: { "content-type": "application/json", "x-goog-api-key": "AIza-provider" },
      body: rawBody,
      rewritten: false,
    });
  });

  it("an alias changes only the URL; the JSON-array stream keeps its framing; v1 stays v1", async () => {
    const { rawBody, up } = build(geminiFormat, "/v1/models/fast:streamGenerateContent", GEMINI_RAW, ctx);
    const req = await up;
    expect(req.url).toBe("https://generativelanguage.googleapis.com/v1/models/gemini-2.5-flash:streamGenerateContent");
    expect(req.body).toBe(rawBody);
  });

  it("embedContent / countTokens bodies that name a model get the target model", async () => {
    const embed = await build(
      geminiFormat,
      "/v1beta/models/embed-alias:embedContent",
      '{"model":"models/embed-alias","content":{"parts":[{"text":"x"}]}}',
      { ...ctx, model: "text-embedding-004" },
    ).up;
    expect(embed.url).toBe("https://generativelanguage.googleapis.com/v1beta/models/text-embedding-004:embedContent");
    expect(embed.body).toBe('{"model":"models/text-embedding-004","content":{"parts":[{"text":"x"}]}}');

    const same = build(
      geminiFormat,
      "/v1beta/models/text-embedding-004:embedContent",
      '{"model":"models/text-embedding-004","content":{"parts":[{"text":"x"}]}}',
      { ...ctx, model: "text-embedding-004" },
    );
    expect((await same.up).body).toBe(same.rawBody);

    const count = await build(
      geminiFormat,
      "/v1beta/models/fast:countTokens",
      '{"generateContentRequest":{"model":"models/fast","contents":[{"parts":[{"text":"x"}]}]}}',
      ctx,
    ).up;
    expect(count.body).toBe(
      '{"generateContentRequest":{"model":"models/gemini-2.5-flash","contents":[{"parts":[{"text":"x"}]}]}}',
    );
  });
});

describe("gemini: a body a policy edited", () => {
  it("is re-serialised (the URL still carries the model)", async () => {
    const ctx = nativeCtx("gemini", { model: "gemini-2.5-flash", credentials: { apiKey: "k" } });
    const m = geminiFormat.match("POST", "/v1beta/models/gemini-2.5-flash:generateContent")!;
    const body = JSON.parse(GEMINI_RAW) as Record<string, unknown>;
    body.contents = [{ role: "user", parts: [{ text: "[REDACTED]" }] }];
    const req = await geminiFormat.buildUpstream({ match: m, body, rawBody: Buffer.from(GEMINI_RAW), bodyModified: true }, ctx);
    expect(req).toMatchObject({ rewritten: true, body: JSON.stringify(body) });
  });
});

describe("gemini -> Gemini on Vertex AI", () => {
  const ctx = nativeCtx("vertex", {
    baseUrl: "https://us-central1-aiplatform.googleapis.com",
    model: "gemini-2.5-flash",
    settings: { project: "proj-1", location: "us-central1" },
    credentials: { accessToken: "ya29.provider" },
  });

  it("publishers/google URL, bearer token, raw bytes", async () => {
    const { rawBody, up } = build(
      geminiFormat,
      "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
      GEMINI_RAW,
      ctx,
      CLIENT_HEADERS,
    );
    expect(await up).toEqual({
      method: "POST",
      url: "https://us-central1-aiplatform.googleapis.com/v1/projects/proj-1/locations/us-central1/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
      headers: { "content-type": "application/json", authorization: "Bearer ya29.provider" },
      body: rawBody,
      rewritten: false,
    });
  });

  it("countTokens with generateContentRequest is unwrapped; Claude models are refused", async () => {
    const count = await build(
      geminiFormat,
      "/v1beta/models/gemini-2.5-flash:countTokens",
      '{"generateContentRequest":{"model":"models/gemini-2.5-flash","contents":[{"parts":[{"text":"x"}]}]}}',
      ctx,
    ).up;
    expect(count.body).toBe('{"contents":[{"parts":[{"text":"x"}]}]}');
    expect(() =>
      build(geminiFormat, "/v1beta/models/g:generateContent", GEMINI_RAW, { ...ctx, model: "claude-sonnet-4-5" }),
    ).toThrow(UnsupportedRequestError);
    expect(() => build(geminiFormat, "/v1beta/models/g:generateContent", GEMINI_RAW, { ...ctx, provider: "anthropic" })).toThrow(
      UnsupportedRequestError,
    );
  });
});

const BEDROCK_RAW = '{"messages":[{"role":"user","content":[{"text":"Hi"}]}],"inferenceConfig":{"maxTokens":50}}';

describe("bedrock -> Bedrock", () => {
  const ctx = nativeCtx("bedrock", {
    baseUrl: "https://bedrock-runtime.us-east-1.amazonaws.com",
    model: "anthropic.claude-3-haiku-20240307-v1:0",
    settings: { region: "us-east-1" },
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
  });

  it("signs the client's bytes unchanged with the provider's credentials (golden SigV4)", async () => {
    const { up } = build(bedrockFormat, "/model/haiku/converse-stream", BEDROCK_RAW, ctx, {
      ...CLIENT_HEADERS,
      authorization:
        "AWS4-HMAC-SHA256 Credential=CLIENTKEY/20231114/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=00",
    });
    expect(await up).toEqual({
      method: "POST",
      url: "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream",
      headers: {
        "content-type": "application/json",
        accept: "application/vnd.amazon.eventstream",
        host: "bedrock-runtime.us-east-1.amazonaws.com",
        "x-amz-date": "20231114T221320Z",
        "x-amz-content-sha256": "0e0fa74475a8e71293cb5eafb986088e0c48fb14d33ada029b5e042fa37ce35f",
        authorization:
          "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/us-east-1/bedrock/aws4_request, SignedHeaders=accept;content-type;host;x-amz-content-sha256;x-amz-date, Signature=f25990cfa14882a4e38cbfc22342cd3c7884fd755f6b3dcfa70b27e28f2cb4fe",
      },
      body: BEDROCK_RAW,
      rewritten: false,
    });
  });

  it("a session token is signed in; the client's is not forwarded", async () => {
    const req = await build(bedrockFormat, "/model/haiku/converse", BEDROCK_RAW, {
      ...ctx,
      credentials: { ...ctx.credentials, sessionToken: "provider-session" },
    }).up;
    expect(req.headers["x-amz-security-token"]).toBe("provider-session");
    expect(req.headers.accept).toBe("application/json");
  });

  it("refuses other targets and incomplete credentials", async () => {
    await expect(build(bedrockFormat, "/model/m/converse", BEDROCK_RAW, { ...ctx, provider: "anthropic" }).up).rejects.toThrow(
      UnsupportedRequestError,
    );
    await expect(build(bedrockFormat, "/model/m/converse", BEDROCK_RAW, { ...ctx, credentials: {} }).up).rejects.toThrow(
      BedrockConfigError,
    );
  });
});

describe("built requests are accepted by the mock upstreams", () => {
  const creds = { accessKeyId: "AKIDNATIVE", secretAccessKey: "native-secret" };
  let bedrock: MockUpstream;
  let gemini: MockUpstream;
  beforeAll(async () => {
    bedrock = await startBedrockMock({ credentials: creds });
    gemini = await startGeminiMock({ apiKey: "AIza-provider", accessToken: "ya29.provider" });
  });
  afterAll(async () => {
    await bedrock.close();
    await gemini.close();
  });

  const bedrockCtx = () =>
    nativeCtx("bedrock", {
      baseUrl: bedrock.url,
      model: "amazon.nova-lite-v1:0",
      settings: { region: "us-west-2" },
      credentials: creds,
      now: Math.floor(Date.now() / 1000),
    });

  it("Bedrock converse and converse-stream: the mock recomputes and accepts the signature over the raw bytes", async () => {
    const body = { messages: [{ role: "user", content: [{ text: "Hi 👋" }] }] };
    const conv = await send(await buildFor(bedrockFormat, "/model/nova/converse", body, bedrockCtx(), CLIENT_HEADERS));
    expect(conv.status).toBe(200);
    expect(JSON.parse(conv.bytes.toString("utf8")).output.message.content[0].text).toContain("You said: Hi 👋");
    expect(bedrock.lastRequest()?.path).toBe("/model/amazon.nova-lite-v1%3A0/converse");
    expect(bedrock.lastRequest()?.rawBody).toBe(JSON.stringify(body));
    expect(bedrock.lastRequest()?.headers["x-amz-security-token"]).toBeUndefined();

    const stream = await send(await buildFor(bedrockFormat, "/model/nova/converse-stream", body, bedrockCtx()));
    expect(stream.status).toBe(200);
    expect(stream.headers["content-type"]).toBe("application/vnd.amazon.eventstream");
  });

  it("Bedrock: a body a policy edited is signed as re-serialised, and accepted", async () => {
    const raw = '{"messages":[{"role":"user","content":[{"text":"my card 4111 1111 1111 1111"}]}]}';
    const m = bedrockFormat.match("POST", "/model/nova/converse")!;
    const body = bedrockFormat.validate(JSON.parse(raw), m);
    body.messages = [{ role: "user", content: [{ text: "my card [REDACTED]" }] }];
    const up = await bedrockFormat.buildUpstream({ match: m, body, rawBody: Buffer.from(raw), bodyModified: true }, bedrockCtx());
    expect(up.rewritten).toBe(true);
    const res = await send(up);
    expect(res.status).toBe(200);
    expect(bedrock.lastRequest()?.rawBody).toBe(JSON.stringify(body));
  });

  it("Bedrock: a wrong secret is refused by the mock (the check is real)", async () => {
    const body = { messages: [{ role: "user", content: [{ text: "Hi" }] }] };
    const ctx = { ...bedrockCtx(), credentials: { ...creds, secretAccessKey: "wrong" } };
    const res = await send(await buildFor(bedrockFormat, "/model/nova/converse", body, ctx));
    expect(res.status).toBe(403);
    expect(res.headers["x-amzn-errortype"]).toMatch(/^InvalidSignatureException/);
  });

  it("Gemini and Gemini-on-Vertex generateContent; Claude-on-Vertex rawPredict", async () => {
    const body = { contents: [{ role: "user", parts: [{ text: "Hi" }] }] };
    const studio = await send(
      await buildFor(
        geminiFormat,
        "/v1beta/models/fast:generateContent?key=sk-sluice-consumer",
        body,
        nativeCtx("gemini", { baseUrl: gemini.url, model: "gemini-2.5-flash", credentials: { apiKey: "AIza-provider" } }),
        CLIENT_HEADERS,
      ),
    );
    expect(studio.status).toBe(200);
    expect(gemini.lastRequest()?.query).toEqual({});
    const vertexCtx = {
      baseUrl: gemini.url,
      settings: { project: "p", location: "us-central1" },
      credentials: { accessToken: "ya29.provider" },
    };
    const vertex = await send(
      await buildFor(
        geminiFormat,
        "/v1beta/models/fast:generateContent",
        body,
        nativeCtx("vertex", { ...vertexCtx, model: "gemini-2.5-flash" }),
      ),
    );
    expect(vertex.status).toBe(200);
    const claude = await send(
      await buildFor(
        anthropicFormat,
        "/v1/messages",
        { model: "claude", max_tokens: 20, messages: [{ role: "user", content: "Hi" }], stream: true },
        nativeCtx("vertex", { ...vertexCtx, model: "claude-sonnet-4-5" }),
      ),
    );
    expect(claude.status).toBe(200);
    expect(claude.bytes.toString("utf8")).toContain("event: message_stop");
  });
});

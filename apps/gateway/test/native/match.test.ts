// Which native operation a (method, path after the route prefix) names, with its captures and streaming mode.

import { describe, expect, it } from "vitest";
import { anthropicFormat, bedrockFormat, geminiFormat } from "../../src/native/index.ts";
import type { NativeFormat } from "../../src/native/types.ts";

type Row = [
  format: NativeFormat,
  method: string,
  path: string,
  expected: null | {
    operation: string;
    kind: string;
    billable: boolean;
    stream: boolean | "body";
    framing: string | null;
    captures: Record<string, string>;
  },
];

const rows: Row[] = [
  // Anthropic
  [
    anthropicFormat,
    "POST",
    "/v1/messages",
    { operation: "messages", kind: "generate", billable: true, stream: "body", framing: "sse", captures: {} },
  ],
  [
    anthropicFormat,
    "POST",
    "/v1/messages?beta=true",
    { operation: "messages", kind: "generate", billable: true, stream: "body", framing: "sse", captures: {} },
  ],
  [
    anthropicFormat,
    "POST",
    "/v1/messages/",
    { operation: "messages", kind: "generate", billable: true, stream: "body", framing: "sse", captures: {} },
  ],
  [
    anthropicFormat,
    "POST",
    "/v1/messages/count_tokens",
    { operation: "count_tokens", kind: "count-tokens", billable: false, stream: false, framing: null, captures: {} },
  ],
  [anthropicFormat, "GET", "/v1/messages", null],
  [anthropicFormat, "POST", "/v1/messages/batches", null],
  [anthropicFormat, "POST", "/v1/complete", null],
  [anthropicFormat, "POST", "/messages", null],
  // Gemini
  [
    geminiFormat,
    "POST",
    "/v1beta/models/gemini-2.5-flash:generateContent",
    {
      operation: "generateContent",
      kind: "generate",
      billable: true,
      stream: false,
      framing: null,
      captures: { model: "gemini-2.5-flash", apiVersion: "v1beta" },
    },
  ],
  [
    geminiFormat,
    "POST",
    "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
    {
      operation: "streamGenerateContent",
      kind: "generate",
      billable: true,
      stream: true,
      framing: "sse",
      captures: { model: "gemini-2.5-flash", apiVersion: "v1beta" },
    },
  ],
  [
    geminiFormat,
    "POST",
    "/v1/models/gemini-2.5-pro:streamGenerateContent",
    {
      operation: "streamGenerateContent",
      kind: "generate",
      billable: true,
      stream: true,
      framing: "json-array",
      captures: { model: "gemini-2.5-pro", apiVersion: "v1" },
    },
  ],
  [
    geminiFormat,
    "POST",
    "/v1beta/models/gemini-2.5-flash:streamGenerateContent?key=AIza-client&alt=sse",
    {
      operation: "streamGenerateContent",
      kind: "generate",
      billable: true,
      stream: true,
      framing: "sse",
      captures: { model: "gemini-2.5-flash", apiVersion: "v1beta" },
    },
  ],
  [
    geminiFormat,
    "POST",
    "/v1beta/models/gemini-2.5-flash:countTokens",
    {
      operation: "countTokens",
      kind: "count-tokens",
      billable: false,
      stream: false,
      framing: null,
      captures: { model: "gemini-2.5-flash", apiVersion: "v1beta" },
    },
  ],
  [
    geminiFormat,
    "POST",
    "/v1beta/models/text-embedding-004:embedContent",
    {
      operation: "embedContent",
      kind: "embed",
      billable: true,
      stream: false,
      framing: null,
      captures: { model: "text-embedding-004", apiVersion: "v1beta" },
    },
  ],
  [
    geminiFormat,
    "POST",
    "/v1beta/models/my%20model:generateContent",
    {
      operation: "generateContent",
      kind: "generate",
      billable: true,
      stream: false,
      framing: null,
      captures: { model: "my model", apiVersion: "v1beta" },
    },
  ],
  [geminiFormat, "GET", "/v1beta/models/gemini-2.5-flash:generateContent", null],
  [geminiFormat, "POST", "/v1beta/models/gemini-2.5-flash:batchEmbedContents", null],
  [geminiFormat, "POST", "/v1beta/models/gemini-2.5-flash", null],
  [geminiFormat, "POST", "/v2/models/gemini-2.5-flash:generateContent", null],
  [geminiFormat, "POST", "/v1beta/models/bad%E0:generateContent", null],
  // Bedrock
  [
    bedrockFormat,
    "POST",
    "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse",
    {
      operation: "converse",
      kind: "generate",
      billable: true,
      stream: false,
      framing: null,
      captures: { model: "anthropic.claude-3-haiku-20240307-v1:0" },
    },
  ],
  [
    bedrockFormat,
    "POST",
    "/model/amazon.nova-lite-v1:0/converse-stream",
    {
      operation: "converse-stream",
      kind: "generate",
      billable: true,
      stream: true,
      framing: "aws-eventstream",
      captures: { model: "amazon.nova-lite-v1:0" },
    },
  ],
  [
    bedrockFormat,
    "POST",
    "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-sonnet-4/converse",
    {
      operation: "converse",
      kind: "generate",
      billable: true,
      stream: false,
      framing: null,
      captures: { model: "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4" },
    },
  ],
  [bedrockFormat, "POST", "/model/amazon.nova-lite-v1:0/invoke", null],
  [bedrockFormat, "GET", "/model/amazon.nova-lite-v1:0/converse", null],
  [bedrockFormat, "POST", "/model/a/b/converse", null],
];

describe("NativeFormat.match", () => {
  it.each(rows)("%#: %s %s %s", (format, method, path, expected) => {
    const m = format.match(method, path);
    if (expected === null) {
      expect(m).toBeNull();
      return;
    }
    expect(m).toEqual({ format: format.name, ...expected });
  });

  it("streams(): Anthropic asks the body, the others the path", () => {
    const messages = anthropicFormat.match("POST", "/v1/messages")!;
    expect(anthropicFormat.streams(messages, { stream: true })).toBe(true);
    expect(anthropicFormat.streams(messages, { stream: "yes" })).toBe(false);
    expect(anthropicFormat.streams(messages, {})).toBe(false);
    const count = anthropicFormat.match("POST", "/v1/messages/count_tokens")!;
    expect(anthropicFormat.streams(count, { stream: true })).toBe(false);
    const sse = geminiFormat.match("POST", "/v1beta/models/g:streamGenerateContent?alt=sse")!;
    expect(geminiFormat.streams(sse, {})).toBe(true);
    const conv = bedrockFormat.match("POST", "/model/m/converse")!;
    expect(bedrockFormat.streams(conv, { stream: true })).toBe(false);
  });

  it("extractModel(): body for Anthropic, path captures for Gemini and Bedrock", () => {
    expect(anthropicFormat.extractModel({ model: "claude-sonnet-4-5" }, {})).toBe("claude-sonnet-4-5");
    expect(anthropicFormat.extractModel({}, {})).toBeNull();
    expect(geminiFormat.extractModel({}, { model: "models/gemini-2.5-flash" })).toBe("gemini-2.5-flash");
    expect(geminiFormat.extractModel({}, { model: "gemini-2.5-flash" })).toBe("gemini-2.5-flash");
    expect(bedrockFormat.extractModel({}, { model: "amazon.nova-lite-v1:0" })).toBe("amazon.nova-lite-v1:0");
  });

  it("supportsTarget(): Vertex serves Claude to anthropic routes and Gemini to gemini routes", () => {
    expect(anthropicFormat.supportsTarget("anthropic", "claude-sonnet-4-5")).toBe(true);
    expect(anthropicFormat.supportsTarget("vertex", "claude-sonnet-4-5@20250929")).toBe(true);
    expect(anthropicFormat.supportsTarget("vertex", "gemini-2.5-flash")).toBe(false);
    expect(anthropicFormat.supportsTarget("bedrock", "anthropic.claude-3-haiku-20240307-v1:0")).toBe(false);
    expect(geminiFormat.supportsTarget("gemini", "gemini-2.5-flash")).toBe(true);
    expect(geminiFormat.supportsTarget("vertex", "gemini-2.5-flash")).toBe(true);
    expect(geminiFormat.supportsTarget("vertex", "claude-sonnet-4-5")).toBe(false);
    expect(geminiFormat.supportsTarget("openai", "gpt-4o")).toBe(false);
    expect(bedrockFormat.supportsTarget("bedrock", "amazon.nova-lite-v1:0")).toBe(true);
    expect(bedrockFormat.supportsTarget("anthropic", "claude")).toBe(false);
  });
});

// promptText: the prompt's text parts for guard / PII policies and token estimates, per format.

import { describe, expect, it } from "vitest";
import { anthropicFormat, bedrockFormat, geminiFormat } from "../../src/native/index.ts";

describe("promptText", () => {
  it("Anthropic: system (string or blocks), text blocks, tool_result text; not images or tool_use", () => {
    const m = anthropicFormat.match("POST", "/v1/messages")!;
    const body = {
      model: "m",
      max_tokens: 5,
      system: [{ type: "text", text: "Be brief." }],
      messages: [
        { role: "user", content: "Hello" },
        { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "f", input: { secret: "x" } }] },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "t1", content: [{ type: "text", text: "42" }] },
            { type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } },
            { type: "text", text: "Thanks" },
          ],
        },
      ],
    };
    expect(anthropicFormat.promptText(body, m)).toBe("Be brief.\nHello\n42\nThanks");
    expect(anthropicFormat.promptText({ ...body, system: "Sys" }, m).startsWith("Sys\nHello")).toBe(true);
  });

  it("Gemini: systemInstruction (either spelling) + contents; countTokens inner request; embedContent content", () => {
    const gen = geminiFormat.match("POST", "/v1beta/models/g:generateContent")!;
    const contents = [
      { role: "user", parts: [{ text: "Hi" }, { inlineData: { mimeType: "image/png", data: "AAAA" } }] },
      { role: "model", parts: [{ functionCall: { name: "f", args: {} } }] },
      { role: "user", parts: [{ text: "More" }] },
    ];
    expect(geminiFormat.promptText({ systemInstruction: { parts: [{ text: "Sys" }] }, contents }, gen)).toBe("Sys\nHi\nMore");
    expect(geminiFormat.promptText({ system_instruction: { parts: [{ text: "Sys" }] }, contents }, gen)).toBe("Sys\nHi\nMore");
    const count = geminiFormat.match("POST", "/v1beta/models/g:countTokens")!;
    expect(geminiFormat.promptText({ generateContentRequest: { contents } }, count)).toBe("Hi\nMore");
    const embed = geminiFormat.match("POST", "/v1beta/models/e:embedContent")!;
    expect(geminiFormat.promptText({ content: { parts: [{ text: "embed me" }] } }, embed)).toBe("embed me");
  });

  it("Bedrock: system + text blocks", () => {
    const m = bedrockFormat.match("POST", "/model/x/converse")!;
    const body = {
      system: [{ text: "Sys" }],
      messages: [
        { role: "user", content: [{ text: "Hi" }, { image: { format: "png", source: { bytes: "AAAA" } } }] },
        { role: "assistant", content: [{ toolUse: { toolUseId: "t", name: "f", input: {} } }] },
      ],
    };
    expect(bedrockFormat.promptText(body, m)).toBe("Sys\nHi");
  });
});

// The fast lane forwards an OpenAI-compatible stream's bytes as they are, whatever the network chunking, and only
// touches the event that carries a usage object.

import { describe, expect, it } from "vitest";
import { createContext } from "../../src/pipeline/context.ts";
import { fastLaneEvents } from "../../src/pipeline/proxy.ts";

const chunk = (content: string, extra = "") =>
  `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"finish_reason":null}],"usage":null${extra}}\n\n`;
const usage = `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":11,"completion_tokens":3,"total_tokens":14,"prompt_tokens_details":{"cached_tokens":2}}}\n\n`;
const stream = [chunk("Hé"), chunk("llo 🚀"), chunk(" world"), usage, "data: [DONE]\n\n"].join("");

function run(bytes: Buffer, splits: number[], wantsUsage: boolean) {
  const ctx = createContext("req_x", 0, 0, {} as never);
  const out: Buffer[] = [];
  let pending: Buffer | null = null;
  let last = 0;
  for (const at of [...splits, bytes.length]) {
    const piece = bytes.subarray(last, at);
    last = at;
    const buf: Buffer = pending ? Buffer.concat([pending, piece]) : piece;
    const r = fastLaneEvents(buf, ctx, wantsUsage);
    pending = r.rest;
    if (r.data) out.push(Buffer.from(r.data));
  }
  if (pending) out.push(pending);
  return { text: Buffer.concat(out).toString("utf8"), ctx };
}

describe("fast lane", () => {
  const bytes = Buffer.from(stream);
  it("at every split point: usage kept when asked, stripped when not, recorded both ways, bytes otherwise unchanged", () => {
    for (let i = 1; i < bytes.length; i++) {
      const kept = run(bytes, [i], true);
      expect(kept.text).toBe(stream);
      expect(kept.ctx.usage).toMatchObject({
        prompt_tokens: 11,
        completion_tokens: 3,
        prompt_tokens_details: { cached_tokens: 2 },
      });
      const stripped = run(bytes, [i], false);
      expect(stripped.text).toBe(stream.replace(usage, ""));
      expect(stripped.ctx.usage?.total_tokens).toBe(14);
    }
  });
  it("byte by byte", () => {
    const splits = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
    expect(run(bytes, splits, false).text).toBe(stream.replace(usage, ""));
  });
  it("usage riding on a content chunk is removed from it, not the content", () => {
    const s =
      chunk("a") +
      chunk("b", ',"x":1').replace('"usage":null', '"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}');
    const r = run(Buffer.from(s), [5], false);
    expect(r.text).toContain('"content":"b"');
    expect(r.text).not.toContain('"prompt_tokens"');
    expect(r.ctx.usage?.completion_tokens).toBe(2);
  });
});

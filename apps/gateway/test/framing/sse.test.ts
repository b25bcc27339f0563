import { describe, expect, it } from "vitest";
import { createSseDeframer } from "../../src/lib/framing/sse.ts";
import { deframeAll, SPLITS, splitEvery } from "../providers/provider-test-helpers.ts";

const enc = new TextEncoder();

describe("SSE deframer", () => {
  it("re-joins one event split across chunks", () => {
    const d = createSseDeframer();
    expect(d.push(enc.encode('event: content-delta\ndata: {"te'))).toEqual([]);
    expect(d.push(enc.encode('xt":"hé'))).toEqual([]);
    expect(d.push(enc.encode('llo"}\n'))).toEqual([]);
    expect(d.push(enc.encode("\n"))).toEqual([{ event: "content-delta", data: '{"text":"héllo"}' }]);
  });

  it("re-joins a UTF-8 character split between chunks", () => {
    const bytes = enc.encode("data: 東京🚀\n\n");
    const d = createSseDeframer();
    const events = [];
    // split inside the 3-byte 東 and the 4-byte 🚀
    events.push(...d.push(bytes.subarray(0, 7)));
    events.push(...d.push(bytes.subarray(7, 12)));
    events.push(...d.push(bytes.subarray(12, 14)));
    events.push(...d.push(bytes.subarray(14)));
    expect(events).toEqual([{ data: "東京🚀" }]);
  });

  const stream =
    ': keep-alive comment\r\nevent: a\r\ndata: line one\r\ndata: line two\r\n\r\ndata: {"x":"ü"}\n\n: ping\n\nid: 7\nretry: 100\ndata: last\n\n';
  it.each(SPLITS)("CRLF, comments, multi-line data, split %s", (_name, split) => {
    expect(deframeAll(createSseDeframer(), split(enc.encode(stream)))).toEqual([
      { event: "a", data: "line one\nline two" },
      { data: '{"x":"ü"}' },
      { data: "last" },
    ]);
  });

  it("handles CR-only line ends and a CRLF split between chunks", () => {
    const d = createSseDeframer();
    const events = [
      ...d.push(enc.encode("data: one\r")),
      ...d.push(enc.encode("\n\r")),
      ...d.push(enc.encode("\ndata: two\r\r")),
    ];
    expect(events).toEqual([{ data: "one" }, { data: "two" }]);
  });

  it("end() flushes a last event that lacks its blank line, and nothing twice", () => {
    const d = createSseDeframer();
    expect(d.push(enc.encode("data: [DONE]"))).toEqual([]);
    expect(d.end()).toEqual([{ data: "[DONE]" }]);
    const d2 = createSseDeframer();
    expect(d2.push(enc.encode("data: x\n\n"))).toEqual([{ data: "x" }]);
    expect(d2.end()).toEqual([]);
  });

  it("strips a leading BOM split across chunks", () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode("data: ok\n\n")]);
    expect(deframeAll(createSseDeframer(), splitEvery(bytes, 1))).toEqual([{ data: "ok" }]);
  });

  it("refuses an unbounded event", () => {
    const d = createSseDeframer({ maxBufferSize: 64 });
    expect(() => d.push(enc.encode(`data: ${"x".repeat(200)}`))).toThrow(/buffer/i);
  });
});

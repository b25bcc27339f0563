import { describe, expect, it } from "vitest";
import { createNdjsonDeframer } from "../../src/lib/framing/ndjson.ts";
import { deframeAll, SPLITS } from "../providers/provider-test-helpers.ts";

const enc = new TextEncoder();
const stream =
  '{"message":{"content":"Grüß"}}\r\n\n{"message":{"content":" 東京 🚀"},"done":false}\n{"done":true,"eval_count":9}';

describe("NDJSON deframer", () => {
  it.each(SPLITS)("lines split %s (CRLF, blank lines, no trailing newline)", (_name, split) => {
    const events = deframeAll(createNdjsonDeframer(), split(enc.encode(stream)));
    expect(events.map((e) => JSON.parse(e.data))).toEqual([
      { message: { content: "Grüß" } },
      { message: { content: " 東京 🚀" }, done: false },
      { done: true, eval_count: 9 },
    ]);
  });

  it("keeps a partial line until its newline arrives", () => {
    const d = createNdjsonDeframer();
    expect(d.push(enc.encode('{"a":'))).toEqual([]);
    expect(d.push(enc.encode("1}\n{"))).toEqual([{ data: '{"a":1}' }]);
    expect(d.push(enc.encode('"b":2}\n'))).toEqual([{ data: '{"b":2}' }]);
    expect(d.end()).toEqual([]);
  });

  it("does not keep a view of the caller's buffer", () => {
    const d = createNdjsonDeframer();
    const buf = enc.encode('{"k":"v');
    d.push(buf);
    buf.fill(0x20);
    expect(d.push(enc.encode('"}\n'))).toEqual([{ data: '{"k":"v"}' }]);
  });

  it("refuses an unbounded line", () => {
    const d = createNdjsonDeframer({ maxLineBytes: 16 });
    expect(() => d.push(enc.encode("x".repeat(40)))).toThrow(/longer than 16/);
  });
});

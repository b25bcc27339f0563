import { describe, expect, it } from "vitest";
import { JsonArrayDeframer } from "../../src/lib/framing/json-array.ts";

const enc = new TextEncoder();

function feed(text: string, size: number): string[] {
  const d = new JsonArrayDeframer();
  const bytes = enc.encode(text);
  const out: string[] = [];
  for (let i = 0; i < bytes.byteLength; i += size) out.push(...d.push(bytes.subarray(i, i + size)).map((e) => e.data));
  out.push(...d.end().map((e) => e.data));
  return out;
}

describe("JsonArrayDeframer", () => {
  const elements = [
    { candidates: [{ content: { parts: [{ text: 'a "quoted" ] } [ brace' }] } }] },
    { candidates: [{ content: { parts: [{ text: "Zürich ☔ 👋 \\ backslash" }] } }], n: [1, [2, { x: "}" }]] },
    { usageMetadata: { promptTokenCount: 3 } },
  ];
  const body = `[${elements.map((e) => JSON.stringify(e, null, 2)).join("\r\n,")}]`;

  it.each([1, 2, 3, 5, 7, 64, 10_000])("emits each element exactly, cut every %i bytes", (n) => {
    expect(feed(body, n).map((s) => JSON.parse(s))).toEqual(elements);
  });

  it("emits an element as soon as its closing brace arrives, before the array ends", () => {
    const d = new JsonArrayDeframer();
    expect(d.push(enc.encode('[{"a":1'))).toEqual([]);
    expect(d.push(enc.encode("}"))).toEqual([{ data: '{"a":1}' }]);
    expect(d.push(enc.encode(',{"b":2}'))).toEqual([{ data: '{"b":2}' }]);
    expect(d.push(enc.encode("]"))).toEqual([]);
    expect(d.end()).toEqual([]);
  });

  it("handles primitives, empty arrays and a non-array top-level error object", () => {
    expect(feed('[1, "two", true, null, 3.5]', 2)).toEqual(["1", '"two"', "true", "null", "3.5"]);
    expect(feed("[]", 1)).toEqual([]);
    expect(feed('{"error":{"code":400,"message":"bad"}}', 4)).toEqual(['{"error":{"code":400,"message":"bad"}}']);
  });

  it("keeps a multi-byte character split across chunks", () => {
    const bytes = enc.encode('[{"t":"☔"}]');
    const at = bytes.indexOf(0xe2) + 1;
    const d = new JsonArrayDeframer();
    const out = [...d.push(bytes.subarray(0, at)), ...d.push(bytes.subarray(at)), ...d.end()];
    expect(out).toEqual([{ data: '{"t":"☔"}' }]);
  });

  it("drops an unfinished element at end of stream (truncated upstream)", () => {
    expect(feed('[{"a":1},{"b":', 3)).toEqual(['{"a":1}']);
  });
});

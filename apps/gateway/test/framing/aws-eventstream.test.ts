import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { describe, expect, it } from "vitest";
import {
  AwsEventStreamDeframer,
  AwsEventStreamError,
  encodeAwsEvent,
  encodeAwsException,
} from "../../src/lib/framing/aws-eventstream.ts";

const messages = [
  encodeAwsEvent("messageStart", { p: "abc", role: "assistant" }),
  encodeAwsEvent("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "Grüße ☔ 👋" }, p: "abcdefgh" }),
  encodeAwsEvent("messageStop", { stopReason: "end_turn" }),
  encodeAwsException("throttlingException", "Too many requests"),
];
const all = Buffer.concat(messages);
const expected = [
  { event: "messageStart", data: '{"p":"abc","role":"assistant"}' },
  { event: "contentBlockDelta", data: '{"contentBlockIndex":0,"delta":{"text":"Grüße ☔ 👋"},"p":"abcdefgh"}' },
  { event: "messageStop", data: '{"stopReason":"end_turn"}' },
  { event: "exception:throttlingException", data: '{"message":"Too many requests"}' },
];

function feed(pieces: Uint8Array[]) {
  const d = new AwsEventStreamDeframer();
  const out = pieces.flatMap((p) => d.push(p));
  out.push(...d.end());
  return out;
}

describe("AwsEventStreamDeframer", () => {
  it.each([1, 2, 5, 11, 12, 13, 4096])("decodes every message, cut every %i bytes", (n) => {
    const pieces: Uint8Array[] = [];
    for (let i = 0; i < all.byteLength; i += n) pieces.push(all.subarray(i, i + n));
    expect(feed(pieces)).toEqual(expected);
  });

  it("copes with a cut at every single offset (prelude, headers, payload, CRC)", () => {
    for (let at = 1; at < all.byteLength; at++) {
      expect(feed([all.subarray(0, at), all.subarray(at)])).toEqual(expected);
    }
  });

  it("maps :message-type error to an error event", () => {
    const codec = new EventStreamCodec(toUtf8, fromUtf8);
    const msg = codec.encode({
      headers: {
        ":message-type": { type: "string", value: "error" },
        ":error-code": { type: "string", value: "InternalFailure" },
        ":error-message": { type: "string", value: "boom" },
      },
      body: new Uint8Array(0),
    });
    expect(feed([msg])).toEqual([{ event: "error", data: '{"code":"InternalFailure","message":"boom"}' }]);
  });

  it("rejects a corrupted CRC and an impossible length", () => {
    const bad = Uint8Array.from(messages[0]!);
    bad[bad.byteLength - 1] = bad[bad.byteLength - 1]! ^ 0xff;
    expect(() => new AwsEventStreamDeframer().push(bad)).toThrow(AwsEventStreamError);
    const junk = Uint8Array.from([0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(() => new AwsEventStreamDeframer().push(junk)).toThrow(/invalid event-stream message length/);
  });

  it("end() inside a message is an error (truncated upstream)", () => {
    const d = new AwsEventStreamDeframer();
    expect(d.push(all.subarray(0, 20))).toEqual([]);
    expect(() => d.end()).toThrow(/ended inside a message/);
  });
});

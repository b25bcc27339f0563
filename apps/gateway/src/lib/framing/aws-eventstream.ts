// De-framer for the binary AWS event-stream framing (Bedrock `converse-stream`). One message on the wire:
//
//   total length (u32 BE) | headers length (u32 BE) | prelude CRC32 | headers | payload | message CRC32
//
// Bytes arrive in arbitrary network chunks, so a message may be split anywhere (inside the 12-byte prelude too).
// We keep the unconsumed chunks and only decode once `total length` bytes are buffered; the decode (header parsing
// and both CRC checks) is done by @smithy/eventstream-codec. A message that fits inside one network chunk is decoded
// from a subarray without copying.
//
// Mapping to StreamEvent:
//   :message-type event      -> { event: <:event-type>,               data: payload as UTF-8 text }
//   :message-type exception  -> { event: "exception:" + <:exception-type>, data: payload as UTF-8 text }
//   :message-type error      -> { event: "error", data: JSON {"code": <:error-code>, "message": <:error-message>} }

import { EventStreamCodec, type MessageHeaders } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import type { StreamEvent } from "../../providers/types.ts";
import type { Deframer } from "./types.ts";

const PRELUDE_BYTES = 12;
const MIN_MESSAGE_BYTES = 16;
/** the AWS limit for one event-stream message is 16 MiB of payload plus 128 KiB of headers */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024 + 128 * 1024 + MIN_MESSAGE_BYTES;

export class AwsEventStreamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AwsEventStreamError";
  }
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const textDecoder = new TextDecoder("utf-8");

export class AwsEventStreamDeframer implements Deframer {
  private chunks: Uint8Array[] = [];
  private buffered = 0;

  push(chunk: Uint8Array): StreamEvent[] {
    if (chunk.byteLength === 0) return [];
    this.chunks.push(chunk);
    this.buffered += chunk.byteLength;
    const out: StreamEvent[] = [];
    while (this.buffered >= PRELUDE_BYTES) {
      const total = this.readTotalLength();
      if (total < MIN_MESSAGE_BYTES || total > MAX_MESSAGE_BYTES) {
        throw new AwsEventStreamError(`invalid event-stream message length ${total}`);
      }
      if (this.buffered < total) break;
      out.push(toStreamEvent(this.takeMessage(total)));
    }
    return out;
  }

  end(): StreamEvent[] {
    const left = this.buffered;
    this.chunks = [];
    this.buffered = 0;
    if (left > 0) throw new AwsEventStreamError(`event-stream ended inside a message (${left} bytes left)`);
    return [];
  }

  /** the big-endian u32 at offset 0 of the buffered bytes, which may span several chunks */
  private readTotalLength(): number {
    const first = this.chunks[0]!;
    if (first.byteLength >= 4) {
      return ((first[0]! << 24) | (first[1]! << 16) | (first[2]! << 8) | first[3]!) >>> 0;
    }
    let value = 0;
    let read = 0;
    for (const c of this.chunks) {
      for (let i = 0; i < c.byteLength && read < 4; i++, read++) value = value * 256 + c[i]!;
      if (read === 4) break;
    }
    return value;
  }

  /** removes and returns exactly `total` bytes from the front of the buffer */
  private takeMessage(total: number): Uint8Array {
    const first = this.chunks[0]!;
    this.buffered -= total;
    if (first.byteLength >= total) {
      const message = first.subarray(0, total);
      if (first.byteLength === total) this.chunks.shift();
      else this.chunks[0] = first.subarray(total);
      return message;
    }
    const message = new Uint8Array(total);
    let filled = 0;
    while (filled < total) {
      const c = this.chunks[0]!;
      const need = total - filled;
      if (c.byteLength <= need) {
        message.set(c, filled);
        filled += c.byteLength;
        this.chunks.shift();
      } else {
        message.set(c.subarray(0, need), filled);
        this.chunks[0] = c.subarray(need);
        filled = total;
      }
    }
    return message;
  }
}

function headerString(headers: MessageHeaders, name: string): string | undefined {
  const h = headers[name];
  return h && h.type === "string" ? h.value : undefined;
}

function toStreamEvent(bytes: Uint8Array): StreamEvent {
  let decoded: ReturnType<typeof codec.decode>;
  try {
    decoded = codec.decode(bytes);
  } catch (err) {
    throw new AwsEventStreamError(`bad event-stream message: ${(err as Error).message}`);
  }
  const { headers, body } = decoded;
  const type = headerString(headers, ":message-type") ?? "event";
  if (type === "event") {
    return { event: headerString(headers, ":event-type") ?? "", data: textDecoder.decode(body) };
  }
  if (type === "exception") {
    return { event: `exception:${headerString(headers, ":exception-type") ?? "unknown"}`, data: textDecoder.decode(body) };
  }
  return {
    event: "error",
    data: JSON.stringify({
      code: headerString(headers, ":error-code") ?? "unknown",
      message: headerString(headers, ":error-message") ?? "",
    }),
  };
}

export function createAwsEventStreamDeframer(): Deframer {
  return new AwsEventStreamDeframer();
}

/** Encodes one event-stream message (used by the Bedrock mock upstream and tests). */
export function encodeAwsEvent(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ":event-type": { type: "string", value: eventType },
      ":content-type": { type: "string", value: "application/json" },
      ":message-type": { type: "string", value: "event" },
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

/** Encodes one event-stream exception message (used by the Bedrock mock upstream and tests). */
export function encodeAwsException(exceptionType: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ":exception-type": { type: "string", value: exceptionType },
      ":content-type": { type: "string", value: "application/json" },
      ":message-type": { type: "string", value: "exception" },
    },
    body: fromUtf8(JSON.stringify({ message })),
  });
}

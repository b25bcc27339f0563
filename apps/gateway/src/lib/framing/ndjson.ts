// NDJSON de-framer: one JSON document per line (LF or CRLF). Works on bytes: a line is only decoded once it is
// complete, so a UTF-8 sequence split across chunks is never decoded in halves. Blank lines are skipped.

import type { StreamEvent } from "../../providers/types.ts";
import type { Deframer } from "./types.ts";

const LF = 10;
const CR = 13;

export interface NdjsonDeframerOptions {
  /** the most bytes one unfinished line may buffer before the stream is refused (default 8 MiB) */
  maxLineBytes?: number;
}

export class NdjsonFramingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NdjsonFramingError";
  }
}

export function createNdjsonDeframer(options: NdjsonDeframerOptions = {}): Deframer {
  const maxLineBytes = options.maxLineBytes ?? 8 * 1024 * 1024;
  const decoder = new TextDecoder("utf-8");
  /** bytes of the unfinished line, kept as fragments and joined once its LF arrives */
  let tail: Uint8Array[] = [];
  let tailBytes = 0;

  function emit(line: Uint8Array, events: StreamEvent[]): void {
    let end = line.length;
    if (end > 0 && line[end - 1] === CR) end--;
    let start = 0;
    // UTF-8 BOM on the first line
    if (end >= 3 && line[0] === 0xef && line[1] === 0xbb && line[2] === 0xbf) start = 3;
    if (end <= start) return;
    const text = decoder.decode(line.subarray(start, end));
    if (text.trim().length === 0) return;
    events.push({ data: text });
  }

  function joinTail(last: Uint8Array): Uint8Array {
    if (tail.length === 0) return last;
    const joined = new Uint8Array(tailBytes + last.length);
    let offset = 0;
    for (const part of tail) {
      joined.set(part, offset);
      offset += part.length;
    }
    joined.set(last, offset);
    tail = [];
    tailBytes = 0;
    return joined;
  }

  return {
    push(chunk) {
      const events: StreamEvent[] = [];
      let start = 0;
      let nl = chunk.indexOf(LF, start);
      while (nl !== -1) {
        emit(joinTail(chunk.subarray(start, nl)), events);
        start = nl + 1;
        nl = chunk.indexOf(LF, start);
      }
      if (start < chunk.length) {
        // copy: the caller may reuse its buffer
        const rest = chunk.slice(start);
        tail.push(rest);
        tailBytes += rest.length;
        if (tailBytes > maxLineBytes) throw new NdjsonFramingError(`NDJSON line longer than ${maxLineBytes} bytes`);
      }
      return events;
    },
    end() {
      const events: StreamEvent[] = [];
      if (tailBytes > 0) emit(joinTail(new Uint8Array(0)), events);
      return events;
    },
  };
}

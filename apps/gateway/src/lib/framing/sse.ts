// SSE de-framer: bytes -> StreamEvents. UTF-8 is decoded incrementally (a multibyte character split across chunks is
// held by the TextDecoder), and `eventsource-parser` keeps partial lines and events between chunks; it handles LF,
// CR and CRLF line ends, comments, `event:` fields and multi-line `data:` (joined with "\n").

import { createParser, type EventSourceParser } from "eventsource-parser";
import type { StreamEvent } from "../../providers/types.ts";
import type { Deframer } from "./types.ts";

export interface SseDeframerOptions {
  /** the most characters one unfinished line/event may buffer before the stream is refused (default 8 MiB) */
  maxBufferSize?: number;
}

export class SseFramingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SseFramingError";
  }
}

export function createSseDeframer(options: SseDeframerOptions = {}): Deframer {
  const decoder = new TextDecoder("utf-8");
  let out: StreamEvent[] = [];
  let pending = false;
  let failure: SseFramingError | undefined;
  const parser: EventSourceParser = createParser({
    maxBufferSize: options.maxBufferSize ?? 8 * 1024 * 1024,
    onEvent(msg) {
      out.push(msg.event === undefined ? { data: msg.data } : { event: msg.event, data: msg.data });
    },
    onError(err) {
      failure = new SseFramingError(err.message);
    },
  });

  function take(): StreamEvent[] {
    if (failure) throw failure;
    if (out.length === 0) return out;
    const events = out;
    out = [];
    return events;
  }

  return {
    push(chunk) {
      const text = decoder.decode(chunk, { stream: true });
      if (text.length > 0) {
        pending = true;
        parser.feed(text);
      }
      return take();
    },
    end() {
      const rest = decoder.decode();
      if (rest.length > 0) {
        pending = true;
        parser.feed(rest);
      }
      // An event whose final blank line never came is still complete: close it. Extra blank lines are harmless.
      if (pending) parser.feed("\n\n");
      pending = false;
      return take();
    },
  };
}

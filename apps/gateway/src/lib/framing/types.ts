// A de-framer turns an upstream byte stream into StreamEvents, incrementally: bytes arrive in arbitrary network
// chunks (an event may be split anywhere, even inside a UTF-8 sequence or an AWS event-stream prelude) and the
// de-framer keeps the partial tail until the rest arrives. One per framing kind in this folder.

import type { StreamEvent } from "../../providers/types.ts";

export interface Deframer {
  /** feed the next network chunk; returns every event completed by it (possibly none) */
  push(chunk: Uint8Array): StreamEvent[];
  /** the upstream ended; returns a trailing event if one was complete without its final separator */
  end(): StreamEvent[];
}

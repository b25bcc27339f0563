// The native passthrough formats by name (a route of type "native" names one), and a byte-level tap that owns the
// de-framer, for a pipeline that forwards upstream chunks unchanged and only wants usage out of them.

import type { NativeFormat as NativeFormatName } from "@sluice/db/schemas";
import { createDeframer, type Deframer } from "../lib/framing/index.ts";
import { anthropicFormat } from "./anthropic.ts";
import { bedrockFormat } from "./bedrock.ts";
import { geminiFormat } from "./gemini.ts";
import type { NativeFormat, NativeStreamResult, NativeStreamTap } from "./types.ts";

export type * from "./types.ts";
export { anthropicFormat, bedrockFormat, geminiFormat };

export const nativeFormats = {
  anthropic: anthropicFormat,
  gemini: geminiFormat,
  bedrock: bedrockFormat,
} as const satisfies Record<NativeFormatName, NativeFormat>;

export function getNativeFormat(name: NativeFormatName): NativeFormat {
  return nativeFormats[name];
}

export interface ByteTap {
  /** the next upstream network chunk, after (or while) it is written to the client; never throws */
  write(chunk: Uint8Array): void;
  /** the upstream ended normally: flushes the de-framer, then returns the result */
  end(): NativeStreamResult;
  /** the result so far (client abort, upstream failure): usage of what was produced */
  result(): NativeStreamResult;
}

/**
 * De-frames forwarded bytes into `tap`. A framing error (bad AWS event-stream CRC, an SSE event past the size limit)
 * stops the watching, not the forwarding: the client gets the bytes either way, and the result carries the error.
 */
export function createByteTap(tap: NativeStreamTap): ByteTap {
  const deframer: Deframer = createDeframer(tap.framing);
  let broken: string | null = null;

  function feed(run: () => void): void {
    if (broken !== null) return;
    try {
      run();
    } catch (err) {
      broken = err instanceof Error ? err.message : String(err);
    }
  }

  function result(): NativeStreamResult {
    const r = tap.result();
    if (broken === null || r.error) return r;
    return {
      ...r,
      error: { status: 502, body: { error: { message: broken, type: "api_error", code: "upstream_bad_response", param: null } } },
    };
  }

  return {
    write(chunk) {
      feed(() => {
        for (const ev of deframer.push(chunk)) tap.push(ev);
      });
    },
    end() {
      feed(() => {
        for (const ev of deframer.end()) tap.push(ev);
      });
      return result();
    },
    result,
  };
}

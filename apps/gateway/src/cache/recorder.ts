// Records a streamed answer chunk by chunk while it streams to the client, for the cache. The recording is bounded
// (`maxChars` of stored JSON text) and given up when it grows past the bound, when the stream reports an error, or
// when it ends before every choice has a finish_reason (a client abort or a cut upstream): only complete, successful
// answers are ever stored.
//
// Two ways in: `push(chunk)` for translated streams (canonical ChatChunk objects), `pushData(text)` for the fast
// lane (the SSE `data:` text of an OpenAI-compatible upstream, parsed here because the fast lane does not parse).

import type { ChatChunk, Usage } from "../providers/types.ts";
import { chunkLine } from "./entry.ts";

export type AbandonReason = "too_large" | "error" | "incomplete";

export interface RecordedStream {
  payload: string;
  usage: Usage | null;
  model: string;
  chars: number;
}

export class StreamRecorder {
  private lines: string[] = [];
  private chars = 0;
  private usage: Usage | null = null;
  private model = "";
  private readonly started = new Set<number>();
  private readonly finished = new Set<number>();
  private state: "recording" | "abandoned" | "done" = "recording";
  private abandonReason: AbandonReason | null = null;

  constructor(
    private readonly maxChars: number,
    private readonly onEnd: (result: RecordedStream | null, reason: AbandonReason | null) => Promise<void> | void,
  ) {}

  get active(): boolean {
    return this.state === "recording";
  }

  push(chunk: ChatChunk): void {
    if (this.state !== "recording") return;
    if (chunk.usage) this.usage = chunk.usage;
    if (!this.model && chunk.model) this.model = chunk.model;
    for (const c of chunk.choices) {
      this.started.add(c.index);
      if (c.finish_reason) this.finished.add(c.index);
    }
    const line = chunkLine(chunk);
    this.chars += line.length + 1;
    if (this.chars > this.maxChars) {
      this.abandon("too_large");
      return;
    }
    this.lines.push(line);
  }

  /** One SSE `data:` text from an OpenAI-compatible upstream; `[DONE]` is ignored. */
  pushData(data: string): void {
    if (this.state !== "recording" || data === "[DONE]") return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      this.abandon("error");
      return;
    }
    if (typeof parsed !== "object" || parsed === null || !Array.isArray((parsed as { choices?: unknown }).choices)) {
      // an `{error: ...}` event inside a 200 stream, or something that is not a chunk
      this.abandon("error");
      return;
    }
    this.push(parsed as ChatChunk);
  }

  /** Give up the recording (upstream error, client abort, ...). Nothing is stored. */
  abandon(reason: AbandonReason = "error"): void {
    if (this.state !== "recording") return;
    this.state = "abandoned";
    this.abandonReason = reason;
    this.lines = [];
    void this.onEnd(null, reason);
  }

  /** The stream ended normally: store it when it is complete. Resolves when the store finished (or failed). */
  async end(): Promise<boolean> {
    if (this.state !== "recording") return false;
    const complete = this.started.size > 0 && [...this.started].every((i) => this.finished.has(i));
    if (!complete) {
      this.abandon("incomplete");
      return false;
    }
    this.state = "done";
    const payload = this.lines.join("\n");
    this.lines = [];
    await this.onEnd({ payload, usage: this.usage, model: this.model, chars: this.chars }, null);
    return true;
  }

  /** why the recording was abandoned (null while recording or after a successful end) */
  get reason(): AbandonReason | null {
    return this.abandonReason;
  }
}

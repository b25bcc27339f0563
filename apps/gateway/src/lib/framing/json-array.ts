// De-framer for a JSON array streamed incrementally (Gemini `streamGenerateContent` without `alt=sse`): the body is
// `[{...}\r\n,{...}\r\n]` arriving in arbitrary chunks. Each array element is emitted as soon as its closing brace
// arrives. A top-level value that is not an array (an error object) is emitted whole as one event.
//
// A single pass over each new character with an explicit scanner state: depth of nesting, whether we are inside a
// string and whether the previous character was a backslash. Text of an element not yet complete is kept as pieces
// and joined once when it closes, so a large element split into many chunks costs O(n).

import type { StreamEvent } from "../../providers/types.ts";
import type { Deframer } from "./types.ts";

type Phase = "start" | "array" | "top-value" | "done";

export class JsonArrayDeframer implements Deframer {
  private readonly decoder = new TextDecoder("utf-8");
  private phase: Phase = "start";
  /** nesting depth inside the current element (0 = between elements) */
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** true while a primitive element (number, literal, string at depth 0) is being read */
  private inPrimitive = false;
  /** completed-so-far text pieces of the current element */
  private pieces: string[] = [];

  push(chunk: Uint8Array): StreamEvent[] {
    return this.scan(this.decoder.decode(chunk, { stream: true }));
  }

  end(): StreamEvent[] {
    const out = this.scan(this.decoder.decode());
    // a number / literal at the very end has no separator after it; an unfinished object or string is a
    // truncated upstream and is dropped (the pipeline sees the stream end without a finish reason)
    if (this.inPrimitive && !this.inString) {
      const text = this.pieces.join("");
      if (text.length > 0) out.push({ data: text });
    }
    this.pieces = [];
    this.inPrimitive = false;
    this.phase = "done";
    return out;
  }

  private scan(text: string): StreamEvent[] {
    const out: StreamEvent[] = [];
    let elementStart = -1;
    // resuming inside an element that started in an earlier chunk
    if (this.depth > 0 || this.inPrimitive) elementStart = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.phase === "done") break;
      if (this.phase === "start") {
        if (isSpace(c)) continue;
        if (c === 0x5b /* [ */) {
          this.phase = "array";
          continue;
        }
        // not an array: read one top-level value
        this.phase = "top-value";
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c /* \ */) this.escaped = true;
        else if (c === 0x22 /* " */) {
          this.inString = false;
          if (this.depth === 0 && this.inPrimitive) {
            // a string element closes here
            out.push(this.take(text, elementStart, i + 1));
            this.inPrimitive = false;
            elementStart = -1;
          }
        }
        continue;
      }
      if (this.depth === 0 && !this.inPrimitive) {
        // between elements
        if (isSpace(c) || c === 0x2c /* , */) continue;
        if (c === 0x5d /* ] */ && this.phase === "array") {
          this.phase = "done";
          continue;
        }
        elementStart = i;
        if (c === 0x7b /* { */ || c === 0x5b /* [ */) this.depth = 1;
        else {
          this.inPrimitive = true;
          if (c === 0x22) this.inString = true;
        }
        continue;
      }
      if (this.inPrimitive) {
        // number / true / false / null end at a separator
        if (c === 0x2c || c === 0x5d || isSpace(c)) {
          out.push(this.take(text, elementStart, i));
          this.inPrimitive = false;
          elementStart = -1;
          if (c === 0x5d && this.phase === "array") this.phase = "done";
        }
        continue;
      }
      if (c === 0x22) this.inString = true;
      else if (c === 0x7b || c === 0x5b) this.depth++;
      else if (c === 0x7d /* } */ || c === 0x5d) {
        this.depth--;
        if (this.depth === 0) {
          out.push(this.take(text, elementStart, i + 1));
          elementStart = -1;
          if (this.phase === "top-value") this.phase = "done";
        }
      }
    }
    if (elementStart >= 0 && (this.depth > 0 || this.inPrimitive)) this.pieces.push(text.slice(elementStart));
    return out;
  }

  private take(text: string, start: number, end: number): StreamEvent {
    const tail = text.slice(start, end);
    if (this.pieces.length === 0) return { data: tail };
    this.pieces.push(tail);
    const data = this.pieces.join("");
    this.pieces = [];
    return { data };
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

export function createJsonArrayDeframer(): Deframer {
  return new JsonArrayDeframer();
}

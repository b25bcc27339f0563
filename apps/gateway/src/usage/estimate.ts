// Token estimates with gpt-tokenizer (o200k), used only when the provider reports no usage; events carry
// `estimated: true` then. The tokenizer (several MB of tables) loads on first use, off the startup path.

import type { ChatMessage } from "../providers/types.ts";

type CountTokens = (text: string) => number;
let counter: Promise<CountTokens> | null = null;

function loadCounter(): Promise<CountTokens> {
  if (!counter) counter = import("gpt-tokenizer").then((m) => m.countTokens as CountTokens);
  return counter;
}

function textOf(content: ChatMessage["content"]): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  let out = "";
  for (const part of content) if (part && part.type === "text" && typeof part.text === "string") out += part.text;
  return out;
}

/** What the request sends as prompt: chat messages (content + 4 tokens of framing each), prompt text, or inputs. */
export async function estimatePromptTokens(body: Record<string, unknown> | null): Promise<number> {
  if (!body) return 0;
  const count = await loadCounter();
  if (Array.isArray(body.messages)) {
    let n = 3;
    for (const m of body.messages as ChatMessage[]) {
      n += 4 + count(textOf(m?.content ?? null));
      if (Array.isArray(m?.tool_calls)) for (const c of m.tool_calls) n += count(c.function?.arguments ?? "");
    }
    return n;
  }
  const p = body.prompt ?? body.input;
  if (typeof p === "string") return count(p);
  if (Array.isArray(p)) {
    let n = 0;
    for (const x of p) n += typeof x === "string" ? count(x) : Array.isArray(x) ? x.length : 1;
    return n;
  }
  return 0;
}

export async function estimateTextTokens(text: string): Promise<number> {
  if (!text) return 0;
  return (await loadCounter())(text);
}

// What the semantic cache embeds, and which conversations it leaves alone. The embedded text is the system (and
// developer) instructions plus the last user message; a conversation is skipped when it carries tools or tool
// traffic (answers depend on tool results, not on wording), is longer than `maxMessages`, does not end with a user
// message, or has non-text content in that message (an image cannot be matched by its caption).

import type { ChatMessage, ChatRequest } from "../../providers/types.ts";

export interface SemanticRules {
  maxMessages: number;
  skipWithTools: boolean;
}

export type SemanticSkip = "tools" | "too_long" | "not_user_last" | "non_text";

function textOf(content: ChatMessage["content"]): string | null {
  if (content === null) return "";
  if (typeof content === "string") return content;
  let out = "";
  for (const part of content) {
    if (part.type !== "text" || typeof (part as { text?: unknown }).text !== "string") return null;
    out += (out ? "\n" : "") + (part as { text: string }).text;
  }
  return out;
}

/** The text to embed, or why the request is not eligible. */
export function semanticPrompt(req: ChatRequest, rules: SemanticRules): { text: string } | { skip: SemanticSkip } {
  const msgs = req.messages;
  if (rules.skipWithTools) {
    const toolTraffic =
      (Array.isArray(req.tools) && req.tools.length > 0) ||
      msgs.some((m) => m.role === "tool" || m.role === "function" || (m.tool_calls?.length ?? 0) > 0);
    if (toolTraffic) return { skip: "tools" };
  }
  if (msgs.length > rules.maxMessages) return { skip: "too_long" };
  const last = msgs[msgs.length - 1];
  if (last?.role !== "user") return { skip: "not_user_last" };
  const user = textOf(last.content);
  if (user === null) return { skip: "non_text" };
  const system: string[] = [];
  for (const m of msgs) {
    if (m.role !== "system" && m.role !== "developer") continue;
    const t = textOf(m.content);
    if (t === null) return { skip: "non_text" };
    system.push(t);
  }
  return { text: system.length > 0 ? `system: ${system.join("\n")}\nuser: ${user}` : `user: ${user}` };
}

/** L2-normalised copy; a zero vector stays zero (and matches nothing). */
export function normaliseVector(v: readonly number[]): number[] {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum);
  return norm === 0 ? v.map(() => 0) : v.map((x) => x / norm);
}

// Text of a canonical message: a string content as is, text parts joined with "\n", other parts ignored.

import type { ChatMessage } from "../../providers/types.ts";

export function messageText(m: ChatMessage): string {
  const c = m.content;
  if (typeof c === "string") return c;
  if (c === null) return "";
  let out = "";
  for (const p of c) {
    if (p.type === "text" && typeof p.text === "string") out += out === "" ? p.text : `\n${p.text}`;
  }
  return out;
}

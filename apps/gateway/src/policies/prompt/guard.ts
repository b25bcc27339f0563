// Prompt guard (Kong's ai-prompt-guard): allow and deny regular expressions over the user's messages (or every
// role), the newest message only or the whole history. Any deny match, or (when allow patterns exist) a message
// matching none of them -> 400 `prompt_guard_denied`. The caller is never told which pattern matched (that would
// let them probe the list); the log gets the pattern index. Patterns are compiled once per config (prepare), and an
// invalid pattern is refused when the policy is saved (RegexSchema).

import type { PromptGuardConfig } from "@sluice/db/schemas";
import { PromptGuardConfigSchema } from "@sluice/db/schemas";
import type { ChatMessage } from "../../providers/types.ts";
import { ALLOW, type Decision, deny, type Policy } from "../types.ts";
import { messageText } from "./text.ts";

export interface PreparedGuard {
  allow: RegExp[];
  deny: RegExp[];
  roles: PromptGuardConfig["roles"];
  scope: PromptGuardConfig["scope"];
}

export function prepareGuard(c: PromptGuardConfig): PreparedGuard {
  // no g/y flags: test() stays stateless
  return { allow: c.allow.map((p) => new RegExp(p)), deny: c.deny.map((p) => new RegExp(p)), roles: c.roles, scope: c.scope };
}

/** null when allowed; else why (for the log only). */
export function checkGuard(messages: readonly ChatMessage[], g: PreparedGuard): string | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as ChatMessage;
    if (g.roles === "user" && m.role !== "user") continue;
    const text = messageText(m);
    for (let d = 0; d < g.deny.length; d++)
      if ((g.deny[d] as RegExp).test(text)) return `deny pattern #${d} matched message ${i}`;
    if (g.allow.length > 0 && !g.allow.some((a) => a.test(text))) return `message ${i} matched no allow pattern`;
    if (g.scope === "last") break;
  }
  return null;
}

export const promptGuardPolicy: Policy<PromptGuardConfig, PreparedGuard> = {
  type: "prompt-guard",
  phase: "prompt",
  configSchema: PromptGuardConfigSchema,
  prepare: prepareGuard,
  decide(ctx, g): Decision {
    const req = ctx.request;
    if (!req || !Array.isArray(req.messages)) return ALLOW;
    const why = checkGuard(req.messages, g);
    return why === null
      ? ALLOW
      : deny(400, "prompt_guard_denied", "The prompt was refused by a content policy.", { internal: why, param: "messages" });
  },
};

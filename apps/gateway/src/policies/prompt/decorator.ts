// Prompt decorator (Kong's ai-prompt-decorator): messages the route always prepends and appends, e.g. a system
// prompt in front and a reminder at the end. The client's messages stay in between, untouched.

import type { PromptDecoratorConfig } from "@sluice/db/schemas";
import { PromptDecoratorConfigSchema } from "@sluice/db/schemas";
import type { ChatMessage } from "../../providers/types.ts";
import { ALLOW, allow, type Policy } from "../types.ts";

export interface PreparedDecorator {
  prepend: ChatMessage[];
  append: ChatMessage[];
}

export function decorateMessages(messages: readonly ChatMessage[], d: PreparedDecorator): ChatMessage[] {
  return [...d.prepend, ...messages, ...d.append];
}

export const promptDecoratorPolicy: Policy<PromptDecoratorConfig, PreparedDecorator> = {
  type: "prompt-decorator",
  phase: "prompt",
  configSchema: PromptDecoratorConfigSchema,
  prepare: (c) => ({
    prepend: c.prepend.map((m) => Object.freeze({ role: m.role, content: m.content })),
    append: c.append.map((m) => Object.freeze({ role: m.role, content: m.content })),
  }),
  decide(ctx, d) {
    const req = ctx.request;
    if (!req || !Array.isArray(req.messages) || (d.prepend.length === 0 && d.append.length === 0)) return ALLOW;
    return allow({ request: { ...req, messages: decorateMessages(req.messages, d) } });
  },
};

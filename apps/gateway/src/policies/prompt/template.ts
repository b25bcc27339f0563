// Prompt templates (Kong's ai-prompt-template): a request names a stored template instead of sending messages,
//   { "model": "...", "messages": "{template://support-reply}", "properties": { "product": "Sluice" } }
// (or a single user message whose whole content is "{template://name}"), and the gateway renders the template's
// messages, replacing `{{variable}}` with the property values. Rendering is one pass over precompiled parts: a value
// is never re-scanned for placeholders, it only ever becomes (part of) one message's content, and with escape "json"
// (the default) quotes, backslashes and control characters are escaped so a value cannot break JSON text the template
// embeds it in. Missing variables -> 400 naming them; unknown template -> 400; an untemplated request is refused
// when the policy says allowUntemplated: false.

import type { PromptTemplateBody, PromptTemplateConfig } from "@sluice/db/schemas";
import { PromptTemplateConfigSchema } from "@sluice/db/schemas";
import type { ChatMessage, ChatRequest } from "../../providers/types.ts";
import { ALLOW, allow, type Decision, deny, type Policy } from "../types.ts";

type Part = string | { name: string };

export interface CompiledPromptTemplate {
  name: string;
  messages: Array<{ role: ChatMessage["role"]; parts: Part[] }>;
  /** every variable the template uses, sorted */
  variables: string[];
}

const VARIABLE = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;
const REFERENCE = /^\{template:\/\/([A-Za-z0-9_.-]+)\}$/;

export function compilePromptTemplate(name: string, body: PromptTemplateBody): CompiledPromptTemplate {
  const variables = new Set<string>();
  const messages = body.messages.map((m) => {
    const parts: Part[] = [];
    let last = 0;
    for (const match of m.content.matchAll(VARIABLE)) {
      if (match.index > last) parts.push(m.content.slice(last, match.index));
      const v = match[1] as string;
      variables.add(v);
      parts.push({ name: v });
      last = match.index + match[0].length;
    }
    if (last < m.content.length) parts.push(m.content.slice(last));
    return { role: m.role, parts };
  });
  return { name, messages, variables: [...variables].sort() };
}

/** Where compiled templates come from (the snapshot builds one map per config version). */
export interface TemplateStore {
  get(name: string): CompiledPromptTemplate | undefined;
}

export function templateStore(templates: Iterable<CompiledPromptTemplate>): TemplateStore {
  const map = new Map<string, CompiledPromptTemplate>();
  for (const t of templates) map.set(t.name, t);
  return map;
}

function valueText(v: unknown, escaping: PromptTemplateConfig["escape"]): string {
  const text = typeof v === "string" ? v : JSON.stringify(v);
  return escaping === "json" ? JSON.stringify(text).slice(1, -1) : text;
}

/** The template a request refers to, or null for an ordinary request. */
export function templateReference(req: ChatRequest): string | null {
  const messages: unknown = req.messages;
  if (typeof messages === "string") return REFERENCE.exec(messages.trim())?.[1] ?? null;
  if (Array.isArray(messages) && messages.length === 1) {
    const m = messages[0] as ChatMessage;
    if (m.role === "user" && typeof m.content === "string") return REFERENCE.exec(m.content.trim())?.[1] ?? null;
  }
  return null;
}

export function renderPromptTemplate(
  t: CompiledPromptTemplate,
  properties: Record<string, unknown>,
  escaping: PromptTemplateConfig["escape"] = "json",
): { ok: true; messages: ChatMessage[] } | { ok: false; missing: string[] } {
  const missing = t.variables.filter((v) => properties[v] === undefined || properties[v] === null);
  if (missing.length > 0) return { ok: false, missing };
  const messages = t.messages.map((m) => {
    let content = "";
    for (const p of m.parts) content += typeof p === "string" ? p : valueText(properties[p.name], escaping);
    return { role: m.role, content };
  });
  return { ok: true, messages };
}

export interface PreparedTemplateConfig extends PromptTemplateConfig {
  store: TemplateStore;
}

/**
 * The built-in "prompt-template" policy. Templates are data from the snapshot, so the policy is created per
 * snapshot with its store: `promptTemplatePolicy(store)`.
 */
export function promptTemplatePolicy(store: TemplateStore): Policy<PromptTemplateConfig, PreparedTemplateConfig> {
  return {
    type: "prompt-template",
    phase: "prompt",
    configSchema: PromptTemplateConfigSchema,
    prepare: (config) => ({ ...config, store }),
    decide(ctx, config): Decision {
      const req = ctx.request;
      if (!req) return ALLOW;
      const name = templateReference(req);
      if (name === null) {
        return config.allowUntemplated
          ? ALLOW
          : deny(400, "template_required", "This route only accepts templated prompts ({template://name}).", {
              param: "messages",
            });
      }
      const t = config.store.get(name);
      if (!t) return deny(400, "template_not_found", `Unknown prompt template "${name}".`, { param: "messages" });
      const raw = req.properties;
      const properties = raw !== null && typeof raw === "object" && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
      const r = renderPromptTemplate(t, properties, config.escape);
      if (!r.ok) {
        return deny(400, "template_variables_missing", `Missing template variables: ${r.missing.join(", ")}.`, {
          param: "properties",
        });
      }
      const { properties: _dropped, ...rest } = req;
      return allow({ request: { ...rest, messages: r.messages } });
    },
  };
}

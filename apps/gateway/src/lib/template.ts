// `$(headers.x)`, `$(uri_captures.x)`, `$(query_params.x)` in a target's model setting (Kong's syntax). Compiled
// once when the snapshot is built; rendering is a loop over literal and lookup parts.

export type TemplateSource = "headers" | "uri_captures" | "query_params";

export type TemplatePart = string | { source: TemplateSource; name: string };

export interface CompiledTemplate {
  /** the source text */
  text: string;
  /** null when the text has no placeholders (render returns `text`) */
  parts: TemplatePart[] | null;
}

export interface TemplateInputs {
  headers: Record<string, string | string[] | undefined>;
  uriCaptures: Record<string, string | undefined> | undefined;
  query: Record<string, unknown> | undefined;
}

export class TemplateError extends Error {
  override name = "TemplateError";
  constructor(
    message: string,
    readonly placeholder: string,
  ) {
    super(message);
  }
}

const PLACEHOLDER = /\$\((headers|uri_captures|query_params)\.([A-Za-z0-9_.-]+)\)/g;

export function compileTemplate(text: string): CompiledTemplate {
  if (!text.includes("$(")) return { text, parts: null };
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    const source = m[1] as TemplateSource;
    const name = source === "headers" ? (m[2] as string).toLowerCase() : (m[2] as string);
    parts.push({ source, name });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  if (parts.some((p) => typeof p === "string" && p.includes("$("))) {
    throw new TemplateError(`unsupported placeholder in "${text}"`, text);
  }
  return { text, parts };
}

function first(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && typeof value[0] === "string") return value[0];
  return undefined;
}

export function renderTemplate(t: CompiledTemplate, inputs: TemplateInputs): string {
  if (t.parts === null) return t.text;
  let out = "";
  for (const part of t.parts) {
    if (typeof part === "string") {
      out += part;
      continue;
    }
    const value =
      part.source === "headers"
        ? first(inputs.headers[part.name])
        : part.source === "uri_captures"
          ? inputs.uriCaptures?.[part.name]
          : first(inputs.query?.[part.name]);
    if (value === undefined || value === "") {
      throw new TemplateError(
        `the target model needs ${part.source === "headers" ? "header" : part.source === "uri_captures" ? "path capture" : "query parameter"} "${part.name}"`,
        `$(${part.source}.${part.name})`,
      );
    }
    // the value may end up in an upstream URL path (Azure deployments, Gemini, Bedrock): model-name characters only
    if (!SAFE_VALUE.test(value) || value.includes("..")) {
      throw new TemplateError(
        `the value given for ${part.source}.${part.name} is not a valid model name`,
        `$(${part.source}.${part.name})`,
      );
    }
    out += value;
  }
  return out;
}

/** letters, digits and . _ : @ / + - (covers "meta-llama/Llama-3.1-8B", "llama3:8b", "claude@20241022") */
const SAFE_VALUE = /^[A-Za-z0-9._:@/+-]{1,200}$/;

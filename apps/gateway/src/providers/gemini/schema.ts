// JSON Schema (what OpenAI clients send for tools and response_format) -> Gemini `Schema` (an OpenAPI 3.0 subset:
// https://ai.google.dev/api/caching#Schema). Returns null when the schema uses something the subset cannot express
// ($ref, oneOf, allOf, const, open additionalProperties ...); callers then send the schema unchanged in the JSON
// Schema fields (`parametersJsonSchema`, `responseJsonSchema`) instead of losing constraints.
// Request-side only (small schemas, once per request), so building a new object here is fine.

const DROPPED = new Set(["$schema", "$id", "$comment", "strict"]);
const COPIED = new Set([
  "format",
  "title",
  "description",
  "nullable",
  "enum",
  "maxItems",
  "minItems",
  "required",
  "minProperties",
  "maxProperties",
  "minLength",
  "maxLength",
  "pattern",
  "example",
  "propertyOrdering",
  "default",
  "minimum",
  "maximum",
]);
const TYPES = new Set(["string", "number", "integer", "boolean", "array", "object"]);

export type GeminiSchema = Record<string, unknown>;

export function toGeminiSchema(schema: unknown): GeminiSchema | null {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) return null;
  const out: GeminiSchema = {};
  for (const [key, value] of Object.entries(schema as Record<string, unknown>)) {
    if (DROPPED.has(key)) continue;
    if (COPIED.has(key)) {
      out[key] = value;
      continue;
    }
    switch (key) {
      case "type": {
        const types = Array.isArray(value) ? value : [value];
        const nonNull = types.filter((t) => t !== "null");
        if (nonNull.length !== 1 || typeof nonNull[0] !== "string" || !TYPES.has(nonNull[0])) return null;
        out.type = nonNull[0].toUpperCase();
        if (nonNull.length < types.length) out.nullable = true;
        break;
      }
      case "properties": {
        if (typeof value !== "object" || value === null) return null;
        const props: Record<string, GeminiSchema> = {};
        for (const [name, sub] of Object.entries(value as Record<string, unknown>)) {
          const converted = toGeminiSchema(sub);
          if (converted === null) return null;
          props[name] = converted;
        }
        out.properties = props;
        break;
      }
      case "items": {
        const converted = toGeminiSchema(value);
        if (converted === null) return null;
        out.items = converted;
        break;
      }
      case "anyOf": {
        if (!Array.isArray(value)) return null;
        const variants: GeminiSchema[] = [];
        for (const v of value) {
          const converted = toGeminiSchema(v);
          if (converted === null) return null;
          variants.push(converted);
        }
        out.anyOf = variants;
        break;
      }
      case "additionalProperties":
        // `false` is what OpenAI strict mode requires; Gemini only produces declared properties anyway
        if (value !== false) return null;
        break;
      default:
        return null;
    }
  }
  return out;
}

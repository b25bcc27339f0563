// Request and response transformers (Kong's request-transformer / response-transformer, JSON-patch flavoured):
// add / remove / rename headers on the upstream request and on the client response, and RFC 6902 patches on the
// canonical request body and the (non-streamed) response body. Order per side: rename, remove, add.
// A request patch that fails (e.g. a `test` op) refuses the request with 400 `request_transform_failed`; a response
// patch that fails leaves the answer as it was.

import type { HeaderTransform, TransformerConfig } from "@sluice/db/schemas";
import { TransformerConfigSchema } from "@sluice/db/schemas";
import type { ChatRequest } from "../../providers/types.ts";
import { ALLOW, allow, type Decision, deny, type HeaderMap, type Policy } from "../types.ts";
import { applyJsonPatch } from "./json-patch.ts";

export interface PreparedHeaderTransform {
  rename: Array<[from: string, to: string]>;
  remove: string[];
  add: Array<[name: string, value: string]>;
  empty: boolean;
}

export function prepareHeaderTransform(t: HeaderTransform): PreparedHeaderTransform {
  const rename = Object.entries(t.rename).map(([a, b]) => [a.toLowerCase(), b.toLowerCase()] as [string, string]);
  const remove = t.remove.map((h) => h.toLowerCase());
  const add = Object.entries(t.add).map(([k, v]) => [k.toLowerCase(), v] as [string, string]);
  return { rename, remove, add, empty: rename.length + remove.length + add.length === 0 };
}

/** The header edits (`null` = remove) that turn `headers` into the transformed set. */
export function headerEdits(headers: HeaderMap, t: PreparedHeaderTransform): Record<string, string | null> {
  const edits: Record<string, string | null> = {};
  const currentValue = (name: string): string | undefined => {
    if (Object.hasOwn(edits, name)) return edits[name] ?? undefined;
    const v = headers[name];
    return Array.isArray(v) ? v.join(", ") : v;
  };
  for (const [from, to] of t.rename) {
    const v = currentValue(from);
    if (v === undefined) continue;
    edits[from] = null;
    edits[to] = v;
  }
  for (const name of t.remove) edits[name] = null;
  for (const [name, value] of t.add) edits[name] = value;
  return edits;
}

/** Applies edits to a plain header record (lower-case names), returning a new record. */
export function applyHeaderEdits(headers: Record<string, string>, edits: Record<string, string | null>): Record<string, string> {
  const out = { ...headers };
  for (const [k, v] of Object.entries(edits)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

export interface PreparedTransformer {
  request: PreparedHeaderTransform;
  response: PreparedHeaderTransform;
  requestBodyPatch: TransformerConfig["requestBodyPatch"];
  responseBodyPatch: TransformerConfig["responseBodyPatch"];
}

export const transformerPolicy: Policy<TransformerConfig, PreparedTransformer> = {
  type: "transformer",
  phase: "prompt",
  configSchema: TransformerConfigSchema,
  prepare: (c) => ({
    request: prepareHeaderTransform(c.requestHeaders),
    response: prepareHeaderTransform(c.responseHeaders),
    requestBodyPatch: c.requestBodyPatch,
    responseBodyPatch: c.responseBodyPatch,
  }),
  decide(ctx, t): Decision {
    const upstreamHeaders = t.request.empty ? undefined : headerEdits(ctx.headers, t.request);
    let request: ChatRequest | undefined;
    if (t.requestBodyPatch.length > 0 && ctx.request) {
      const r = applyJsonPatch(ctx.request, t.requestBodyPatch);
      const value = r.ok ? r.value : null;
      if (!r.ok || value === null || typeof value !== "object" || !Array.isArray((value as ChatRequest).messages)) {
        return deny(400, "request_transform_failed", "The request could not be transformed for this route.", {
          internal: r.ok ? "patched request is not a chat request" : `op #${r.index}: ${r.error}`,
        });
      }
      request = value as ChatRequest;
    }
    if (!upstreamHeaders && !request) return ALLOW;
    return allow({ ...(upstreamHeaders ? { upstreamHeaders } : {}), ...(request ? { request } : {}) });
  },
  onResponse(_ctx, t, response) {
    const headers = t.response.empty ? undefined : headerEdits(response.headers, t.response);
    let body: unknown;
    if (t.responseBodyPatch.length > 0) {
      const r = applyJsonPatch(response.body, t.responseBodyPatch);
      if (r.ok) body = r.value;
    }
    if (!headers && body === undefined) return null;
    return { ...(headers ? { headers } : {}), ...(body !== undefined ? { body } : {}) };
  },
};

// Route matching for native passthrough routes (type "native"). A native route's path is a prefix; the rest of the
// request path must be one of its format's operations (Anthropic `/v1/messages`, Gemini
// `/v1beta/models/{model}:generateContent`, Bedrock `/model/{model}/converse` ...), decided by `format.match`.
// Longer prefixes are tried first. Because no native operation path ends in an OpenAI endpoint suffix
// (`/chat/completions`, `/completions`, `/embeddings`, `/models`), a native route at "/" and an OpenAI route at "/v1"
// coexist: POST /v1/messages is Anthropic's, POST /v1/chat/completions OpenAI's. Regex paths ("~...") are not
// supported for native routes.

import type { RouteEntry, Snapshot } from "../config/snapshot.ts";
import { normalisePrefix } from "../config/snapshot.ts";
import { getNativeFormat } from "../native/index.ts";
import type { NativeFormat, NativeMatch } from "../native/types.ts";

interface Candidate {
  prefix: string;
  route: RouteEntry;
  format: NativeFormat;
}

export interface NativeRouteMatch {
  route: RouteEntry;
  format: NativeFormat;
  prefix: string;
  match: NativeMatch;
}

const index = new WeakMap<Snapshot, Candidate[]>();

function candidatesOf(snapshot: Snapshot): Candidate[] {
  let list = index.get(snapshot);
  if (list) return list;
  list = [];
  for (const route of snapshot.routesById.values()) {
    if (route.type !== "native" || route.nativeFormat === null) continue;
    const format = getNativeFormat(route.nativeFormat);
    for (const path of route.paths) if (!path.startsWith("~")) list.push({ prefix: normalisePrefix(path), route, format });
  }
  list.sort((a, b) => b.prefix.length - a.prefix.length || a.route.name.localeCompare(b.route.name));
  index.set(snapshot, list);
  return list;
}

/** `url` is the request path, with or without its query string (Gemini's `?alt=sse` decides the framing). */
export function matchNativeRoute(snapshot: Snapshot, method: string, url: string): NativeRouteMatch | null {
  const list = candidatesOf(snapshot);
  if (list.length === 0) return null;
  for (const c of list) {
    if (
      c.prefix !== "" &&
      !(url.startsWith(c.prefix) && (url.length === c.prefix.length || "/?".includes(url.charAt(c.prefix.length))))
    )
      continue;
    const match = c.format.match(method, url.slice(c.prefix.length) || "/");
    if (match) return { route: c.route, format: c.format, prefix: c.prefix, match };
  }
  return null;
}

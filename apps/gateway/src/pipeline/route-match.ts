// Path -> (endpoint, route). The endpoint comes from the path's suffix (/chat/completions, /completions, /embeddings,
// /models); the rest is the route's path prefix, looked up in a Map built with the snapshot. Regex paths ("~..."
// with named groups, Kong style) are tried after exact prefixes and give `$(uri_captures.x)`.

import type { RouteEntry, Snapshot } from "../config/snapshot.ts";
import type { GatewayEndpoint } from "./context.ts";
import { matchNativeRoute } from "./native-match.ts";

export interface RouteMatch {
  endpoint: GatewayEndpoint;
  route: RouteEntry;
  prefix: string;
  captures: Record<string, string> | undefined;
}

const SUFFIXES: Array<[string, Exclude<GatewayEndpoint, "models">]> = [
  ["/chat/completions", "chat"],
  ["/completions", "completions"],
  ["/embeddings", "embeddings"],
];

/** The endpoint a path names, whatever the route; null when it names none. */
export function endpointOf(method: string, path: string): { endpoint: GatewayEndpoint; prefix: string } | null {
  if (method === "GET") {
    if (path.endsWith("/models")) return { endpoint: "models", prefix: path.slice(0, -7) };
    return null;
  }
  for (const [suffix, endpoint] of SUFFIXES) {
    if (path.endsWith(suffix)) return { endpoint, prefix: path.slice(0, -suffix.length) };
  }
  return null;
}

export function matchRoute(snapshot: Snapshot, rawMethod: string, rawPath: string): RouteMatch | null {
  const method = rawMethod === "HEAD" ? "GET" : rawMethod;
  let path = rawPath;
  if (path.length > 1 && path.endsWith("/")) path = path.slice(0, -1);
  // native passthrough operations first (their paths never end in an OpenAI endpoint suffix; see native-match.ts)
  const native = method === "POST" ? matchNativeRoute(snapshot, method, path) : null;
  if (native) return { endpoint: "native", route: native.route, prefix: native.prefix, captures: undefined };
  const e = endpointOf(method === "OPTIONS" ? "POST" : method, path);
  if (!e) {
    if (method === "OPTIONS") {
      const m = endpointOf("GET", path);
      if (m) return modelsRoute(snapshot, m.prefix);
    }
    return null;
  }
  if (e.endpoint === "models") return modelsRoute(snapshot, e.prefix);
  const route = snapshot.exact[e.endpoint].get(e.prefix);
  if (route) return { endpoint: e.endpoint, route, prefix: e.prefix, captures: undefined };
  const regexes = snapshot.regex[e.endpoint];
  for (let i = 0; i < regexes.length; i++) {
    const r = regexes[i] as (typeof regexes)[number];
    const m = r.regex.exec(path);
    if (m) return { endpoint: e.endpoint, route: r.route, prefix: e.prefix, captures: m.groups ? { ...m.groups } : {} };
  }
  return null;
}

function modelsRoute(snapshot: Snapshot, prefix: string): RouteMatch | null {
  const routes = snapshot.byPrefix.get(prefix);
  const first = routes?.[0];
  return first ? { endpoint: "models", route: first, prefix, captures: undefined } : null;
}

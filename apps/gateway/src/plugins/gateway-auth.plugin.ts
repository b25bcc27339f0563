// onRequest for gateway API routes: match the route (404), IP allow/deny (403), CORS (preflight answered here),
// the route's body limit by content-length (413), then authenticate the consumer: a key in Authorization: Bearer,
// x-api-key or the route's key header (sha256 -> Map lookup; unknown/expired/revoked 401), or a JWT verified
// against the route's JWKS / public key (a claim names the consumer). Then the ACL: the key's allowed routes and the
// route's allowed groups (403). Auth fails closed: no snapshot entry, no access.

import { createHash } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { jwtVerify } from "jose";
import type { ConsumerEntry, KeyEntry, RouteEntry } from "../config/snapshot.ts";
import { GatewayError } from "../lib/errors.ts";
import type { RequestContext } from "../pipeline/context.ts";
import { matchRoute } from "../pipeline/route-match.ts";
import { global } from "./plugin.ts";

function pathOf(url: string): string {
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** The consumer credential: Authorization: Bearer, x-api-key, or the route's own header. */
export function credentialOf(request: FastifyRequest, route: RouteEntry): string | undefined {
  const h = request.headers;
  const auth = h.authorization;
  if (auth && auth.length > 7 && (auth.startsWith("Bearer ") || auth.startsWith("bearer "))) return auth.slice(7).trim();
  const x = headerValue(h["x-api-key"]);
  if (x) return x.trim();
  if (route.keyHeader) {
    const v = headerValue(h[route.keyHeader]);
    if (v) return v.trim();
  }
  if (route.type === "native") {
    // Google's clients send x-goog-api-key or ?key= (never forwarded upstream: the native request is rebuilt)
    const g = headerValue(h["x-goog-api-key"]);
    if (g) return g.trim();
    const q = (request.query as Record<string, unknown> | undefined)?.key;
    if (typeof q === "string" && q) return q.trim();
  }
  return undefined;
}

function displayStart(key: string): string {
  return key.length <= 14 ? `${key.slice(0, 3)}***` : `${key.slice(0, 14)}***`;
}

export function checkIp(route: RouteEntry, ip: string): void {
  const lists = route.ip;
  if (!lists) return;
  let addr = ip;
  let type: "ipv4" | "ipv6" = addr.includes(":") ? "ipv6" : "ipv4";
  if (type === "ipv6" && addr.startsWith("::ffff:") && addr.includes(".")) {
    addr = addr.slice(7);
    type = "ipv4";
  }
  if (lists.deny?.check(addr, type)) {
    throw new GatewayError("ip_not_allowed", "Your IP address is not allowed on this route.", { internal: `ip ${ip} denied` });
  }
  if (lists.allow && !lists.allow.check(addr, type)) {
    throw new GatewayError("ip_not_allowed", "Your IP address is not allowed on this route.", {
      internal: `ip ${ip} not in allow list`,
    });
  }
}

function applyCors(request: FastifyRequest, reply: FastifyReply, route: RouteEntry): boolean {
  const cors = route.cors;
  const origin = request.headers.origin;
  if (!cors || !origin) return false;
  if (!cors.anyOrigin && !cors.origins.has(origin)) return false;
  reply.header("access-control-allow-origin", cors.anyOrigin && !cors.credentials ? "*" : origin);
  reply.header("vary", "origin");
  if (cors.credentials) reply.header("access-control-allow-credentials", "true");
  reply.header(
    "access-control-expose-headers",
    "x-sluice-request-id, x-sluice-route, x-sluice-provider, x-sluice-model, x-sluice-tokens-prompt, x-sluice-tokens-completion, x-sluice-cost",
  );
  return true;
}

export function checkRouteAccess(route: RouteEntry, consumer: ConsumerEntry, key: KeyEntry | null): void {
  if (key?.allowedRoutes && !key.allowedRoutes.has(route.id) && !key.allowedRoutes.has(route.name)) {
    throw new GatewayError("route_not_allowed", `This API key may not use route "${route.name}".`);
  }
  const groups = route.allowedGroups;
  if (groups) {
    for (const g of consumer.groups) if (groups.has(g)) return;
    throw new GatewayError("route_not_allowed", `Your consumer is not in a group allowed on route "${route.name}".`);
  }
}

function authenticateKey(ctx: RequestContext, token: string): void {
  const hash = createHash("sha256").update(token).digest("hex");
  const key = ctx.snapshot.keysByHash.get(hash);
  if (!key) {
    throw new GatewayError("invalid_api_key", `Incorrect API key provided: ${displayStart(token)}.`);
  }
  if (key.revoked) throw new GatewayError("revoked_api_key", "This API key has been revoked.");
  if (key.expiresAt !== null && key.expiresAt <= ctx.ts) throw new GatewayError("expired_api_key", "This API key has expired.");
  ctx.key = key;
  ctx.consumer = key.consumer;
}

async function authenticateJwt(ctx: RequestContext, route: RouteEntry, token: string): Promise<void> {
  const jwt = route.jwt;
  if (!jwt) throw new GatewayError("invalid_token", "This route does not accept tokens.");
  let claim: unknown;
  try {
    const { payload } = await jwtVerify(token, jwt.key as Parameters<typeof jwtVerify>[1], {
      issuer: jwt.issuer,
      audience: jwt.audience,
      currentDate: new Date(ctx.ts),
    });
    claim = payload[jwt.consumerClaim];
  } catch (err) {
    throw new GatewayError("invalid_token", "The bearer token is invalid or expired.", {
      internal: `jwt rejected: ${(err as Error).message}`,
    });
  }
  const id = typeof claim === "string" ? claim : typeof claim === "number" ? String(claim) : undefined;
  const consumer = id ? (ctx.snapshot.consumersById.get(id) ?? ctx.snapshot.consumersByName.get(id)) : undefined;
  if (!consumer) {
    throw new GatewayError("invalid_token", "The token's subject is not a known consumer.", {
      internal: `jwt claim ${jwt.consumerClaim}=${String(claim)} names no consumer`,
    });
  }
  ctx.consumer = consumer;
}

const looksLikeJwt = (t: string) => t.startsWith("eyJ") && t.split(".").length === 3;

export const gatewayAuthPlugin = global(async function gatewayAuth(app: FastifyInstance) {
  app.addHook("onRequest", async (request, reply) => {
    if (request.routeOptions.config.gateway !== true) return;
    const ctx = request.sluice;
    if (app.gw.draining) throw new GatewayError("shutting_down", "The gateway is shutting down; retry on another node.");
    const match = matchRoute(ctx.snapshot, request.method, pathOf(request.url));
    if (!match) {
      if (ctx.snapshot.source === "empty") {
        throw new GatewayError("config_unavailable", "The gateway has no configuration loaded yet.");
      }
      throw new GatewayError("route_not_found", `Unknown request URL: ${request.method} ${pathOf(request.url)}.`);
    }
    const route = match.route;
    ctx.route = route;
    ctx.endpoint = match.endpoint;
    ctx.uriCaptures = match.captures;
    checkIp(route, request.ip);
    const corsOk = applyCors(request, reply, route);
    if (request.method === "OPTIONS") {
      ctx.track = false;
      if (corsOk && route.cors) {
        reply.header("access-control-allow-methods", "GET, POST, OPTIONS");
        reply.header("access-control-allow-headers", route.cors.allowHeaders);
        reply.header("access-control-max-age", route.cors.maxAge);
      }
      return reply.code(204).send();
    }
    if (route.bodyLimit !== null) {
      const len = Number(request.headers["content-length"]);
      if (len > route.bodyLimit) {
        throw new GatewayError("body_too_large", `Request body is larger than this route's limit of ${route.bodyLimit} bytes.`);
      }
    }

    const mode = route.options.auth;
    if (mode === "none") return;
    const token = credentialOf(request, route);
    if (!token) {
      throw new GatewayError(
        "missing_api_key",
        "You didn't provide an API key. Send it in the Authorization header (Bearer) or in x-api-key.",
      );
    }
    if (mode === "jwt" || (mode === "key-or-jwt" && looksLikeJwt(token))) await authenticateJwt(ctx, route, token);
    else authenticateKey(ctx, token);
    const consumer = ctx.consumer as ConsumerEntry;
    if (consumer.disabled) throw new GatewayError("consumer_disabled", "This consumer is disabled.");
    if (match.endpoint !== "models") checkRouteAccess(route, consumer, ctx.key);
  });
}, "sluice-gateway-auth");

// The manager's client for the gateway admin endpoints against a stand-in gateway: the token travels in
// x-sluice-admin-token, answers come back as JSON, and every failure is a ConfigError with a message an admin can act
// on (not configured, unreachable, token refused, endpoints disabled, validation errors).

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { callGatewayAdmin } from "@/lib/gateway-admin";

const TOKEN = "test-admin-token-0123456789";
let server: Server;
let base: string;
const seen: Array<{ url: string; token: unknown; body: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      seen.push({ url: req.url ?? "", token: req.headers["x-sluice-admin-token"], body });
      res.setHeader("content-type", "application/json");
      if (req.headers["x-sluice-admin-token"] !== TOKEN) {
        res.statusCode = 401;
        return res.end(JSON.stringify({ error: { message: "A valid admin token is required." } }));
      }
      if (req.url === "/admin/cache/purge") return res.end(JSON.stringify({ purged: 3, byBackend: { memory: 3 } }));
      if (req.url === "/admin/bad") {
        res.statusCode = 400;
        return res.end(JSON.stringify({ error: { message: "routeId: required" } }));
      }
      res.statusCode = 404;
      res.end(JSON.stringify({ error: { message: `Unknown request URL: POST ${req.url}.` } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  process.env.SLUICE_GATEWAY_URL = `${base}/`;
  process.env.SLUICE_GATEWAY_ADMIN_TOKEN = TOKEN;
  seen.length = 0;
});

describe("callGatewayAdmin", () => {
  it("posts JSON with the admin token and returns the answer", async () => {
    expect(await callGatewayAdmin("/admin/cache/purge", { routeId: "rt_a" })).toEqual({ purged: 3, byBackend: { memory: 3 } });
    expect(seen).toEqual([{ url: "/admin/cache/purge", token: TOKEN, body: '{"routeId":"rt_a"}' }]);
  });

  it("turns every failure into a ConfigError with an actionable message", async () => {
    await expect(callGatewayAdmin("/admin/bad", {})).rejects.toMatchObject({ status: 400, message: "routeId: required" });
    await expect(callGatewayAdmin("/admin/gone", {})).rejects.toMatchObject({ status: 503, message: /no admin endpoints/ });
    process.env.SLUICE_GATEWAY_ADMIN_TOKEN = "another-token-0123456789";
    await expect(callGatewayAdmin("/admin/cache/purge", {})).rejects.toMatchObject({
      status: 503,
      message: /refused the admin token/,
    });
    delete process.env.SLUICE_GATEWAY_ADMIN_TOKEN;
    await expect(callGatewayAdmin("/admin/cache/purge", {})).rejects.toMatchObject({ status: 503, message: /not configured/ });
    expect(seen).toHaveLength(3);
    process.env.SLUICE_GATEWAY_ADMIN_TOKEN = TOKEN;
    process.env.SLUICE_GATEWAY_URL = "http://127.0.0.1:9";
    await expect(callGatewayAdmin("/admin/cache/purge", {})).rejects.toMatchObject({ status: 503, message: /unreachable/ });
  });
});

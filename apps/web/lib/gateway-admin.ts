// The manager's client for the gateway's own admin endpoints (apps/gateway/src/routes/admin.ts): cache purge and the
// provider connection test. Server only: the token (SLUICE_GATEWAY_ADMIN_TOKEN, shared with the gateway by
// `pnpm start`) never reaches the browser. The gateway is reached at SLUICE_GATEWAY_URL; behind a load balancer that
// is one node per call. Failures are ConfigErrors, so server actions show them as a message.

import { ConfigError } from "@sluice/db";

export const GATEWAY_ADMIN_HEADER = "x-sluice-admin-token";

export function gatewayAdminBaseUrl(): string {
  return (process.env.SLUICE_GATEWAY_URL ?? "http://127.0.0.1:8080").replace(/\/+$/, "");
}

export function gatewayAdminConfigured(): boolean {
  return Boolean(process.env.SLUICE_GATEWAY_ADMIN_TOKEN);
}

/** POST a JSON body to the gateway's /admin/... endpoint and return its JSON answer. */
export async function callGatewayAdmin<T>(path: string, body: unknown, opts: { timeoutMs?: number } = {}): Promise<T> {
  const token = process.env.SLUICE_GATEWAY_ADMIN_TOKEN;
  const base = gatewayAdminBaseUrl();
  if (!token) {
    throw new ConfigError(
      "unavailable",
      "The gateway admin endpoints are not configured: give the web app and the gateway the same SLUICE_GATEWAY_ADMIN_TOKEN (pnpm start does this).",
    );
  }
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", [GATEWAY_ADMIN_HEADER]: token },
      body: JSON.stringify(body ?? {}),
      cache: "no-store",
      signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
    });
  } catch (err) {
    const reason = (err as Error).name === "TimeoutError" ? "timed out" : "unreachable";
    throw new ConfigError("unavailable", `The gateway at ${base} is ${reason}.`);
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (res.ok) return json as T;
  const message = (json as { error?: { message?: unknown } } | null)?.error?.message;
  const said = typeof message === "string" ? message : `HTTP ${res.status}`;
  if (res.status === 401)
    throw new ConfigError("unavailable", `The gateway at ${base} refused the admin token: both processes need the same one.`);
  if (res.status === 404 && said.startsWith("Unknown request URL"))
    throw new ConfigError(
      "unavailable",
      `The gateway at ${base} has no admin endpoints (started without SLUICE_GATEWAY_ADMIN_TOKEN).`,
    );
  if (res.status === 400) throw new ConfigError("invalid", said);
  if (res.status === 404) throw new ConfigError("not_found", said);
  throw new ConfigError("unavailable", `The gateway at ${base} answered: ${said}`);
}

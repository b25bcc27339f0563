"use server";

// Every portal mutation: the session must hold DEVELOPER, and the developer's id goes into the WHERE clause of the
// query that reads or changes the row (packages/db/src/queries/portal.ts), so naming someone else's application or
// key finds nothing. Config writes bump the config version (gateways reload at once) and write an audit entry.

import {
  type ApplicationCreateInput,
  createApplicationForOwner,
  findOwnedActiveKeyByPlaintext,
  type IssuedKey,
  issueKeyForOwner,
  type KeyIssueInput,
  listCatalogForDeveloper,
  type PortalActor,
  PortalError,
  revokeKeyForOwner,
  rotateKeyForOwner,
} from "@sluice/db";
import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { z } from "zod";
import { requireRole } from "@/lib/session";
import { type ActionResult, toActionResult } from "./action-result";
import { routeBaseUrl } from "./gateway-url";

async function developer(): Promise<PortalActor> {
  const user = await requireRole("DEVELOPER");
  let ip: string | null = null;
  try {
    const h = await headers();
    ip = h.get("x-forwarded-for")?.split(",")[0]?.trim() || h.get("x-real-ip") || null;
  } catch {
    // outside a request (tests)
  }
  return { userId: user.id, email: user.email, ip };
}

export async function createApplicationAction(
  input: ApplicationCreateInput,
): Promise<ActionResult<{ id: string; name: string }>> {
  const actor = await developer();
  const result = await toActionResult(() => createApplicationForOwner(actor, input));
  if (result.ok) revalidatePath("/portal", "layout");
  return result.ok ? { ok: true, data: { id: result.data.id, name: result.data.name } } : result;
}

export async function issueKeyAction(input: KeyIssueInput): Promise<ActionResult<IssuedKey>> {
  const actor = await developer();
  const result = await toActionResult(() => issueKeyForOwner(actor, input));
  if (result.ok) revalidatePath("/portal", "layout");
  return result;
}

export async function revokeKeyAction(keyId: string): Promise<ActionResult<null>> {
  const actor = await developer();
  const result = await toActionResult(async () => {
    await revokeKeyForOwner(actor, String(keyId));
    return null;
  });
  if (result.ok) revalidatePath("/portal", "layout");
  return result;
}

export async function rotateKeyAction(keyId: string): Promise<ActionResult<IssuedKey>> {
  const actor = await developer();
  const result = await toActionResult(() => rotateKeyForOwner(actor, String(keyId)));
  if (result.ok) revalidatePath("/portal", "layout");
  return result;
}

// ─── playground ─────────────────────────────────────────────────────────────────────────────────────────────────

const PlaygroundSchema = z.object({
  key: z.string().trim().min(10, "paste one of your keys"),
  routeId: z.string().min(1, "choose a route"),
  model: z.string().trim().min(1, "choose a model"),
  prompt: z.string().trim().min(1, "write a prompt").max(20_000),
  maxTokens: z.coerce.number().int().min(1).max(4096).default(256),
});
export type PlaygroundInput = z.input<typeof PlaygroundSchema>;

export interface PlaygroundAnswer {
  status: number;
  latencyMs: number;
  requestId: string | null;
  content: string | null;
  usage: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number } | null;
  /** the gateway's error (OpenAI shape) when status >= 400 */
  error: { type?: string; code?: string; message?: string } | null;
}

/**
 * Send a test prompt through the gateway with one of the developer's own keys. The key is used for this one call and
 * not kept; the route's path comes from the developer's catalog, never from the client.
 */
export async function sendPlaygroundPromptAction(input: PlaygroundInput): Promise<ActionResult<PlaygroundAnswer>> {
  const actor = await developer();
  return toActionResult(async () => {
    const parsed = PlaygroundSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new PortalError("invalid", issue?.message ?? "invalid input", {
        [String(issue?.path[0] ?? "_form")]: [issue?.message ?? ""],
      });
    }
    const p = parsed.data;
    const key = await findOwnedActiveKeyByPlaintext(actor.userId, p.key);
    if (!key)
      throw new PortalError("forbidden", "That is not one of your active keys.", { key: ["not one of your active keys"] });
    const route = (await listCatalogForDeveloper(actor.userId)).find((r) => r.id === p.routeId);
    if (!route || route.paths.length === 0) throw new PortalError("not_found", "No such route in your catalog.");
    const url = `${routeBaseUrl(route.paths)}/chat/completions`;
    const started = Date.now();
    let res: Response;
    try {
      res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${p.key}` },
        body: JSON.stringify({ model: p.model, messages: [{ role: "user", content: p.prompt }], max_tokens: p.maxTokens }),
        signal: AbortSignal.timeout(60_000),
        cache: "no-store",
      });
    } catch (err) {
      throw new PortalError("unavailable", `The gateway did not answer: ${(err as Error).message}`);
    }
    const latencyMs = Date.now() - started;
    const body = (await res.json().catch(() => null)) as {
      choices?: Array<{ message?: { content?: string | null } }>;
      usage?: PlaygroundAnswer["usage"];
      error?: PlaygroundAnswer["error"];
    } | null;
    return {
      status: res.status,
      latencyMs,
      requestId: res.headers.get("x-request-id"),
      content: body?.choices?.[0]?.message?.content ?? null,
      usage: body?.usage ?? null,
      error: res.ok ? null : (body?.error ?? { message: `HTTP ${res.status}` }),
    };
  });
}

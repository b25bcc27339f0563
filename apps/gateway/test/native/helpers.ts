// Shared bits of the native-format tests: contexts, calling a mock upstream with a built request and reading the raw
// answer bytes, and cutting bytes at awkward places.

import type { ProviderKind } from "@sluice/db/schemas";
import { request } from "undici";
import type { NativeFormat, NativeTransformContext, NativeUpstreamRequest } from "../../src/native/types.ts";

export const NOW = 1_700_000_000;

export function nativeCtx(provider: ProviderKind, over: Partial<NativeTransformContext> = {}): NativeTransformContext {
  return {
    provider,
    baseUrl: "https://upstream.test",
    model: "test-model",
    settings: {},
    credentials: {},
    requestId: "req_native01",
    now: NOW,
    ...over,
  };
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  bytes: Buffer;
}

/** sends a built upstream request (plus test-only headers) and returns the answer bytes unparsed */
export async function send(up: NativeUpstreamRequest, extraHeaders: Record<string, string> = {}): Promise<RawAnswer> {
  const res = await request(up.url, { method: up.method, headers: { ...up.headers, ...extraHeaders }, body: up.body });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(",") : v;
  return { status: res.statusCode, headers, bytes };
}

/** match + validate + buildUpstream in one step, as the pipeline does */
export async function buildFor(
  format: NativeFormat,
  path: string,
  body: Record<string, unknown>,
  ctx: NativeTransformContext,
  clientHeaders: Record<string, string> = {},
): Promise<NativeUpstreamRequest> {
  const m = format.match("POST", path);
  if (!m) throw new Error(`no match for ${path}`);
  const rawBody = Buffer.from(JSON.stringify(body));
  return format.buildUpstream(
    { match: m, body: format.validate(JSON.parse(rawBody.toString("utf8")), m), rawBody, clientHeaders },
    ctx,
  );
}

/** every `n` bytes */
export function splitEvery(bytes: Uint8Array, n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.byteLength; i += n) out.push(bytes.subarray(i, i + n));
  return out;
}

/** right after the first byte of every multi-byte UTF-8 character, and around every "\n" (inside SSE separators) */
export function splitAwkwardly(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < bytes.byteLength; i++) {
    const b = bytes[i]!;
    if (b >= 0xc0 || b === 0x0a) {
      out.push(bytes.subarray(start, i + 1));
      start = i + 1;
    }
  }
  out.push(bytes.subarray(start));
  return out.filter((c) => c.byteLength > 0);
}

/** pseudo-random cut sizes 1..17 (deterministic) */
export function splitRandomly(bytes: Uint8Array, seed = 7): Uint8Array[] {
  const out: Uint8Array[] = [];
  let s = seed;
  let i = 0;
  while (i < bytes.byteLength) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const n = 1 + (s % 17);
    out.push(bytes.subarray(i, i + n));
    i += n;
  }
  return out;
}

// Shared plumbing of the mock upstreams (node:http, port 0): request recording, stats, fault injection and SSE
// writing. Faults come from request headers (x-mock-fail: <status>|reset|truncate, x-mock-latency-ms,
// x-mock-chunk-delay-ms) or, for tests that drive the gateway and cannot set upstream headers, from
// `mock.injectFault(...)`, which applies to the next request(s).

import { once } from "node:events";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  /** path without the query string */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** parsed JSON body, or undefined when the body was empty or not JSON */
  body: unknown;
}

export interface MockStats {
  requests: number;
  /** "METHOD /path" -> count */
  byRoute: Record<string, number>;
  streams: number;
  faults: number;
  /** clients that went away before the response ended */
  aborted: number;
}

export interface Fault {
  /** an HTTP status to answer with the provider's error body, or a connection-level fault */
  fail?: number | "reset" | "truncate";
  latencyMs?: number;
  chunkDelayMs?: number;
  /** how many requests it applies to (default 1) */
  times?: number;
  /** 429 only: the retry-after header (default "1"); null sends none */
  retryAfter?: string | null;
}

/**
 * Seeded random faults (fault tolerance tests): `rate` of the requests fail with one of `mix`, equally likely.
 * Without `keyOf` the draws follow arrival order. With it, a request's fate is a pure function of (seed, key, how
 * often this key was seen): give every client request a unique key that its retries keep (e.g. the prompt) and
 * share one FaultDice between the mocks, and the n-th attempt of a request fails or not whichever mock it reaches,
 * so the outcome does not depend on concurrency or on the balancer's choices.
 */
export interface RandomFaults {
  rate: number;
  seed: number;
  mix: Fault[];
  keyOf?: (r: RecordedRequest) => string | undefined;
}

export interface FaultDice {
  decide(r: RecordedRequest): Fault | undefined;
  /** requests decided / failed so far */
  readonly stats: { decided: number; failed: number; byKind: Record<string, number> };
}

function mix32(h: number): number {
  let x = h >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

function hashText(text: string, seed: number): number {
  let h = (2166136261 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return mix32(h);
}

export function createFaultDice(spec: RandomFaults): FaultDice {
  let sequence = spec.seed >>> 0;
  const visits = new Map<string, number>();
  const stats = { decided: 0, failed: 0, byKind: {} as Record<string, number> };
  const draw = (key: string | undefined): [number, number] => {
    if (key === undefined) {
      sequence = mix32(sequence + 0x9e3779b9);
      const a = sequence;
      sequence = mix32(sequence + 0x9e3779b9);
      return [a / 4294967296, sequence / 4294967296];
    }
    const n = (visits.get(key) ?? 0) + 1;
    visits.set(key, n);
    const a = hashText(`${key}#${n}`, spec.seed);
    return [a / 4294967296, mix32(a + 1) / 4294967296];
  };
  return {
    stats,
    decide(r) {
      stats.decided++;
      const [u, v] = draw(spec.keyOf?.(r));
      if (u >= spec.rate || spec.mix.length === 0) return undefined;
      const fault = spec.mix[Math.min(spec.mix.length - 1, Math.floor(v * spec.mix.length))] as Fault;
      stats.failed++;
      const kind = String(fault.fail ?? (fault.latencyMs ? "latency" : "none"));
      stats.byKind[kind] = (stats.byKind[kind] ?? 0) + 1;
      return { ...fault };
    },
  };
}

export interface MockUpstream {
  url: string;
  close(): Promise<void>;
  stats: MockStats;
  requests: RecordedRequest[];
  lastRequest(): RecordedRequest | undefined;
  injectFault(fault: Fault): void;
  /** seeded random faults for every request from now on (null: off); see createFaultDice */
  setRandomFaults(dice: FaultDice | null): void;
  reset(): void;
}

export interface MockExchange {
  req: IncomingMessage;
  res: ServerResponse;
  recorded: RecordedRequest;
  /** truncate: stop a stream (or a JSON body) half way and drop the connection */
  truncate: boolean;
  chunkDelayMs: number;
  stats: MockStats;
}

export interface MockDefinition {
  /** answers the request; return false for "no such route" (the kit answers 404 with notFoundBody) */
  handle(ex: MockExchange): Promise<boolean> | boolean;
  /** the provider's error body for an injected status */
  errorBody(status: number): unknown;
  notFoundBody(path: string): unknown;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** JSON answer, or half of it and a dropped connection when the exchange is truncated */
export function sendJsonOrTruncate(ex: MockExchange, status: number, body: unknown): void {
  if (!ex.truncate) {
    sendJson(ex.res, status, body);
    return;
  }
  const text = JSON.stringify(body);
  ex.res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  ex.stats.faults++;
  ex.res.write(text.slice(0, Math.floor(text.length / 2)), () => ex.res.destroy());
}

/** Writes SSE frames in order, honouring the chunk delay and truncation (half the frames, then the socket drops). */
export async function writeSse(ex: MockExchange, frames: string[]): Promise<void> {
  ex.stats.streams++;
  ex.res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
  });
  const limit = ex.truncate ? Math.max(1, Math.floor(frames.length / 2)) : frames.length;
  for (let i = 0; i < limit; i++) {
    if (ex.res.destroyed) return;
    if (ex.chunkDelayMs > 0 && i > 0) await sleep(ex.chunkDelayMs);
    const ok = ex.res.write(frames[i]);
    if (!ok) await once(ex.res, "drain");
  }
  if (ex.truncate) {
    ex.stats.faults++;
    // the last frame cut in the middle, then the connection drops
    const next = frames[limit] ?? "data: {";
    ex.res.write(next.slice(0, Math.max(1, Math.floor(next.length / 2))), () => ex.res.destroy());
    return;
  }
  ex.res.end();
}

export function sseData(value: unknown): string {
  return `data: ${typeof value === "string" ? value : JSON.stringify(value)}\n\n`;
}

export function sseEvent(event: string, value: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(value)}\n\n`;
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function parseFault(headers: IncomingHttpHeaders): Fault | undefined {
  const fail = headerValue(headers, "x-mock-fail");
  const latency = headerValue(headers, "x-mock-latency-ms");
  const chunkDelay = headerValue(headers, "x-mock-chunk-delay-ms");
  if (fail === undefined && latency === undefined && chunkDelay === undefined) return undefined;
  const fault: Fault = {};
  if (fail === "reset" || fail === "truncate") fault.fail = fail;
  else if (fail !== undefined && /^\d{3}$/.test(fail)) fault.fail = Number(fail);
  if (latency !== undefined) fault.latencyMs = Number(latency) || 0;
  if (chunkDelay !== undefined) fault.chunkDelayMs = Number(chunkDelay) || 0;
  return fault;
}

export async function startMockServer(
  def: MockDefinition,
  options: { port?: number; host?: string } = {},
): Promise<MockUpstream> {
  const stats: MockStats = { requests: 0, byRoute: {}, streams: 0, faults: 0, aborted: 0 };
  const requests: RecordedRequest[] = [];
  const queued: Fault[] = [];
  let dice: FaultDice | null = null;

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://mock");
    let body: unknown;
    try {
      body = rawBody.length > 0 ? JSON.parse(rawBody) : undefined;
    } catch {
      body = undefined;
    }
    const recorded: RecordedRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      rawBody,
      body,
    };
    requests.push(recorded);
    if (requests.length > 200) requests.shift();
    stats.requests++;
    const route = `${recorded.method} ${recorded.path}`;
    stats.byRoute[route] = (stats.byRoute[route] ?? 0) + 1;
    res.on("close", () => {
      if (!res.writableEnded) stats.aborted++;
    });

    let fault = parseFault(req.headers);
    if (!fault && queued.length > 0) {
      const head = queued[0]!;
      fault = head;
      head.times = (head.times ?? 1) - 1;
      if (head.times <= 0) queued.shift();
    }
    if (!fault && dice) fault = dice.decide(recorded);
    if (fault?.latencyMs) await sleep(fault.latencyMs);
    if (fault?.fail === "reset") {
      stats.faults++;
      req.socket.destroy();
      return;
    }
    if (typeof fault?.fail === "number") {
      stats.faults++;
      const headers: Record<string, string> = {};
      if (fault.fail === 429) {
        if (fault.retryAfter !== null) headers["retry-after"] = fault.retryAfter ?? "1";
        headers["x-ratelimit-remaining-requests"] = "0";
        headers["x-ratelimit-reset-requests"] = "1s";
      }
      sendJson(res, fault.fail, def.errorBody(fault.fail), headers);
      return;
    }
    const ex: MockExchange = {
      req,
      res,
      recorded,
      truncate: fault?.fail === "truncate",
      chunkDelayMs: fault?.chunkDelayMs ?? 0,
      stats,
    };
    try {
      const handled = await def.handle(ex);
      if (!handled && !res.headersSent) sendJson(res, 404, def.notFoundBody(recorded.path));
    } catch (err) {
      if (!res.headersSent)
        sendJson(res, 500, { error: { message: String(err), type: "server_error", param: null, code: null } });
      else res.destroy();
    }
  });
  server.keepAliveTimeout = 5_000;
  server.listen(options.port ?? 0, options.host ?? "127.0.0.1");
  await once(server, "listening");
  const address = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${address.port}`,
    stats,
    requests,
    lastRequest: () => requests[requests.length - 1],
    injectFault(fault) {
      queued.push({ ...fault });
    },
    setRandomFaults(d) {
      dice = d;
    },
    reset() {
      requests.length = 0;
      queued.length = 0;
      stats.requests = 0;
      stats.byRoute = {};
      stats.streams = 0;
      stats.faults = 0;
      stats.aborted = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** Deterministic "tokens": whitespace-separated pieces, each keeping its trailing space. */
export function tokenise(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

export function countWords(text: string): number {
  return text.split(/\s+/).filter((w) => w.length > 0).length;
}

/** A small deterministic embedding for a text (a hash spread over `dims` floats in [-1, 1]). */
export function fakeEmbedding(text: string, dims: number): number[] {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  const out: number[] = [];
  for (let i = 0; i < dims; i++) {
    h = Math.imul(h ^ (h >>> 13), 1274126177);
    out.push(Math.round((((h >>> 0) % 20001) / 10000 - 1) * 1e6) / 1e6);
  }
  return out;
}

export function float32Base64(values: number[]): string {
  const buf = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) buf.writeFloatLE(values[i]!, i * 4);
  return buf.toString("base64");
}

/** Sample arguments for a JSON-schema object: strings "test", numbers 1, booleans true. */
export function sampleArguments(parameters: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof parameters !== "object" || parameters === null) return out;
  const props = (parameters as { properties?: unknown }).properties;
  if (typeof props !== "object" || props === null) return out;
  for (const [name, schema] of Object.entries(props as Record<string, unknown>)) {
    const type = typeof schema === "object" && schema !== null ? (schema as { type?: unknown }).type : undefined;
    const e = typeof schema === "object" && schema !== null ? (schema as { enum?: unknown }).enum : undefined;
    if (Array.isArray(e) && e.length > 0) out[name] = e[0];
    else if (type === "number" || type === "integer") out[name] = 1;
    else if (type === "boolean") out[name] = true;
    else if (type === "array") out[name] = [];
    else if (type === "object") out[name] = {};
    else out[name] = "test";
  }
  return out;
}

/** Splits a string into `parts` roughly equal pieces (for streamed tool arguments). */
export function splitInto(text: string, parts: number): string[] {
  if (text.length === 0) return [];
  const size = Math.max(1, Math.ceil(text.length / parts));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

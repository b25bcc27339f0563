// The policy contract. Every built-in policy (templates, decorator, guard, PII, transformer, rate limits) implements
// `Policy`, and an operator's own module can too (Kong's custom plugins, without Lua): export a `Policy` object, name
// the file in a `custom` policy's `module`, and the gateway loads it at startup (see registry.ts).
//
// Rules every policy follows:
// - `decide` never throws for an expected outcome: a denial is a returned value (`{ ok: false, status, code, ... }`).
//   A throw is a bug and the pipeline turns it into a 500 (custom policies: into a `policy_error` 500 with the
//   policy's name in the log).
// - `prepare(config)` runs once per config snapshot (compile regexes, build lookup tables); `decide` runs per request
//   and gets the prepared value, so nothing expensive is rebuilt on the hot path.
// - Policies are pure with respect to I/O except through what `PolicyContext` hands them.

import type { z } from "zod";
import type { ChatChunk, ChatRequest } from "../providers/types.ts";

/** When a policy runs in the request pipeline (ARCHITECTURE.md "Request pipeline"). */
export type PolicyPhase =
  /** after authentication: ACL-like checks on who is calling (before the body is looked at) */
  | "access"
  /** prompt controls: template -> decorator -> guard / PII, may rewrite the canonical request */
  | "prompt"
  /** rate limits and budgets: one atomic reservation for all of them (see limits/) */
  | "limit"
  /** after the upstream answered: response transformers, PII restore */
  | "response";

export const POLICY_PHASES: readonly PolicyPhase[] = ["access", "prompt", "limit", "response"];

/** Header map as the pipeline sees it: lower-case names. */
export type HeaderMap = Record<string, string | string[] | undefined>;

/** What a policy may know about the request. Built once per request by the pipeline. */
export interface PolicyContext {
  requestId: string;
  consumerId: string | null;
  keyId: string | null;
  teamId: string | null;
  groupIds: readonly string[];
  routeId: string;
  /** the model the client asked for (before aliasing) */
  model: string;
  /**
   * the canonical (OpenAI-shaped) chat request; null for endpoints without messages (embeddings). On native
   * passthrough routes a read-only view: one user message with the format's promptText() (see `readOnly`).
   */
  request: ChatRequest | null;
  /**
   * true on native passthrough routes: the request cannot be rewritten (the client's bytes go upstream), so a policy
   * that returns `request` is refused by the runner (400 `policy_not_supported`); PII redaction rejects instead.
   */
  readOnly?: boolean;
  /** set by the pipeline for the "response" phase (non-streamed answers) */
  response?: ResponseView;
  /** incoming request headers, lower-case names */
  headers: HeaderMap;
  /** injected wall clock (ms since epoch), so tests can move time */
  now(): number;
  /**
   * Per-request scratch space shared between a policy's `decide` and its `settle` / response hooks (e.g. the PII
   * placeholder map). Keyed by the policy instance id; created lazily by the runner.
   */
  state: Map<string, unknown>;
}

/** A successful decision; every field is optional and means "change nothing" when absent. */
export interface Allow {
  ok: true;
  /** replacement canonical request (policies never mutate the incoming object) */
  request?: ChatRequest;
  /** headers to set on the upstream request (lower-case names; `null` removes) */
  upstreamHeaders?: Record<string, string | null>;
  /** headers to set on the client response (x-ratelimit-*, ...; `null` removes) */
  headers?: Record<string, string | null>;
  /** budgets with action "downgrade": serve the request on this target instead */
  downgradeTargetId?: string;
}

/** A denial: the pipeline answers `status` with the OpenAI error shape carrying `code` and `message`. */
export interface Deny {
  ok: false;
  status: number;
  /** stable, documented code (e.g. `prompt_guard_denied`, `rate_limit_exceeded`, `budget_exceeded`) */
  code: string;
  /** safe for the client: never contains patterns, secrets or other tenants' data */
  message: string;
  /** for the log only */
  internal?: string;
  /** the request parameter at fault, when there is one (OpenAI `param`) */
  param?: string;
  /** set on 429s; the pipeline writes `retry-after` (seconds) from it */
  retryAfterMs?: number;
  headers?: Record<string, string>;
}

export type Decision = Allow | Deny;

/** A complete (non-streamed) upstream answer as response-phase policies see it. */
export interface ResponseView {
  status: number;
  /** lower-case names */
  headers: Record<string, string>;
  /** parsed JSON body (canonical shape for translated routes) */
  body: unknown;
}

/** What a response hook changes: a replacement body and/or header edits (`null` removes). */
export interface ResponseChange {
  body?: unknown;
  headers?: Record<string, string | null>;
}

/** Per-request transform of a streamed answer, chunk by chunk (e.g. PII placeholders split across chunks). */
export interface StreamTransform {
  /** returns the chunk to send (possibly with held-back text removed) */
  chunk(chunk: ChatChunk): ChatChunk;
  /** text still held back at the end, per choice index, to send in a final chunk */
  end(): Array<{ index: number; content: string }>;
}

/** What happened to the request, given to `settle` once the response (or stream) is over. */
export interface PolicyOutcome {
  /** HTTP status sent to the client (0 when the client went away before any status) */
  status: number;
  /** real usage from the provider, or an estimate (flagged) when the provider gave none */
  usage: { promptTokens: number; completionTokens: number; cachedTokens?: number; estimated?: boolean } | null;
  /** cost in nano-units of the price's currency (see budget/money.ts), null when unpriced */
  costNano: bigint | null;
  /** the client aborted or the upstream failed mid-way */
  aborted: boolean;
  error: { code: string; message: string } | null;
}

/**
 * The policy interface. `Config` is the zod output of `configSchema`; `Prepared` is what `prepare` builds from it
 * (defaults to the config itself).
 */
export interface Policy<Config = unknown, Prepared = Config> {
  /** the policy type as stored in `policies.type` (custom policies: any name not taken by a built-in) */
  type: string;
  phase: PolicyPhase;
  /** validates the stored config (at save time in the web app, and when a snapshot is built) */
  configSchema: z.ZodType<Config>;
  /** once per snapshot: compile the config into what `decide` needs */
  prepare?(config: Config): Prepared;
  decide(ctx: PolicyContext, config: Prepared): Decision | Promise<Decision>;
  /** optional, any phase: edit a complete answer before it goes to the client */
  onResponse?(ctx: PolicyContext, config: Prepared, response: ResponseView): ResponseChange | null;
  /** optional, any phase: a per-request transform for streamed answers (null = nothing to do for this request) */
  createStreamTransform?(ctx: PolicyContext, config: Prepared): StreamTransform | null;
  /** once per request after the response or stream ended (also on errors and aborts); must not throw */
  settle?(ctx: PolicyContext, outcome: PolicyOutcome, config: Prepared): void | Promise<void>;
}

/** A policy type-erased for registries and the runner (method parameters are bivariant, so any Policy fits). */
export type AnyPolicy = Policy<unknown, unknown>;

// ─── decision helpers ──────────────────────────────────────────────────────────────────────────────────────────

export const ALLOW: Allow = Object.freeze({ ok: true }) as Allow;

export function allow(changes: Omit<Allow, "ok"> = {}): Allow {
  return { ok: true, ...changes };
}

export function deny(
  status: number,
  code: string,
  message: string,
  extra: Omit<Deny, "ok" | "status" | "code" | "message"> = {},
): Deny {
  return { ok: false, status, code, message, ...extra };
}

// The attempt loop shared by the OpenAI-shaped and the native routes: ask the route's AttemptPlan for a target,
// wait its backoff / retry-after (abortable), run one attempt, report how it ended, and either deliver that answer
// or fail over to the next target. An attempt never writes to the client until it is the one that answers: a failed
// attempt hands back a `deliver` function that sends its error only when no further attempt follows. A stream
// commits when its first byte is written; after that its attempt reports `streamStarted` and never fails over.
//
// Every attempt lands in `ctx.attempts` (the usage event's `attempts` column) and the arm / rule in `ctx.arm`.

import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  type AttemptObservation,
  type AttemptResult,
  type AttemptStep,
  retryAfterFromHeaders,
  type SelectionContext,
} from "../balancer/index.ts";
import type { RouteEntry, TargetEntry } from "../config/snapshot.ts";
import { GatewayError } from "../lib/errors.ts";
import type { RequestContext } from "./context.ts";
import { endAttemptTrace, startAttemptTrace } from "./observe.ts";

export type ReadyStep = Extract<AttemptStep<TargetEntry>, { done: false }>;

export interface AttemptOutcome {
  result: AttemptResult;
  observed?: AttemptObservation;
  /** send this attempt's answer; for a stream that already reached the client, nothing is left to send */
  deliver(): FastifyReply | undefined | Promise<FastifyReply | undefined>;
}

export class ClientGoneError extends Error {
  constructor() {
    super("the client went away");
    this.name = "ClientGoneError";
  }
}

/**
 * The request-lifetime frame both handlers (OpenAI-shaped and native) run in: marks the request in flight, turns a
 * client that went away into a destroyed socket (never an error answer), and settles usage exactly once at the end.
 */
export async function runTracked(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  handler: (ctx: RequestContext) => Promise<FastifyReply | undefined>,
): Promise<FastifyReply | undefined> {
  const ctx = request.sluice;
  ctx.inFlight = true;
  try {
    return await handler(ctx);
  } catch (err) {
    if (err instanceof ClientGoneError || ctx.aborted) {
      if (!reply.sent) reply.hijack();
      if (!reply.raw.destroyed) reply.raw.destroy();
      return undefined;
    }
    throw err;
  } finally {
    ctx.inFlight = false;
    app.settleWhenDone(ctx);
  }
}

const NOOP = () => undefined;

/** undici / node error codes that mean the request never left the gateway: always safe to retry */
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT"]);

/** An upstream call that threw (no status): its kind for the failover decision. */
export function attemptResultOfError(err: unknown, totalTimedOut: boolean, streamStarted = false): AttemptResult {
  if (totalTimedOut) return { kind: "timeout", phase: "total" };
  const code = (err as { code?: string } | null)?.code;
  if (code === "UND_ERR_CONNECT_TIMEOUT") return { kind: "timeout", phase: "connect" };
  if (code === "UND_ERR_HEADERS_TIMEOUT") return { kind: "timeout", phase: "first_byte" };
  if (code === "UND_ERR_BODY_TIMEOUT") return { kind: "timeout", phase: streamStarted ? "total" : "first_byte" };
  if (code !== undefined && NOT_SENT.has(code)) return { kind: "error", code, requestSent: false };
  return { kind: "error", code: code ?? "error" };
}

/** An upstream error status as an attempt result; 401/403 count as the client's only when it brought its own key. */
export function attemptResultOfStatus(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  now: number,
  clientCredentials: boolean,
): AttemptResult {
  const result: AttemptResult = { kind: "http", status };
  const retryAfterMs = retryAfterFromHeaders(headers, now);
  if (retryAfterMs !== undefined) result.retryAfterMs = retryAfterMs;
  if ((status === 401 || status === 403) && !clientCredentials) result.clientFault = false;
  return result;
}

function textOfContent(content: unknown, out: string[]): void {
  if (typeof content === "string") out.push(content);
  else if (Array.isArray(content)) {
    for (const part of content) {
      const text = (part as { text?: unknown } | null)?.text;
      if (typeof text === "string") out.push(text);
    }
  }
}

/** The prompt as text for routing rules and the semantic balancer (OpenAI-shaped bodies). */
export function promptTextOf(body: Record<string, unknown>): string {
  const out: string[] = [];
  if (Array.isArray(body.messages)) for (const m of body.messages) textOfContent((m as { content?: unknown })?.content, out);
  else if (body.prompt !== undefined) textOfContent(body.prompt, out);
  else if (body.input !== undefined) textOfContent(body.input, out);
  return out.join("\n");
}

function needsPrompt(route: RouteEntry): boolean {
  if (route.balancer.algorithm === "semantic") return true;
  for (const r of route.options.rules) if (r.when.promptMatches !== undefined) return true;
  return false;
}

/** The targets serving a requested model: its alias list, else the route's wildcard targets; null when none. */
export function targetsFor(route: RouteEntry, model: string): TargetEntry[] | null {
  return route.byModel.get(model) ?? (route.wildcard.length > 0 ? route.wildcard : null);
}

function groupsOf(ctx: RequestContext): string[] | undefined {
  const c = ctx.consumer;
  if (!c || c.groups.size === 0) return undefined;
  const out: string[] = [];
  for (const id of c.groups) {
    out.push(id);
    const name = ctx.snapshot.groupsById.get(id)?.name;
    if (name !== undefined) out.push(name);
  }
  return out;
}

function sleep(ms: number, ctx: RequestContext): Promise<boolean> {
  return new Promise((resolve) => {
    const ac = new AbortController();
    ctx.abort = ac;
    const done = (ok: boolean) => {
      clearTimeout(timer);
      ac.signal.removeEventListener("abort", onAbort);
      resolve(ok);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    ac.signal.addEventListener("abort", onAbort);
    if (ctx.aborted) done(false);
  });
}

export interface RunAttemptsOptions {
  /** the prompt text for rules / semantic routing (computed only when the route needs it) */
  promptText?: () => string;
}

/**
 * Runs the request's attempts over `list` and delivers the final answer. `attempt` performs one upstream call for
 * `step.target` and must not write to the client unless it is a stream that has begun (then it reports
 * `observed.streamStarted`). A GatewayError thrown by `attempt` before the call (provider unavailable, a request
 * the target cannot serve) counts as that attempt's outcome.
 */
export async function runAttempts(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  list: readonly TargetEntry[],
  attempt: (step: ReadyStep) => Promise<AttemptOutcome>,
  options: RunAttemptsOptions = {},
): Promise<FastifyReply | undefined> {
  const ctx = request.sluice;
  const route = ctx.route as RouteEntry;
  const balancing = app.gw.balancing;
  const sel: SelectionContext = {
    consumerId: ctx.consumer?.id,
    groupIds: groupsOf(ctx),
    headers: request.headers,
    query: request.query as Record<string, unknown> | undefined,
    body: ctx.body ?? undefined,
    metadata: ctx.consumer?.metadata,
    stream: ctx.stream,
    rng: Math.random,
    clock: balancing.clock,
  };
  if (options.promptText && needsPrompt(route)) sel.promptText = options.promptText();
  const { plan, label } = balancing.plan(route, list, sel, ctx.ts);
  ctx.attempts = plan.attempts;
  ctx.arm = label;

  const tracer = app.gw.observability.tracer;
  const lone = list.length === 1 && route.retry.attempts === 1;
  let last: AttemptOutcome | undefined;
  let step = await plan.next();
  for (; !step.done; step = await plan.next()) {
    if (step.delayMs > 0 && !(await sleep(step.delayMs, ctx))) {
      plan.report({ kind: "aborted" });
      throw new ClientGoneError();
    }
    if (ctx.aborted) {
      plan.report({ kind: "aborted" });
      throw new ClientGoneError();
    }
    if (!reply.sent && !reply.raw.headersSent) reply.header("x-sluice-attempts", String(step.attempt));
    let outcome: AttemptOutcome;
    if (tracer.enabled)
      startAttemptTrace(tracer, ctx, step.target, step.attempt, plan.attempts[step.attempt - 1]?.panic === true);
    try {
      outcome = await attempt(step);
    } catch (err) {
      if (tracer.enabled) endAttemptTrace(tracer, ctx, null, err);
      if (ctx.aborted || err instanceof ClientGoneError) {
        plan.report({ kind: "aborted" });
        throw err;
      }
      if (!(err instanceof GatewayError)) {
        plan.report({ kind: "error", code: "gateway_error", requestSent: false });
        throw err;
      }
      const result: AttemptResult =
        err.status < 500 ? { kind: "http", status: err.status } : { kind: "error", code: err.code, requestSent: false };
      outcome = {
        result,
        deliver: () => {
          throw err;
        },
      };
    }
    if (tracer.enabled) endAttemptTrace(tracer, ctx, outcome.result);
    if (outcome.result.kind === "aborted" || ctx.aborted) {
      plan.report({ kind: "aborted" }, outcome.observed);
      throw new ClientGoneError();
    }
    // a lone target without retries: the client gets the 429 and its retry-after; a shared cool-down would only
    // hold back the next requests
    if (outcome.result.kind === "http" && outcome.result.retryAfterMs !== undefined && lone) delete outcome.result.retryAfterMs;
    const decision = plan.report(outcome.result, outcome.observed);
    if (!decision.failover) return outcome.deliver();
    last = outcome;
  }
  if (step.retryAfterMs !== undefined && !reply.sent) reply.header("retry-after", String(Math.ceil(step.retryAfterMs / 1000)));
  if (last) return last.deliver();
  throw new GatewayError(
    "no_healthy_target",
    `No target of route "${route.name}" is available right now (circuit breakers open or cooling down); retry later.`,
    { internal: `route ${route.name}: plan ended ${step.reason} before any attempt` },
  );
}

export { NOOP as deliverNothing };

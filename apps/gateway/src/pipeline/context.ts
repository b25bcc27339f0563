// What the gateway knows about one request as it moves through the pipeline. Created in onRequest, filled by the
// routing/auth hook and the handler, read once by `settle` (usage event, metrics, log line). Declared up front on
// the request (`decorateRequest("sluice", null)`) and typed here.

import type { Prisma } from "@sluice/db";
import type { ErrorType } from "@sluice/db/schemas";
import type { AttemptRecord } from "../balancer/attempt-plan.ts";
import type { ConsumerEntry, KeyEntry, RouteEntry, Snapshot, TargetEntry } from "../config/snapshot.ts";
import { NOOP_SPAN, type TraceSpan } from "../observability/tracing.ts";
import type { Usage } from "../providers/types.ts";
import type { GovernanceState } from "./policies.ts";

export type GatewayEndpoint = "chat" | "completions" | "embeddings" | "models" | "native";

export interface RequestContext {
  id: string;
  /** monotonic ms at onRequest */
  start: number;
  /** wall-clock ms at onRequest */
  ts: number;
  snapshot: Snapshot;
  /** false for /health, /metrics, CORS preflight: no usage event */
  track: boolean;
  endpoint: GatewayEndpoint | null;
  route: RouteEntry | null;
  uriCaptures: Record<string, string> | undefined;
  key: KeyEntry | null;
  consumer: ConsumerEntry | null;
  target: TargetEntry | null;
  /** the model the client asked for */
  model: string | null;
  upstreamModel: string | null;
  stream: boolean;
  /** parsed request body (estimation only) */
  body: Record<string, unknown> | null;
  status: number;
  upstreamStatus: number | null;
  errorType: ErrorType | null;
  errorCode: string | null;
  aborted: boolean;
  usage: Usage | null;
  cost: Prisma.Decimal | null;
  currency: string;
  /** ms from start to the first body byte written (streams) */
  ttftMs: number | null;
  /** monotonic ms when the upstream call started / ended */
  upstreamStart: number | null;
  upstreamEnd: number | null;
  /** text produced so far (only kept for streams the adapter parses, to estimate when no usage comes) */
  completionText: string | null;
  /** content chunks forwarded on the fast lane (estimate when no usage comes) */
  chunks: number;
  abort: AbortController | null;
  /** every upstream attempt (balancer/attempt-plan.ts), the usage event's `attempts` column */
  attempts: AttemptRecord[] | null;
  /** the A/B arm or routing rule that chose the target set */
  arm: string | null;
  /** native routes: the request body exactly as received (forwarded unchanged) */
  rawBody: string | null;
  inFlight: boolean;
  closed: boolean;
  settled: boolean;
  /** policies, limits and cache of this request (pipeline/policies.ts); null when none apply */
  gov: GovernanceState | null;
  /** tracing (observability/tracing.ts): the request's span and the current attempt's; NOOP_SPAN when off */
  span: TraceSpan;
  attemptSpan: TraceSpan;
  /** routes with logPayloads: the answer for the log sinks' record (redacted there) */
  responsePayload: unknown;
}

export function createContext(id: string, start: number, ts: number, snapshot: Snapshot): RequestContext {
  return {
    id,
    start,
    ts,
    snapshot,
    track: true,
    endpoint: null,
    route: null,
    uriCaptures: undefined,
    key: null,
    consumer: null,
    target: null,
    model: null,
    upstreamModel: null,
    stream: false,
    body: null,
    status: 0,
    upstreamStatus: null,
    errorType: null,
    errorCode: null,
    aborted: false,
    usage: null,
    cost: null,
    currency: "USD",
    ttftMs: null,
    upstreamStart: null,
    upstreamEnd: null,
    completionText: null,
    chunks: 0,
    abort: null,
    attempts: null,
    arm: null,
    rawBody: null,
    inFlight: false,
    closed: false,
    settled: false,
    gov: null,
    span: NOOP_SPAN,
    attemptSpan: NOOP_SPAN,
    responsePayload: undefined,
  };
}

declare module "fastify" {
  interface FastifyRequest {
    sluice: RequestContext;
  }
  interface FastifyContextConfig {
    /** the route is part of the gateway API (route match, auth, usage) */
    gateway?: boolean;
  }
}

// The record every log sink receives: the usage event made JSON-ready (ts as an ISO string, decimals as strings,
// Prisma's null markers as null), the trace it belongs to, and, only for routes with `logPayloads` on, the request
// and response payloads after PII redaction (the PII policy's detectors; values become `<EMAIL_1>`-style
// placeholders, numbered per record so one value keeps one placeholder across request and response). A payload
// larger than `maxBytes` is replaced by `{ truncated: true, bytes }` before any scanning.

import type { UsageEventInput } from "@sluice/db";
import type { PayloadLogConfig, PiiKind } from "@sluice/db/schemas";
import { PII_KINDS } from "@sluice/db/schemas";
import { newRedactions, type Redactions, redactText } from "../policies/prompt/pii.ts";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface UsageLogRecord {
  type: "usage";
  id: string;
  requestId: string;
  ts: string;
  status: number;
  traceId?: string;
  spanId?: string;
  /** present only when the route logs payloads */
  request?: JsonValue;
  response?: JsonValue;
  [field: string]: JsonValue | undefined;
}

export interface UsageRecordInput {
  event: UsageEventInput;
  /** the route's `logPayloads`; without it payloads are never included, whatever is passed */
  logPayloads: boolean;
  /** the client's request body (parsed JSON) */
  request?: unknown;
  /** the response body (parsed JSON), or for streams the assembled answer text */
  response?: unknown;
  trace?: { traceId: string; spanId: string } | null;
}

export type UsageRecordBuilder = (input: UsageRecordInput) => UsageLogRecord;

const PRISMA_NULLS = new Set(["DbNull", "JsonNull", "AnyNull"]);
const MAX_DEPTH = 64;

/** Anything the usage event may hold, as plain JSON. */
export function toJsonValue(v: unknown, depth = 0): JsonValue | undefined {
  if (v === null) return null;
  switch (typeof v) {
    case "string":
    case "boolean":
      return v;
    case "number":
      return Number.isFinite(v) ? v : null;
    case "bigint":
      return v.toString();
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  if (depth >= MAX_DEPTH) return null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (Array.isArray(v)) return v.map((x) => toJsonValue(x, depth + 1) ?? null);
  const obj = v as { toJSON?: () => unknown };
  // Prisma.Decimal (decimal.js) serialises to its exact string
  if (typeof obj.toJSON === "function") return toJsonValue(obj.toJSON(), depth + 1);
  const proto = Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null;
  if (proto && proto !== Object.prototype && PRISMA_NULLS.has(proto.constructor?.name ?? "")) return null;
  const out: { [key: string]: JsonValue } = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const j = toJsonValue(x, depth + 1);
    if (j !== undefined) out[k] = j;
  }
  return out;
}

function redactDeep(v: JsonValue, kinds: ReadonlySet<PiiKind>, r: Redactions): JsonValue {
  if (typeof v === "string") return redactText(v, kinds, r);
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map((x) => redactDeep(x, kinds, r));
  const out: { [key: string]: JsonValue } = {};
  for (const [k, x] of Object.entries(v)) out[k] = redactDeep(x, kinds, r);
  return out;
}

function preparePayload(v: unknown, kinds: ReadonlySet<PiiKind>, maxBytes: number, r: Redactions): JsonValue {
  const json = toJsonValue(v) ?? null;
  const bytes = Buffer.byteLength(JSON.stringify(json));
  if (bytes > maxBytes) return { truncated: true, bytes };
  return redactDeep(json, kinds, r);
}

const DEFAULT_PAYLOADS: PayloadLogConfig = { redact: [...PII_KINDS], maxBytes: 64 * 1024 };

/** A builder bound to the payload policy (redacted kinds, size cap), compiled once per config. */
export function createUsageRecordBuilder(config: PayloadLogConfig = DEFAULT_PAYLOADS): UsageRecordBuilder {
  const kinds: ReadonlySet<PiiKind> = new Set(config.redact);
  const maxBytes = config.maxBytes;
  return ({ event, logPayloads, request, response, trace }) => {
    const fields = toJsonValue(event) as { [key: string]: JsonValue };
    const record: UsageLogRecord = {
      ...fields,
      type: "usage",
      id: String(fields.id ?? ""),
      requestId: String(fields.requestId ?? ""),
      ts: typeof fields.ts === "string" ? fields.ts : new Date().toISOString(),
      status: typeof fields.status === "number" ? fields.status : 0,
    };
    if (trace) {
      record.traceId = trace.traceId;
      record.spanId = trace.spanId;
    }
    if (logPayloads) {
      const r = newRedactions();
      if (request !== undefined) record.request = preparePayload(request, kinds, maxBytes, r);
      if (response !== undefined) record.response = preparePayload(response, kinds, maxBytes, r);
    }
    return record;
  };
}

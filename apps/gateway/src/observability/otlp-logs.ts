// OTLP/HTTP JSON logs (opentelemetry-proto `ExportLogsServiceRequest`, JSON mapping): one resourceLogs with the
// gateway's resource, one scopeLogs, a logRecord per usage record. Fields the GenAI and HTTP conventions name are
// mapped to them (providerKind -> gen_ai.system, promptTokens -> gen_ai.usage.input_tokens, status ->
// http.response.status_code ...); every other field becomes `sluice.<snake_case>`. Payloads, when present, are the
// record's body (a kvlist with `request` / `response`). traceId / spanId are hex, as OTLP/JSON requires.

import { GEN_AI, genAiSystemOf } from "./genai.ts";
import type { JsonValue, UsageLogRecord } from "./record.ts";

export type OtlpAnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: number }
  | { doubleValue: number }
  | { arrayValue: { values: OtlpAnyValue[] } }
  | { kvlistValue: { values: OtlpKeyValue[] } };

export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

export interface OtlpLogRecord {
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityNumber: number;
  severityText: string;
  eventName: string;
  body?: OtlpAnyValue;
  attributes: OtlpKeyValue[];
  traceId?: string;
  spanId?: string;
  flags?: number;
}

export interface OtlpLogsRequest {
  resourceLogs: Array<{
    resource: { attributes: OtlpKeyValue[] };
    scopeLogs: Array<{ scope: { name: string; version?: string }; logRecords: OtlpLogRecord[] }>;
  }>;
}

export const OTLP_SCOPE = { name: "sluice-gateway", version: "0.0.0" } as const;
export const OTLP_EVENT_NAME = "sluice.usage";

export function otlpAnyValue(v: JsonValue): OtlpAnyValue | null {
  if (v === null) return null;
  switch (typeof v) {
    case "string":
      return { stringValue: v };
    case "boolean":
      return { boolValue: v };
    case "number":
      return Number.isInteger(v) ? { intValue: v } : { doubleValue: v };
  }
  if (Array.isArray(v)) {
    return { arrayValue: { values: v.map((x) => otlpAnyValue(x) ?? { stringValue: "" }) } };
  }
  return { kvlistValue: { values: otlpAttributes(v) } };
}

/** Key/values for a flat map, nulls left out. */
export function otlpAttributes(map: Readonly<Record<string, JsonValue | undefined>>): OtlpKeyValue[] {
  const out: OtlpKeyValue[] = [];
  for (const [key, v] of Object.entries(map)) {
    if (v === undefined) continue;
    const value = otlpAnyValue(v);
    if (value) out.push({ key, value });
  }
  return out;
}

const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  model: GEN_AI.requestModel,
  upstreamModel: GEN_AI.responseModel,
  promptTokens: GEN_AI.inputTokens,
  completionTokens: GEN_AI.outputTokens,
  status: "http.response.status_code",
  errorType: "error.type",
};

/** Record fields that are not attributes: the envelope, the trace, the payloads. */
const NOT_ATTRIBUTES = new Set(["type", "ts", "traceId", "spanId", "request", "response"]);

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function severityOf(status: number): { severityNumber: number; severityText: string } {
  if (status === 0 || status >= 500) return { severityNumber: 17, severityText: "ERROR" };
  if (status >= 400) return { severityNumber: 13, severityText: "WARN" };
  return { severityNumber: 9, severityText: "INFO" };
}

function toUnixNano(iso: string): string {
  const ms = Date.parse(iso);
  return `${BigInt(Number.isNaN(ms) ? Date.now() : ms) * 1_000_000n}`;
}

export function otlpLogRecord(record: UsageLogRecord, observedMs: number = Date.now()): OtlpLogRecord {
  const attributes: OtlpKeyValue[] = [];
  for (const [field, v] of Object.entries(record)) {
    if (NOT_ATTRIBUTES.has(field) || v === undefined) continue;
    const value = otlpAnyValue(v);
    if (!value) continue;
    if (field === "providerKind" && typeof v === "string") {
      attributes.push({ key: GEN_AI.system, value: { stringValue: genAiSystemOf(v) } });
      attributes.push({ key: GEN_AI.providerName, value: { stringValue: genAiSystemOf(v) } });
    }
    attributes.push({ key: ATTRIBUTE_NAMES[field] ?? `sluice.${snake(field)}`, value });
  }
  const out: OtlpLogRecord = {
    timeUnixNano: toUnixNano(record.ts),
    observedTimeUnixNano: `${BigInt(Math.floor(observedMs)) * 1_000_000n}`,
    ...severityOf(record.status),
    eventName: OTLP_EVENT_NAME,
    attributes,
  };
  if (record.request !== undefined || record.response !== undefined) {
    const payloads: Record<string, JsonValue | undefined> = { request: record.request, response: record.response };
    out.body = { kvlistValue: { values: otlpAttributes(payloads) } };
  }
  if (record.traceId && record.spanId) {
    out.traceId = record.traceId;
    out.spanId = record.spanId;
  }
  return out;
}

export interface OtlpResource {
  serviceName: string;
  attributes?: Readonly<Record<string, string | number | boolean>>;
}

/** The `ExportLogsServiceRequest` body for a batch. */
export function encodeOtlpLogs(
  records: readonly UsageLogRecord[],
  resource: OtlpResource,
  observedMs: number = Date.now(),
): OtlpLogsRequest {
  return {
    resourceLogs: [
      {
        resource: { attributes: otlpAttributes({ "service.name": resource.serviceName, ...resource.attributes }) },
        scopeLogs: [{ scope: { ...OTLP_SCOPE }, logRecords: records.map((r) => otlpLogRecord(r, observedMs)) }],
      },
    ],
  };
}

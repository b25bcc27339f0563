// The observability config (log sinks, payload redaction, tracing) from the environment, read once at start:
//   SLUICE_OBSERVABILITY_FILE    a YAML or JSON file validated with ObservabilityConfigSchema (packages/db)
//   SLUICE_LOG_SINK_URL          adds one HTTP sink (JSON array batches, defaults of the schema)
//   OTEL_EXPORTER_OTLP_ENDPOINT  turns tracing on (OTLP/HTTP JSON to <endpoint>/v1/traces) unless the file sets it;
//                                OTEL_SERVICE_NAME and OTEL_EXPORTER_OTLP_HEADERS ("k=v,k2=v2") go with it
// Nothing set: null, and the pipeline does no observability work at all.

import { readFile } from "node:fs/promises";
import { type ObservabilityConfig, ObservabilityConfigSchema } from "@sluice/db/schemas";
import { parse as parseYaml } from "yaml";
import { type Env, EnvError } from "./env.ts";

function issues(err: { issues: Array<{ path: PropertyKey[]; message: string }> }): string {
  return err.issues.map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`).join("; ");
}

/** "k=v,k2=v2" (the OTEL_EXPORTER_OTLP_HEADERS format, values URL-encoded) */
export function parseOtlpHeaders(spec: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!spec) return out;
  for (const pair of spec.split(",")) {
    const i = pair.indexOf("=");
    if (i <= 0) continue;
    out[decodeURIComponent(pair.slice(0, i).trim())] = decodeURIComponent(pair.slice(i + 1).trim());
  }
  return out;
}

export async function loadObservabilityConfig(env: Env): Promise<ObservabilityConfig | null> {
  let raw: Record<string, unknown> = {};
  const file = env.SLUICE_OBSERVABILITY_FILE;
  if (file) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (err) {
      throw new EnvError(`SLUICE_OBSERVABILITY_FILE: cannot read ${file} (${(err as Error).message})`);
    }
    let parsed: unknown;
    try {
      parsed = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
    } catch (err) {
      throw new EnvError(
        `SLUICE_OBSERVABILITY_FILE: ${file} is not valid ${/\.json$/i.test(file) ? "JSON" : "YAML"} (${(err as Error).message})`,
      );
    }
    if (parsed !== null && parsed !== undefined && (typeof parsed !== "object" || Array.isArray(parsed))) {
      throw new EnvError(`SLUICE_OBSERVABILITY_FILE: ${file} must hold an object`);
    }
    raw = { ...((parsed as Record<string, unknown> | null) ?? {}) };
  }
  if (env.SLUICE_LOG_SINK_URL) {
    const sinks = Array.isArray(raw.logSinks) ? [...raw.logSinks] : [];
    sinks.push({ type: "http", url: env.SLUICE_LOG_SINK_URL });
    raw.logSinks = sinks;
  }
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT && raw.tracing === undefined) {
    const tracing: Record<string, unknown> = { url: env.OTEL_EXPORTER_OTLP_ENDPOINT };
    if (env.OTEL_SERVICE_NAME) tracing.serviceName = env.OTEL_SERVICE_NAME;
    if (env.OTEL_EXPORTER_OTLP_HEADERS) tracing.headers = parseOtlpHeaders(env.OTEL_EXPORTER_OTLP_HEADERS);
    raw.tracing = tracing;
  }
  if (!file && raw.logSinks === undefined && raw.tracing === undefined) return null;
  const result = ObservabilityConfigSchema.safeParse(raw);
  if (!result.success) {
    const source = file ? `SLUICE_OBSERVABILITY_FILE (${file})` : "observability environment";
    throw new EnvError(`invalid configuration: ${source}: ${issues(result.error)}`);
  }
  const c = result.data;
  return c.logSinks.length === 0 && !c.tracing?.enabled ? null : c;
}

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EnvError } from "../../src/config/env.ts";
import { loadObservabilityConfig, parseOtlpHeaders } from "../../src/config/observability.ts";
import { testEnv } from "../support/gateway.ts";

function file(name: string, text: string): string {
  const p = path.join(mkdtempSync(path.join(tmpdir(), "sluice-obs-cfg-")), name);
  writeFileSync(p, text);
  return p;
}

describe("observability config from the environment", () => {
  it("is null (everything off) when nothing is set", async () => {
    expect(await loadObservabilityConfig(testEnv())).toBeNull();
  });

  it("SLUICE_LOG_SINK_URL adds one HTTP sink; OTEL_EXPORTER_OTLP_ENDPOINT turns tracing on", async () => {
    const c = await loadObservabilityConfig(
      testEnv({
        SLUICE_LOG_SINK_URL: "https://logs.example/ingest",
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318",
        OTEL_SERVICE_NAME: "edge-gw",
        OTEL_EXPORTER_OTLP_HEADERS: "authorization=Bearer%20x,x-tenant=t1",
      }),
    );
    expect(c?.logSinks).toEqual([expect.objectContaining({ type: "http", url: "https://logs.example/ingest", format: "json" })]);
    expect(c?.tracing).toMatchObject({
      enabled: true,
      url: "http://collector:4318",
      serviceName: "edge-gw",
      headers: { authorization: "Bearer x", "x-tenant": "t1" },
    });
  });

  it("reads a YAML file validated with ObservabilityConfigSchema; the env sink is added to the file's", async () => {
    const p = file(
      "obs.yaml",
      "logSinks:\n  - { type: otlp, url: 'http://collector:4318' }\npayloads: { redact: [email], maxBytes: 1024 }\n",
    );
    const c = await loadObservabilityConfig(testEnv({ SLUICE_OBSERVABILITY_FILE: p, SLUICE_LOG_SINK_URL: "http://l/x" }));
    expect(c?.logSinks.map((s) => s.type)).toEqual(["otlp", "http"]);
    expect(c?.payloads).toEqual({ redact: ["email"], maxBytes: 1024 });
    expect(c?.tracing).toBeUndefined();
  });

  it("a bad file is one clear EnvError naming the variable and the field", async () => {
    const p = file("obs.json", JSON.stringify({ logSinks: [{ type: "http", url: "ftp://x" }] }));
    const err = await loadObservabilityConfig(testEnv({ SLUICE_OBSERVABILITY_FILE: p })).catch((e) => e);
    expect(err).toBeInstanceOf(EnvError);
    expect(err.message).toMatch(/SLUICE_OBSERVABILITY_FILE .*logSinks\.0\.url/);
    await expect(loadObservabilityConfig(testEnv({ SLUICE_OBSERVABILITY_FILE: "/nonexistent.yaml" }))).rejects.toThrow(
      /SLUICE_OBSERVABILITY_FILE: cannot read/,
    );
    expect(() => testEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
  });

  it("parses OTEL_EXPORTER_OTLP_HEADERS", () => {
    expect(parseOtlpHeaders("a=1, b = x%3Dy ,bad")).toEqual({ a: "1", b: "x=y" });
  });
});

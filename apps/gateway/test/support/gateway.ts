// Test helpers: a parsed test env, an in-memory usage sink, and a gateway app on an inline config whose one
// provider is a mock upstream.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { UsageEventInput } from "@sluice/db";
import type { FastifyInstance } from "fastify";
import { type AppDeps, buildApp } from "../../src/app.ts";
import { parseEnv } from "../../src/config/env.ts";
import type { RawConfigInput } from "../../src/config/snapshot.ts";
import type { UsageSink, UsageWriterStats } from "../../src/usage/writer.ts";

export const CONSUMER_KEY = "sk-sluice-testkey0000000000000000000000";
export const OTHER_KEY = "sk-sluice-otherkey000000000000000000000";
export const REVOKED_KEY = "sk-sluice-revoked0000000000000000000000";
export const EXPIRED_KEY = "sk-sluice-expired0000000000000000000000";
export const LIMITED_KEY = "sk-sluice-limited0000000000000000000000";

export function testEnv(extra: Record<string, string> = {}) {
  return parseEnv({
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    SLUICE_DATA_DIR: mkdtempSync(path.join(tmpdir(), "sluice-gw-")),
    SLUICE_NODE_ID: "node-test",
    ...extra,
  });
}

export class MemoryUsageSink implements UsageSink {
  events: UsageEventInput[] = [];
  push(e: UsageEventInput) {
    this.events.push(e);
  }
  async flush() {}
  async close() {}
  stats(): UsageWriterStats {
    return { buffered: 0, written: this.events.length, spilled: 0, drained: 0, databaseOk: true };
  }
  /** waits until n events arrived (settle runs after the response) */
  async waitFor(n: number, timeoutMs = 3000): Promise<UsageEventInput[]> {
    const t0 = Date.now();
    while (this.events.length < n) {
      if (Date.now() - t0 > timeoutMs) throw new Error(`expected ${n} usage events, got ${this.events.length}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    return this.events;
  }
}

import { sha256Hex } from "@sluice/db/crypto";

/** One openai provider at `upstreamUrl` (base URL incl. /v1), a chat/completions/embeddings route on /v1 and more. */
export function baseConfig(upstreamUrl: string, over: Partial<RawConfigInput> = {}): RawConfigInput {
  process.env.SLUICE_TEST_UPSTREAM_KEY = "sk-mock";
  return {
    version: "7",
    providers: [
      {
        id: "prov_mock",
        name: "mock-openai",
        kind: "openai",
        baseUrl: upstreamUrl,
        credentialsRef: { env: { apiKey: "SLUICE_TEST_UPSTREAM_KEY" } },
      },
      {
        id: "prov_byok",
        name: "byok-openai",
        kind: "openai",
        baseUrl: upstreamUrl,
        allowOverride: true,
      },
    ],
    groups: [
      { id: "grp_eng", name: "engineering" },
      { id: "grp_sales", name: "sales" },
    ],
    consumers: [
      { id: "cons_app", name: "app", teamId: "team_a", groupIds: ["grp_eng"] },
      { id: "cons_sales", name: "sales-app", groupIds: ["grp_sales"] },
    ],
    apiKeys: [
      { id: "key_app", consumerId: "cons_app", hash: sha256Hex(CONSUMER_KEY) },
      { id: "key_sales", consumerId: "cons_sales", hash: sha256Hex(OTHER_KEY) },
      { id: "key_revoked", consumerId: "cons_app", hash: sha256Hex(REVOKED_KEY), status: "REVOKED" },
      { id: "key_expired", consumerId: "cons_app", hash: sha256Hex(EXPIRED_KEY), expiresAt: "2020-01-01T00:00:00Z" },
      { id: "key_limited", consumerId: "cons_app", hash: sha256Hex(LIMITED_KEY), allowedModels: ["fast"] },
    ],
    routes: [
      {
        id: "rt_main",
        name: "main",
        paths: ["/v1"],
        type: "chat",
        targets: [
          { id: "tgt_fast", providerId: "prov_mock", model: "gpt-4o-mini", alias: "fast" },
          { id: "tgt_4o", providerId: "prov_mock", model: "gpt-4o" },
          {
            id: "tgt_tuned",
            providerId: "prov_mock",
            model: "gpt-4o-mini",
            alias: "tuned",
            options: { temperature: { value: 0.2, mode: "default" }, max_tokens: { value: 50, mode: "override" } },
          },
          { id: "tgt_hdr", providerId: "prov_mock", model: "$(headers.x-model)", alias: "by-header" },
        ],
      },
      {
        id: "rt_compl",
        name: "completions",
        paths: ["/v1"],
        type: "completions",
        targets: [{ id: "tgt_instruct", providerId: "prov_mock", model: "gpt-3.5-turbo-instruct" }],
      },
      {
        id: "rt_embed",
        name: "embeddings",
        paths: ["/v1"],
        type: "embeddings",
        targets: [{ id: "tgt_embed", providerId: "prov_mock", model: "text-embedding-3-small" }],
      },
      {
        id: "rt_eng",
        name: "eng-only",
        paths: ["/teams/eng/v1"],
        type: "chat",
        allowedGroupIds: ["grp_eng"],
        options: { keyHeader: "x-team-key", bodyLimit: 2048 },
        targets: [{ id: "tgt_eng", providerId: "prov_mock", model: "gpt-4o-mini" }],
      },
      {
        id: "rt_byok",
        name: "byok",
        paths: ["/byok/v1"],
        type: "chat",
        targets: [{ id: "tgt_byok", providerId: "prov_byok", model: "gpt-4o-mini" }],
      },
      {
        id: "rt_capture",
        name: "captures",
        paths: ["~/models/(?<model>[a-z0-9.-]+)/v1"],
        type: "chat",
        targets: [{ id: "tgt_capture", providerId: "prov_mock", model: "$(uri_captures.model)" }],
      },
    ],
    prices: [
      {
        providerKind: "openai",
        model: "gpt-4o-mini",
        inputPer1M: "0.15",
        outputPer1M: "0.6",
        cachedInputPer1M: "0.075",
        effectiveFrom: "2025-01-01T00:00:00Z",
      },
      { providerKind: "openai", model: "gpt-4o", inputPer1M: "2.5", outputPer1M: "10", effectiveFrom: "2025-01-01T00:00:00Z" },
    ],
    ...over,
  };
}

export async function buildTestApp(
  raw: RawConfigInput,
  deps: Partial<AppDeps> = {},
): Promise<{ app: FastifyInstance; usage: MemoryUsageSink }> {
  const usage = new MemoryUsageSink();
  const app = await buildApp({ env: testEnv(), config: { kind: "inline", raw }, usageSink: usage, logger: false, ...deps });
  await app.ready();
  return { app, usage };
}

export const auth = (key = CONSUMER_KEY) => ({ authorization: `Bearer ${key}` });

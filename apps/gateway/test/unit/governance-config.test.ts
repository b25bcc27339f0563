// Governance in the config snapshot: budgets, prompt templates and policies from DB-less YAML (names resolved to
// ids), the policy set and cache policies built per snapshot, invalid policy configs refused, custom modules by path.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cacheConfigFor } from "../../src/config/governance.ts";
import { buildSnapshot, SnapshotError } from "../../src/config/snapshot.ts";
import { parseConfigYaml } from "../../src/config/yaml.ts";
import { loadCustomPolicies } from "../../src/policies/index.ts";

const YAML = `
version: 3
providers:
  - { name: openai, kind: openai, baseUrl: "http://127.0.0.1:9/v1" }
routes:
  - name: default
    paths: [/v1]
    targets:
      - { provider: openai, model: gpt-4o }
      - { provider: openai, model: gpt-4o-mini, alias: fast }
consumers:
  - { name: web-app, team: team_web, keys: [{ hash: "${"a".repeat(64)}" }] }
policies:
  - { name: rpm, type: rate-limit, scope: GLOBAL, config: { metric: requests, limit: 600, windowMs: 60000 } }
  - { name: cache, type: cache, scope: ROUTE, routeId: rt_default, config: { ttlSeconds: 60 } }
  - { name: team cache, type: cache, scope: TEAM, teamId: team_web, config: { partition: team } }
  - name: no credentials
    type: prompt-guard
    scope: GLOBAL
    config: { deny: ["(?:pass(?:word)?|secret)\\\\s*[:=]"] }
  - { name: templates, type: prompt-template, scope: GLOBAL, config: {} }
budgets:
  - name: web monthly
    scope: CONSUMER
    consumerId: cons_web-app
    limit: "250.00"
    period: MONTH
    timezone: Europe/Berlin
    action: DOWNGRADE
    downgradeTargetId: tgt_default_1
templates:
  - name: support-reply
    versions:
      - version: 1
        body:
          messages:
            - { role: system, content: "You support {{product}}." }
`;

describe("governance config", () => {
  it("YAML budgets, templates and policies become the snapshot's governance", async () => {
    const s = await buildSnapshot(parseConfigYaml(YAML, {}), { ring: null, source: "file" });
    const g = s.governance;
    expect(g.budgets).toHaveLength(1);
    expect(g.budgets[0]?.config).toMatchObject({
      id: "bud_web-monthly",
      consumerId: "cons_web-app",
      action: "DOWNGRADE",
      downgradeTargetId: "tgt_default_1",
    });
    expect(g.budgets[0]?.units).toBe(250_000_000_000);
    const subject = { routeId: "rt_default", consumerId: "cons_web-app", keyId: null, teamId: "team_web", groupIds: [] };
    expect(g.policies.select(subject).map((b) => b.type)).toEqual(["rate-limit", "prompt-guard", "prompt-template"]);
    // the most specific cache policy wins
    expect(cacheConfigFor(g, subject)?.partition).toBe("team");
    expect(cacheConfigFor(g, { ...subject, teamId: null })).toMatchObject({ ttlSeconds: 60, partition: "consumer" });
    expect(s.warnings).toEqual([]);
  });

  it("an invalid policy config or budget rejects the snapshot", async () => {
    const bad = YAML.replace('deny: ["(?:pass', 'deny: ["(?:pass(');
    await expect(buildSnapshot(parseConfigYaml(bad, {}), { ring: null, source: "file" })).rejects.toThrow(SnapshotError);
    const badBudget = YAML.replace('limit: "250.00"', 'limit: "-1"');
    // the shared declarative schema checks budgets while parsing, before a snapshot is built
    expect(() => parseConfigYaml(badBudget, {})).toThrow(/budgets\.0\.limit/);
  });

  it("custom policy modules load by path and configure like built-ins", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "sluice-pol-"));
    const file = path.join(dir, "deny-all.mjs");
    writeFileSync(
      file,
      `export default { type: "deny-all", phase: "access", configSchema: { safeParse: (v) => ({ success: true, data: v }) },
        decide: () => ({ ok: false, status: 403, code: "closed", message: "closed" }) };`,
    );
    const { loaded, errors } = await loadCustomPolicies([file]);
    expect(errors).toEqual([]);
    const raw = parseConfigYaml(YAML, {});
    raw.policies = [{ id: "pol_c", name: "c", type: "custom", scope: "GLOBAL", config: { module: file } }];
    const s = await buildSnapshot(raw, { ring: null, source: "file", customPolicies: loaded });
    const [bound] = s.governance.policies.select({
      routeId: "rt_default",
      consumerId: null,
      keyId: null,
      teamId: null,
      groupIds: [],
    });
    expect(bound?.type).toBe("deny-all");
  });
});

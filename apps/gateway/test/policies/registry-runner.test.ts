import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { templateStore } from "../../src/policies/prompt/template.ts";
import { builtinPolicies, loadCustomPolicies, loadCustomPolicy, validatePolicyExport } from "../../src/policies/registry.ts";
import { buildPolicySet, type PolicyRow } from "../../src/policies/runner.ts";
import { chat, ctxFor } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "sluice-policies-"));
const zodUrl = import.meta.resolve("zod");
writeFileSync(
  join(dir, "weekday.mjs"),
  `import { z } from ${JSON.stringify(zodUrl)};
export default {
  type: "block-word",
  phase: "prompt",
  configSchema: z.object({ word: z.string() }),
  prepare: (c) => ({ re: new RegExp(c.word, "i") }),
  decide(ctx, p) {
    const last = ctx.request.messages.at(-1);
    return p.re.test(String(last.content)) ? { ok: false, status: 403, code: "blocked_word", message: "no" } : { ok: true, headers: { "x-checked": "1" } };
  },
  settle(ctx, outcome) { ctx.state.set("settled", outcome.status); },
};`,
);
writeFileSync(join(dir, "broken.mjs"), `export default { type: "Bad Name", phase: "later", decide: 1 };`);
writeFileSync(join(dir, "throws.mjs"), `throw new Error("boom at import");`);
writeFileSync(
  join(dir, "crash.mjs"),
  `export const policy = { type: "crash", phase: "access", configSchema: { safeParse: (v) => ({ success: true, data: v }) }, decide() { throw new Error("bug"); } };`,
);

const row = (over: Partial<PolicyRow> & Pick<PolicyRow, "id" | "type">): PolicyRow => ({
  name: over.id,
  scope: "GLOBAL",
  routeId: null,
  groupId: null,
  consumerId: null,
  apiKeyId: null,
  teamId: null,
  position: 0,
  enabled: true,
  config: {},
  ...over,
});

describe("custom policy loader", () => {
  it("loads a valid module and reports invalid ones without throwing", async () => {
    const ok = await loadCustomPolicy("weekday.mjs", dir);
    expect(ok.ok && ok.policy.type).toBe("block-word");
    const bad = await loadCustomPolicy("broken.mjs", dir);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatch(/type.*phase.*configSchema.*decide/s);
    expect((await loadCustomPolicy("throws.mjs", dir)).ok).toBe(false);
    expect((await loadCustomPolicy("missing.mjs", dir)).ok).toBe(false);
    expect(validatePolicyExport(null).ok).toBe(false);
    const all = await loadCustomPolicies(["weekday.mjs", "broken.mjs", "weekday.mjs"], dir);
    expect([...all.loaded.keys()]).toEqual(["weekday.mjs"]);
    expect(all.errors).toHaveLength(1);
  });
});

describe("PolicySet", () => {
  it("selects by scope, runs phases in position order, feeds rewrites forward", async () => {
    const { loaded } = await loadCustomPolicies(["weekday.mjs", "crash.mjs"], dir);
    const { set, warnings } = buildPolicySet(
      [
        row({ id: "g1", type: "custom", position: 5, config: { module: "weekday.mjs", options: { word: "forbidden" } } }),
        row({
          id: "d1",
          type: "prompt-decorator",
          scope: "ROUTE",
          routeId: "rt_1",
          position: 1,
          config: { append: [{ role: "user", content: "FORBIDDEN" }] },
        }),
        row({ id: "d2", type: "prompt-decorator", scope: "ROUTE", routeId: "rt_other", config: {} }),
        row({ id: "grp", type: "prompt-guard", scope: "GROUP", groupId: "grp_a", config: { deny: ["x"] } }),
        row({ id: "rl", type: "rate-limit", scope: "CONSUMER", consumerId: "con_1", config: { limit: 5, windowMs: 1000 } }),
        row({ id: "off", type: "prompt-guard", enabled: false }),
        row({ id: "bad", type: "prompt-guard", config: { deny: ["("] } }),
        row({ id: "unknown", type: "nope" }),
        row({ id: "cache", type: "cache" }),
        row({ id: "noid", type: "pii", scope: "TEAM" }),
      ],
      { builtins: builtinPolicies({ templates: templateStore([]) }), custom: loaded, handledElsewhere: new Set(["cache"]) },
    );
    expect(warnings).toHaveLength(3);
    const ctx = ctxFor(chat({ role: "user", content: "hello" }));
    const applicable = set.select({ ...ctx, groupIds: ["grp_a", "grp_a"] });
    expect(applicable.map((b) => b.id)).toEqual(["grp", "rl", "d1", "g1"]);
    expect(set.rateLimits(applicable)).toEqual([{ id: "rl", name: "rl", config: expect.objectContaining({ limit: 5 }) }]);
    // the decorator appends FORBIDDEN, so the custom policy (after it) denies
    const d = await set.runPhase("prompt", ctx, applicable);
    expect(d).toMatchObject({ ok: false, code: "blocked_word" });
    await set.settle(ctx, applicable, { status: 403, usage: null, costNano: null, aborted: false, error: null });
    expect(ctx.state.get("settled")).toBe(403);
  });

  it("merges allowed changes, and a throwing policy becomes a 500 denial", async () => {
    const { loaded } = await loadCustomPolicies(["weekday.mjs", "crash.mjs"], dir);
    const builtins = builtinPolicies({ templates: templateStore([]) });
    const { set } = buildPolicySet(
      [
        row({ id: "c", type: "custom", config: { module: "weekday.mjs", options: { word: "zzz" } } }),
        row({ id: "t", type: "transformer", config: { requestHeaders: { add: { "x-a": "1" } } } }),
        row({ id: "x", type: "custom", config: { module: "crash.mjs" } }),
      ],
      { builtins, custom: loaded },
    );
    const ctx = ctxFor(chat({ role: "user", content: "hi" }));
    const applicable = set.select(ctx);
    expect(await set.runPhase("prompt", ctx, applicable)).toEqual({
      ok: true,
      headers: { "x-checked": "1" },
      upstreamHeaders: { "x-a": "1" },
    });
    const crashed = await set.runPhase("access", ctx, applicable);
    expect(crashed).toMatchObject({ ok: false, status: 500, code: "policy_error" });
    expect(!crashed.ok && crashed.message).not.toContain("bug");
  });
});

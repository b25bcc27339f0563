import { RouteOptionsSchema } from "@sluice/db/schemas";
import { describe, expect, it } from "vitest";
import { RoutingTable } from "../../src/balancer/routing-rules.ts";
import { ctxWith, tally, target } from "./helpers.ts";

const targets = [target("large"), target("small"), target("coder"), target("stable"), target("canary")];

const options = RouteOptionsSchema.parse({
  rules: [
    { name: "premium", when: { group: "grp_premium" }, targets: ["large"] },
    { name: "fast-tier", when: { header: { name: "X-Model-Tier", equals: "fast" } }, targets: ["small"] },
    { name: "beta-header", when: { header: { name: "x-beta", matches: "^on|yes$" } }, targets: ["canary"] },
    { name: "debug-query", when: { query: { name: "debug" } }, targets: ["stable"] },
    { name: "enterprise", when: { metadata: { key: "plan", equals: "enterprise" } }, targets: ["large"] },
    { name: "code", when: { promptMatches: "\\b(function|class|def|stack trace)\\b" }, targets: ["coder"] },
    { name: "both", when: { group: "grp_eu", header: { name: "x-region", equals: "eu" } }, targets: ["stable", "small"] },
  ],
  split: {
    arms: [
      { name: "canary", weight: 10, targets: ["canary"] },
      { name: "control", weight: 90, targets: ["stable"] },
    ],
  },
});

describe("conditional routing rules", () => {
  const table = new RoutingTable(targets, options);

  it("first matching rule picks the subset (group, header equals / matches, query, metadata, prompt regex)", () => {
    const pick = (partial: Parameters<typeof ctxWith>[0]) => {
      const c = table.choose(ctxWith(partial));
      return [c.rule, c.targets.map((t) => t.id).join(",")];
    };
    expect(pick({ groupIds: ["grp_x", "grp_premium"], headers: { "x-model-tier": "fast" } })).toEqual(["premium", "large"]);
    expect(pick({ headers: { "x-model-tier": "fast" } })).toEqual(["fast-tier", "small"]);
    expect(pick({ headers: { "x-model-tier": ["slow", "fast"] } })).toEqual(["fast-tier", "small"]);
    expect(pick({ headers: { "x-beta": "yes" } })).toEqual(["beta-header", "canary"]);
    expect(pick({ query: { debug: "1" } })).toEqual(["debug-query", "stable"]);
    expect(pick({ metadata: { plan: "enterprise" } })).toEqual(["enterprise", "large"]);
    expect(pick({ promptText: "why does this function throw?" })).toEqual(["code", "coder"]);
    expect(pick({ groupIds: ["grp_eu"], headers: { "x-region": "eu" } })).toEqual(["both", "small,stable"]);
  });

  it("all conditions of a rule must hold", () => {
    expect(table.choose(ctxWith({ groupIds: ["grp_eu"] })).rule).toBeUndefined();
    expect(table.choose(ctxWith({ headers: { "x-model-tier": "slow" } })).rule).toBeUndefined();
  });

  it("returns the same precomputed choice object every time", () => {
    const a = table.choose(ctxWith({ groupIds: ["grp_premium"] }));
    const b = table.choose(ctxWith({ groupIds: ["grp_premium"] }));
    expect(a).toBe(b);
  });

  it("bounds the text a prompt regex sees", () => {
    const small = new RoutingTable(targets, { ...options, maxPromptChars: 10 });
    expect(small.choose(ctxWith({ promptText: `${"x".repeat(20)} function` })).rule).not.toBe("code");
  });

  it("reports unknown targets and skips rules left empty", () => {
    const t = new RoutingTable(targets, {
      rules: [{ name: "ghost", when: {}, targets: ["nope"] }],
    });
    expect(t.problems).toEqual(["rule ghost: unknown target nope", "rule ghost: no target left, rule skipped"]);
    expect(t.choose(ctxWith()).targets).toBe(targets);
  });
});

describe("weighted splits (A/B, canary)", () => {
  it("without a matching rule, picks arms by weight and names the arm", () => {
    const table = new RoutingTable(targets, options);
    const ctx = ctxWith({}, 77);
    const arms: string[] = [];
    for (let i = 0; i < 5_000; i++) {
      const c = table.choose(ctx);
      arms.push(c.arm ?? "none");
      expect(c.label).toBe(c.arm);
    }
    const counts = tally(arms);
    expect(counts.canary! / 5_000).toBeGreaterThan(0.08);
    expect(counts.canary! / 5_000).toBeLessThan(0.12);
    expect(counts.canary! + counts.control!).toBe(5_000);
  });

  it("is sticky per consumer when configured, and still splits the population by weight", () => {
    const sticky = RouteOptionsSchema.parse({ ...options, rules: [], split: { ...options.split, stickyOn: { consumer: true } } });
    const table = new RoutingTable(targets, { ...sticky, salt: "rt_1" });
    const arms: string[] = [];
    for (let c = 0; c < 5_000; c++) {
      const first = table.choose(ctxWith({ consumerId: `cons_${c}` }, c)).arm;
      expect(table.choose(ctxWith({ consumerId: `cons_${c}` }, c + 1)).arm).toBe(first);
      arms.push(first ?? "none");
    }
    const share = tally(arms).canary! / 5_000;
    expect(share).toBeGreaterThan(0.08);
    expect(share).toBeLessThan(0.12);
  });

  it("validates split arms in the shared schema", () => {
    expect(RouteOptionsSchema.safeParse({ split: { arms: [{ name: "a", weight: 0, targets: ["x"] }] } }).success).toBe(false);
    expect(
      RouteOptionsSchema.safeParse({
        split: {
          arms: [
            { name: "a", weight: 1, targets: ["x"] },
            { name: "a", weight: 1, targets: ["y"] },
          ],
        },
      }).success,
    ).toBe(false);
  });
});

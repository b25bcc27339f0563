// Conditional routing before balancing, then weighted splits. Rules (RouteOptions.rules) are tried in order; the
// first whose every condition holds picks its target subset. Without a match, the route's split (A/B test, canary)
// picks an arm by weight, sticky on the consumer or a header when configured; without a split, all targets. The
// rule or arm name comes back so the usage event can record it. Everything is compiled once per config snapshot:
// choosing allocates nothing but the returned (precomputed) choice.

import type { RouteOptions } from "@sluice/db/schemas";
import { hash32 } from "./random.ts";
import type { BalancerTarget, SelectionContext } from "./types.ts";

export type RoutingRule = RouteOptions["rules"][number];
export type RouteSplit = NonNullable<RouteOptions["split"]>;

export interface RoutingChoice<T extends BalancerTarget> {
  /** the target subset to balance over (same array object every time for the same rule / arm) */
  readonly targets: readonly T[];
  /** the rule that matched */
  readonly rule?: string;
  /** the split arm chosen */
  readonly arm?: string;
  /** what the usage event's `arm` column records: the arm, else the rule, else undefined */
  readonly label?: string;
}

export interface RoutingTableOptions {
  rules?: readonly RoutingRule[];
  split?: RouteSplit;
  /** regular expressions only see this much of the prompt (default 32 KiB), bounding their cost */
  maxPromptChars?: number;
  /** mixed into sticky arm hashing so routes with the same split do not put the same consumers in the same arm */
  salt?: string;
}

interface CompiledRule<T extends BalancerTarget> {
  choice: RoutingChoice<T>;
  group?: string;
  header?: { name: string; equals?: string; re?: RegExp };
  query?: { name: string; equals?: string };
  metadata?: { key: string; equals: string };
  prompt?: RegExp;
}

function anyValue(v: unknown, test: (s: string) => boolean): boolean {
  if (typeof v === "string") return test(v);
  if (typeof v === "number" || typeof v === "boolean") return test(String(v));
  if (Array.isArray(v)) {
    for (const x of v) if (anyValue(x, test)) return true;
  }
  return false;
}

function subset<T extends BalancerTarget>(targets: readonly T[], ids: readonly string[]): T[] {
  const wanted = new Set(ids);
  return targets.filter((t) => wanted.has(t.id));
}

export class RoutingTable<T extends BalancerTarget> {
  /** configuration problems found while compiling (unknown target ids, empty subsets); report at snapshot load */
  readonly problems: string[] = [];
  readonly #rules: CompiledRule<T>[] = [];
  readonly #all: RoutingChoice<T>;
  readonly #arms: Array<{ choice: RoutingChoice<T>; upTo: number }> = [];
  readonly #armTotal: number;
  readonly #sticky: RouteSplit["stickyOn"];
  readonly #maxPromptChars: number;
  readonly #salt: string;

  constructor(targets: readonly T[], options: RoutingTableOptions = {}) {
    this.#all = { targets };
    this.#maxPromptChars = options.maxPromptChars ?? 32 * 1024;
    this.#salt = options.salt ?? "";
    const known = new Set(targets.map((t) => t.id));
    const check = (where: string, ids: readonly string[]) => {
      for (const id of ids) if (!known.has(id)) this.problems.push(`${where}: unknown target ${id}`);
    };
    for (const rule of options.rules ?? []) {
      check(`rule ${rule.name}`, rule.targets);
      const picked = subset(targets, rule.targets);
      if (picked.length === 0) {
        this.problems.push(`rule ${rule.name}: no target left, rule skipped`);
        continue;
      }
      const { when } = rule;
      const compiled: CompiledRule<T> = { choice: { targets: picked, rule: rule.name, label: rule.name } };
      if (when.group !== undefined) compiled.group = when.group;
      if (when.header !== undefined)
        compiled.header = {
          name: when.header.name.toLowerCase(),
          equals: when.header.equals,
          re: when.header.matches !== undefined ? new RegExp(when.header.matches) : undefined,
        };
      if (when.query !== undefined) compiled.query = { name: when.query.name, equals: when.query.equals };
      if (when.metadata !== undefined) compiled.metadata = { key: when.metadata.key, equals: when.metadata.equals };
      if (when.promptMatches !== undefined) compiled.prompt = new RegExp(when.promptMatches);
      this.#rules.push(compiled);
    }
    let total = 0;
    for (const arm of options.split?.arms ?? []) {
      check(`arm ${arm.name}`, arm.targets);
      const picked = subset(targets, arm.targets);
      if (picked.length === 0) {
        this.problems.push(`arm ${arm.name}: no target left, arm skipped`);
        continue;
      }
      if (arm.weight <= 0) continue;
      total += arm.weight;
      this.#arms.push({ choice: { targets: picked, arm: arm.name, label: arm.name }, upTo: total });
    }
    this.#armTotal = total;
    this.#sticky = options.split?.stickyOn;
  }

  #matches(r: CompiledRule<T>, ctx: SelectionContext): boolean {
    if (r.group !== undefined && !(ctx.groupIds?.includes(r.group) ?? false)) return false;
    if (r.header !== undefined) {
      const { equals, re } = r.header;
      const v = ctx.headers?.[r.header.name];
      if (v === undefined || !anyValue(v, (s) => (equals === undefined || s === equals) && (re === undefined || re.test(s))))
        return false;
    }
    if (r.query !== undefined) {
      const { equals } = r.query;
      const v = ctx.query?.[r.query.name];
      if (v === undefined || !anyValue(v, (s) => equals === undefined || s === equals)) return false;
    }
    if (r.metadata !== undefined) {
      const { equals } = r.metadata;
      if (!anyValue(ctx.metadata?.[r.metadata.key], (s) => s === equals)) return false;
    }
    if (r.prompt !== undefined) {
      const p = ctx.promptText ?? "";
      if (!r.prompt.test(p.length > this.#maxPromptChars ? p.slice(0, this.#maxPromptChars) : p)) return false;
    }
    return true;
  }

  #stickyKey(ctx: SelectionContext): string | undefined {
    const s = this.#sticky;
    if (s === undefined) return undefined;
    if ("consumer" in s) return ctx.consumerId || undefined;
    const v = ctx.headers?.[s.header.toLowerCase()];
    const first = typeof v === "string" ? v : v?.[0];
    return first || undefined;
  }

  choose(ctx: SelectionContext): RoutingChoice<T> {
    for (const r of this.#rules) if (this.#matches(r, ctx)) return r.choice;
    if (this.#arms.length === 0) return this.#all;
    const key = this.#stickyKey(ctx);
    const point = key !== undefined ? (hash32(this.#salt + key) / 4294967296) * this.#armTotal : ctx.rng() * this.#armTotal;
    for (const a of this.#arms) if (point < a.upTo) return a.choice;
    return (this.#arms[this.#arms.length - 1] as { choice: RoutingChoice<T> }).choice;
  }
}

// The governance part of a config snapshot, compiled once per snapshot: the policy set (built-in policies plus the
// operator's custom modules), compiled budgets, prompt templates, the cache policies by scope, and compiled prices
// for the limiter (money in integer nano-units). The request path only does map lookups on what is built here.

import { BudgetConfigSchema, type CacheConfig, CacheConfigSchema, PromptTemplateBodySchema } from "@sluice/db/schemas";
import { z } from "zod";
import {
  type AnyPolicy,
  buildPolicySet,
  builtinPolicies,
  type CompiledBudget,
  type CompiledPrice,
  compileBudget,
  compilePrice,
  compilePromptTemplate,
  type PolicyRow,
  type PolicySet,
  templateStore,
} from "../policies/index.ts";
import { findPrice } from "../usage/cost.ts";
import type { PriceEntry, RawPolicy, Snapshot, TargetEntry } from "./snapshot.ts";

export const RawBudgetSchema = BudgetConfigSchema;

export const RawPromptTemplateSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, "letters, digits, '_', '.' and '-' only"),
  version: z.number().int().positive().default(1),
  body: PromptTemplateBodySchema,
});

/** Who a request is, for scope selection (the PolicySet's subject). */
export interface GovernanceSubject {
  routeId: string;
  consumerId: string | null;
  keyId: string | null;
  teamId: string | null;
  groupIds: readonly string[];
}

interface ScopedCache {
  scope: RawPolicy["scope"];
  ref: string | null;
  position: number;
  config: CacheConfig;
}

/** A more specific scope wins; within one scope, the highest position. */
const SCOPE_RANK: Record<RawPolicy["scope"], number> = { GLOBAL: 0, ROUTE: 1, TEAM: 2, GROUP: 3, CONSUMER: 4, KEY: 5 };

export interface Governance {
  policies: PolicySet;
  budgets: CompiledBudget[];
  /** cache policies (type "cache"), served by the response cache rather than a Policy object */
  caches: ScopedCache[];
  /** true when nothing at all is configured: the pipeline skips governance entirely */
  empty: boolean;
  warnings: string[];
}

export interface GovernanceOptions {
  /** loaded custom policy modules, by module path and by policy type */
  customPolicies?: Map<string, AnyPolicy>;
}

const HANDLED_ELSEWHERE = new Set(["cache"]);

export function buildGovernance(
  raw: {
    policies: RawPolicy[];
    budgets: z.output<typeof RawBudgetSchema>[];
    promptTemplates: z.output<typeof RawPromptTemplateSchema>[];
  },
  options: GovernanceOptions = {},
): Governance {
  const templates = templateStore(raw.promptTemplates.map((t) => compilePromptTemplate(t.name, t.body)));
  const rows = raw.policies.filter((p) => p.enabled) as PolicyRow[];
  const { set, warnings } = buildPolicySet(rows, {
    builtins: builtinPolicies({ templates }),
    custom: options.customPolicies,
    handledElsewhere: HANDLED_ELSEWHERE,
  });
  const caches: ScopedCache[] = [];
  for (const p of raw.policies) {
    if (!p.enabled || p.type !== "cache") continue;
    const parsed = CacheConfigSchema.safeParse(p.config);
    if (!parsed.success) continue; // RawPolicySchema already refused invalid configs
    const ref =
      p.scope === "ROUTE"
        ? p.routeId
        : p.scope === "CONSUMER"
          ? p.consumerId
          : p.scope === "KEY"
            ? p.apiKeyId
            : p.scope === "TEAM"
              ? p.teamId
              : p.scope === "GROUP"
                ? p.groupId
                : null;
    caches.push({ scope: p.scope, ref, position: p.position, config: parsed.data });
  }
  const budgets = raw.budgets.filter((b) => b.enabled).map(compileBudget);
  return {
    policies: set,
    budgets,
    caches,
    empty: rows.length === 0 && budgets.length === 0,
    warnings,
  };
}

/** The cache policy that applies to a request (most specific scope, then highest position), or null. */
export function cacheConfigFor(g: Governance, s: GovernanceSubject): CacheConfig | null {
  let best: ScopedCache | null = null;
  for (const c of g.caches) {
    const applies =
      c.scope === "GLOBAL" ||
      (c.scope === "ROUTE" && c.ref === s.routeId) ||
      (c.scope === "CONSUMER" && c.ref === s.consumerId) ||
      (c.scope === "KEY" && c.ref === s.keyId) ||
      (c.scope === "TEAM" && c.ref !== null && c.ref === s.teamId) ||
      (c.scope === "GROUP" && c.ref !== null && s.groupIds.includes(c.ref));
    if (!applies) continue;
    if (!best || SCOPE_RANK[c.scope] > SCOPE_RANK[best.scope] || (c.scope === best.scope && c.position >= best.position)) {
      best = c;
    }
  }
  return best?.config ?? null;
}

const compiled = new WeakMap<PriceEntry, CompiledPrice>();

/** The limiter's price for a target and upstream model (null = unpriced), compiled once per price row. */
export function compiledPriceFor(snapshot: Snapshot, target: TargetEntry, model: string, at: number): CompiledPrice | null {
  const p = findPrice(snapshot, target.provider.kind, model, at);
  if (!p) return null;
  let c = compiled.get(p);
  if (!c) {
    c = compilePrice({ input: p.input, output: p.output, cached: p.cached, reasoning: p.reasoning, currency: p.currency });
    compiled.set(p, c);
  }
  return c;
}

/** A target by id: the route's own first, then any route's (a budget may downgrade to a target of another route). */
export function findTarget(snapshot: Snapshot, routeId: string, targetId: string): TargetEntry | null {
  const own = snapshot.routesById.get(routeId)?.targets.find((t) => t.id === targetId);
  if (own) return own;
  for (const r of snapshot.routesById.values()) {
    const t = r.targets.find((x) => x.id === targetId);
    if (t) return t;
  }
  return null;
}

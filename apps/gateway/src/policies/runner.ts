// A snapshot's policies, compiled once (config parsed by the policy's schema, then `prepare`d) and indexed by scope,
// so a request only does map lookups to find what applies and then runs the phases in `position` order.
//
// Pipeline use:
//   build (per snapshot):  const { set, warnings } = buildPolicySet(snapshot.policies, { builtins, custom })
//   per request:           const applicable = set.select(ctx)
//                          const d = await set.runPhase("prompt", ctx, applicable)   // d.request: rewritten request
//                          limits: reserveLimits({ rateLimits: set.rateLimits(applicable), budgets, ... })
//                          answer: set.applyResponse(ctx, applicable, response) / set.streamTransforms(ctx, applicable)
//                          end:    await set.settle(ctx, applicable, outcome)
// Policies stack: every applicable policy of a phase runs; the first denial wins; each allowed rewrite feeds the
// next policy.

import type { RateLimitConfig } from "@sluice/db/schemas";
import type { RateLimitEntry } from "./limits/plan.ts";
import type {
  Allow,
  AnyPolicy,
  Decision,
  PolicyContext,
  PolicyOutcome,
  PolicyPhase,
  ResponseChange,
  ResponseView,
  StreamTransform,
} from "./types.ts";
import { deny } from "./types.ts";

/** A stored policy row (the `policies` table / DB-less YAML entry). */
export interface PolicyRow {
  id: string;
  name: string;
  type: string;
  scope: "GLOBAL" | "ROUTE" | "GROUP" | "CONSUMER" | "KEY" | "TEAM";
  routeId: string | null;
  groupId: string | null;
  consumerId: string | null;
  apiKeyId: string | null;
  teamId: string | null;
  position: number;
  enabled: boolean;
  config: unknown;
}

export interface BoundPolicy {
  id: string;
  name: string;
  type: string;
  phase: PolicyPhase;
  position: number;
  policy: AnyPolicy;
  prepared: unknown;
}

export interface BuildPolicySetOptions {
  /** built-in policies by type (registry.ts builtinPolicies) */
  builtins: Map<string, AnyPolicy>;
  /** loaded custom modules by module path (registry.ts loadCustomPolicies) */
  custom?: Map<string, AnyPolicy>;
  /** types handled elsewhere (the cache plugin): skipped without a warning */
  handledElsewhere?: ReadonlySet<string>;
}

export interface PolicySubject {
  consumerId: string | null;
  keyId: string | null;
  teamId: string | null;
  groupIds: readonly string[];
  routeId: string;
}

export class PolicySet {
  private readonly global: BoundPolicy[] = [];
  private readonly byScope = new Map<string, BoundPolicy[]>();

  constructor(bound: BoundPolicy[], scopes: Array<{ key: string | null }>) {
    bound.forEach((b, i) => {
      const key = scopes[i]?.key ?? null;
      if (key === null) this.global.push(b);
      else {
        const list = this.byScope.get(key);
        if (list) list.push(b);
        else this.byScope.set(key, [b]);
      }
    });
  }

  /** Policies that apply to the subject, ordered by position (stable). */
  select(s: PolicySubject): BoundPolicy[] {
    const out = [...this.global];
    const add = (key: string) => {
      const l = this.byScope.get(key);
      if (l) for (const b of l) out.push(b);
    };
    add(`ROUTE:${s.routeId}`);
    for (const g of s.groupIds) add(`GROUP:${g}`);
    if (s.consumerId) add(`CONSUMER:${s.consumerId}`);
    if (s.keyId) add(`KEY:${s.keyId}`);
    if (s.teamId) add(`TEAM:${s.teamId}`);
    // a policy attached to two of the subject's groups runs once
    const seen = new Set<string>();
    return out.filter((b) => !seen.has(b.id) && seen.add(b.id)).sort((a, b) => a.position - b.position);
  }

  /**
   * Runs every applicable policy of `phase` in order. Returns the first denial, or one Allow that merges all changes
   * (the last request rewrite, header edits in order, the first downgrade target). Never throws: a policy that
   * throws becomes a 500 `policy_error` denial.
   */
  async runPhase(phase: PolicyPhase, ctx: PolicyContext, applicable: readonly BoundPolicy[]): Promise<Decision> {
    const merged: Allow = { ok: true };
    for (const b of applicable) {
      if (b.phase !== phase) continue;
      let d: Decision;
      try {
        d = await b.policy.decide(ctx, b.prepared);
      } catch (err) {
        return deny(500, "policy_error", "A gateway policy failed.", {
          internal: `policy ${b.name} (${b.id}, ${b.type}) threw: ${err instanceof Error ? err.message : String(err)}`,
        });
      }
      if (!d.ok) return d;
      if (d.request && ctx.readOnly) {
        return deny(
          400,
          "policy_not_supported",
          `Policy "${b.name}" (${b.type}) rewrites the prompt, which this route (a native passthrough route) does not support.`,
          { internal: `policy ${b.name} (${b.id}) returned a rewritten request on a read-only request` },
        );
      }
      if (d.request) {
        ctx.request = d.request;
        merged.request = d.request;
      }
      if (d.upstreamHeaders) merged.upstreamHeaders = { ...merged.upstreamHeaders, ...d.upstreamHeaders };
      if (d.headers) merged.headers = { ...merged.headers, ...d.headers };
      if (d.downgradeTargetId && !merged.downgradeTargetId) merged.downgradeTargetId = d.downgradeTargetId;
    }
    return merged;
  }

  /** The applicable rate-limit policies, for reserveLimits. */
  rateLimits(applicable: readonly BoundPolicy[]): RateLimitEntry[] {
    const out: RateLimitEntry[] = [];
    for (const b of applicable)
      if (b.type === "rate-limit") out.push({ id: b.id, name: b.name, config: b.prepared as RateLimitConfig });
    return out;
  }

  /** Chains every `onResponse` hook over a complete answer. Hook failures leave the answer unchanged. */
  applyResponse(ctx: PolicyContext, applicable: readonly BoundPolicy[], response: ResponseView): ResponseView {
    let cur = response;
    for (const b of applicable) {
      if (!b.policy.onResponse) continue;
      let change: ResponseChange | null;
      try {
        change = b.policy.onResponse(ctx, b.prepared, cur);
      } catch {
        continue;
      }
      if (!change) continue;
      let headers = cur.headers;
      if (change.headers) {
        headers = { ...headers };
        for (const [k, v] of Object.entries(change.headers)) {
          if (v === null) delete headers[k];
          else headers[k] = v;
        }
      }
      cur = { status: cur.status, headers, body: change.body === undefined ? cur.body : change.body };
    }
    return cur;
  }

  /** Stream transforms of the applicable policies for this request (usually none). */
  streamTransforms(ctx: PolicyContext, applicable: readonly BoundPolicy[]): StreamTransform[] {
    const out: StreamTransform[] = [];
    for (const b of applicable) {
      const t = b.policy.createStreamTransform?.(ctx, b.prepared);
      if (t) out.push(t);
    }
    return out;
  }

  /** Calls every `settle` hook; errors are swallowed (reported through `onError`). */
  async settle(
    ctx: PolicyContext,
    applicable: readonly BoundPolicy[],
    outcome: PolicyOutcome,
    onError?: (policy: BoundPolicy, err: unknown) => void,
  ): Promise<void> {
    for (const b of applicable) {
      if (!b.policy.settle) continue;
      try {
        await b.policy.settle(ctx, outcome, b.prepared);
      } catch (err) {
        onError?.(b, err);
      }
    }
  }
}

function scopeKey(r: PolicyRow): string | null | undefined {
  switch (r.scope) {
    case "GLOBAL":
      return null;
    case "ROUTE":
      return r.routeId ? `ROUTE:${r.routeId}` : undefined;
    case "GROUP":
      return r.groupId ? `GROUP:${r.groupId}` : undefined;
    case "CONSUMER":
      return r.consumerId ? `CONSUMER:${r.consumerId}` : undefined;
    case "KEY":
      return r.apiKeyId ? `KEY:${r.apiKeyId}` : undefined;
    case "TEAM":
      return r.teamId ? `TEAM:${r.teamId}` : undefined;
  }
}

/** Compiles rows into a PolicySet. Rows that cannot be used are skipped and reported in `warnings`. */
export function buildPolicySet(
  rows: readonly PolicyRow[],
  options: BuildPolicySetOptions,
): { set: PolicySet; warnings: string[] } {
  const warnings: string[] = [];
  const bound: BoundPolicy[] = [];
  const scopes: Array<{ key: string | null }> = [];
  for (const r of rows) {
    if (!r.enabled) continue;
    if (options.handledElsewhere?.has(r.type)) continue;
    const key = scopeKey(r);
    if (key === undefined) {
      warnings.push(`policy ${r.name} (${r.id}): scope ${r.scope} without its id`);
      continue;
    }
    let policy: AnyPolicy | undefined;
    let rawConfig: unknown = r.config;
    if (r.type === "custom") {
      const cfg = r.config as { module?: unknown; options?: unknown } | null;
      const mod = typeof cfg?.module === "string" ? cfg.module : "";
      policy = options.custom?.get(mod);
      rawConfig = cfg?.options ?? {};
      if (!policy) {
        warnings.push(`policy ${r.name} (${r.id}): custom module "${mod}" is not loaded`);
        continue;
      }
    } else {
      policy = options.builtins.get(r.type);
      if (!policy) {
        warnings.push(`policy ${r.name} (${r.id}): unknown type "${r.type}"`);
        continue;
      }
    }
    const parsed = policy.configSchema.safeParse(rawConfig);
    if (!parsed.success) {
      warnings.push(`policy ${r.name} (${r.id}): invalid config: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
      continue;
    }
    let prepared: unknown;
    try {
      prepared = policy.prepare ? policy.prepare(parsed.data) : parsed.data;
    } catch (err) {
      warnings.push(`policy ${r.name} (${r.id}): prepare failed: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    bound.push({ id: r.id, name: r.name, type: policy.type, phase: policy.phase, position: r.position, policy, prepared });
    scopes.push({ key });
  }
  return { set: new PolicySet(bound, scopes), warnings };
}

/** A per-request context with a fresh state map (the pipeline fills the rest from its request context). */
export function createPolicyContext(fields: Omit<PolicyContext, "state" | "now"> & { now?: () => number }): PolicyContext {
  return { ...fields, now: fields.now ?? Date.now, state: new Map() };
}

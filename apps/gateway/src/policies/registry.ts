// Built-in policies by type, and the loader for operators' own policy modules.
//
// A custom policy is a JS/TS module whose default export (or export named `policy`) implements `Policy`:
//
//   // policies/block-weekends.mjs
//   import { z } from "zod";
//   export default {
//     type: "block-weekends",
//     phase: "access",
//     configSchema: z.object({ timeZone: z.string().default("UTC") }),
//     decide(ctx, config) {
//       const day = new Intl.DateTimeFormat("en-US", { weekday: "short", timeZone: config.timeZone }).format(ctx.now());
//       return day === "Sat" || day === "Sun"
//         ? { ok: false, status: 403, code: "closed_on_weekends", message: "Come back on Monday." }
//         : { ok: true };
//     },
//   };
//
// configured as a policy of type "custom" with config `{ "module": "./policies/block-weekends.mjs", "options": {...} }`
// (`options` is validated by the module's configSchema). Modules load once at startup (loadCustomPolicies); a
// module that does not export a valid policy is reported and its policies are skipped, like an invalid snapshot.

import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { rateLimitPolicy } from "./limits/rate-limit-policy.ts";
import { promptDecoratorPolicy } from "./prompt/decorator.ts";
import { promptGuardPolicy } from "./prompt/guard.ts";
import { piiPolicy } from "./prompt/pii.ts";
import { promptTemplatePolicy, type TemplateStore } from "./prompt/template.ts";
import { transformerPolicy } from "./transform/transformer.ts";
import { type AnyPolicy, POLICY_PHASES, type Policy } from "./types.ts";

export interface BuiltinDeps {
  /** prompt templates of the current snapshot */
  templates: TemplateStore;
}

/**
 * Built-in policies, keyed by `policies.type`. ("cache" is a stored policy type too, but it is served by the cache
 * plugin, not by a Policy object.)
 */
export function builtinPolicies(deps: BuiltinDeps): Map<string, AnyPolicy> {
  const list: AnyPolicy[] = [
    promptTemplatePolicy(deps.templates) as AnyPolicy,
    promptDecoratorPolicy as AnyPolicy,
    promptGuardPolicy as AnyPolicy,
    piiPolicy as AnyPolicy,
    transformerPolicy as AnyPolicy,
    rateLimitPolicy as AnyPolicy,
  ];
  return new Map(list.map((p) => [p.type, p]));
}

export type LoadResult = { ok: true; policy: AnyPolicy } | { ok: false; error: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object";
}

/** Checks that a module export implements the Policy interface (shape only: behaviour is the module's). */
export function validatePolicyExport(value: unknown): LoadResult {
  if (!isRecord(value)) return { ok: false, error: "the module exports no policy object (default export or `policy`)" };
  const problems: string[] = [];
  if (typeof value.type !== "string" || !/^[a-z][a-z0-9-]{0,62}$/.test(value.type))
    problems.push("`type` must be a kebab-case string");
  if (typeof value.phase !== "string" || !(POLICY_PHASES as readonly string[]).includes(value.phase)) {
    problems.push(`\`phase\` must be one of ${POLICY_PHASES.join(", ")}`);
  }
  const schema = value.configSchema;
  if (!isRecord(schema) || typeof schema.safeParse !== "function") problems.push("`configSchema` must be a zod schema");
  if (typeof value.decide !== "function") problems.push("`decide(ctx, config)` must be a function");
  for (const opt of ["prepare", "settle", "onResponse", "createStreamTransform"]) {
    if (value[opt] !== undefined && typeof value[opt] !== "function") problems.push(`\`${opt}\` must be a function when present`);
  }
  if (problems.length > 0) return { ok: false, error: problems.join("; ") };
  return { ok: true, policy: value as unknown as Policy<unknown, unknown> };
}

/** Imports one custom policy module (path relative to `baseDir`, default the working directory). Never throws. */
export async function loadCustomPolicy(path: string, baseDir: string = process.cwd()): Promise<LoadResult> {
  const abs = isAbsolute(path) ? path : resolve(baseDir, path);
  let mod: unknown;
  try {
    mod = await import(pathToFileURL(abs).href);
  } catch (err) {
    return { ok: false, error: `cannot load ${path}: ${err instanceof Error ? err.message : String(err)}` };
  }
  const m = isRecord(mod) ? mod : {};
  const r = validatePolicyExport(m.default ?? m.policy);
  if (!r.ok) return { ok: false, error: `${path}: ${r.error}` };
  return r;
}

/** Loads every distinct module named by `custom` policies; failures are collected, not thrown. */
export async function loadCustomPolicies(
  modules: Iterable<string>,
  baseDir?: string,
): Promise<{ loaded: Map<string, AnyPolicy>; errors: string[] }> {
  const loaded = new Map<string, AnyPolicy>();
  const errors: string[] = [];
  for (const path of new Set(modules)) {
    const r = await loadCustomPolicy(path, baseDir);
    if (r.ok) loaded.set(path, r.policy);
    else errors.push(r.error);
  }
  return { loaded, errors };
}

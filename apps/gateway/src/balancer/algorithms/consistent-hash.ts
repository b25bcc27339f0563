// Consistent hashing on a ring of virtual nodes. Each target owns round(vnodes * weight / 100) points whose
// positions depend only on its own id, so adding or removing a target moves only the keys that land on (or leave)
// that target's points: about 1/(N+1) of keys when one target joins N. The ring is built once per target array;
// a lookup is a binary search plus a short clockwise walk past excluded targets.

import type { RouteBalancer } from "@sluice/db/schemas";
import { hash32 } from "../random.ts";
import type { TargetStatsTable } from "../stats.ts";
import type { BalancerTarget, HeaderValue, SelectionContext } from "../types.ts";
import { BaseBalancer, memoByArray } from "./base.ts";
import { SmoothWeightedRoundRobin } from "./weighted-round-robin.ts";

export const DEFAULT_VNODES = 160;

export type HashOn = NonNullable<RouteBalancer["hashOn"]>;

export interface HashRing {
  /** sorted point positions */
  readonly points: Uint32Array;
  /** index into the target array of each point's owner */
  readonly owners: Uint32Array;
}

export function buildHashRing(targets: readonly BalancerTarget[], vnodes = DEFAULT_VNODES): HashRing {
  const entries: Array<{ point: number; owner: number; id: string }> = [];
  targets.forEach((t, owner) => {
    if (t.weight <= 0) return;
    const count = Math.max(1, Math.round((vnodes * t.weight) / 100));
    for (let i = 0; i < count; i++) entries.push({ point: hash32(`${t.id}#${i}`), owner, id: t.id });
  });
  // ties (rare) are broken by id so every node builds the same ring
  entries.sort((a, b) => a.point - b.point || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const points = new Uint32Array(entries.length);
  const owners = new Uint32Array(entries.length);
  entries.forEach((e, i) => {
    points[i] = e.point;
    owners[i] = e.owner;
  });
  return { points, owners };
}

/** Index of the owner of `key` on the ring, walking clockwise past owners `skip` refuses; -1 when none. */
export function lookupRing(ring: HashRing, key: string, skip?: (ownerIndex: number) => boolean): number {
  const n = ring.points.length;
  if (n === 0) return -1;
  const h = hash32(key);
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ring.points[mid] as number) < h) lo = mid + 1;
    else hi = mid;
  }
  for (let step = 0; step < n; step++) {
    const owner = ring.owners[(lo + step) % n] as number;
    if (skip === undefined || !skip(owner)) return owner;
  }
  return -1;
}

function firstValue(v: HeaderValue | unknown): string | undefined {
  if (typeof v === "string") return v.length > 0 ? v : undefined;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return firstValue(v[0]);
  return undefined;
}

/** `a.b.c` path into a JSON value */
export function readBodyField(body: unknown, path: string): unknown {
  let cur = body;
  let start = 0;
  while (start <= path.length) {
    let end = path.indexOf(".", start);
    if (end === -1) end = path.length;
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[path.slice(start, end)];
    start = end + 1;
  }
  return cur;
}

/** The value consistent hashing keys on, or undefined when the request does not carry it. */
export function extractHashKey(hashOn: HashOn | undefined, ctx: SelectionContext): string | undefined {
  if (hashOn === undefined || "consumer" in hashOn) return ctx.consumerId || undefined;
  if ("header" in hashOn) return firstValue(ctx.headers?.[hashOn.header.toLowerCase()]);
  return firstValue(readBodyField(ctx.body, hashOn.bodyField));
}

export class ConsistentHashBalancer<T extends BalancerTarget> extends BaseBalancer<T> {
  readonly algorithm = "consistent-hash" as const;
  readonly #wrr = new SmoothWeightedRoundRobin();
  readonly #ring: (targets: readonly T[]) => HashRing;

  constructor(
    readonly hashOn: HashOn | undefined,
    vnodes: number = DEFAULT_VNODES,
    stats?: TargetStatsTable,
  ) {
    super(stats);
    this.#ring = memoByArray((targets) => buildHashRing(targets, vnodes));
  }

  /** Without a key (header absent, anonymous consumer) the request is balanced by weighted round-robin. */
  async select(targets: readonly T[], ctx: SelectionContext, exclude: ReadonlySet<string>): Promise<T | undefined> {
    const key = extractHashKey(this.hashOn, ctx);
    if (key === undefined) return this.#wrr.pick(targets, exclude);
    const owner =
      exclude.size === 0
        ? lookupRing(this.#ring(targets), key)
        : lookupRing(this.#ring(targets), key, (i) => exclude.has((targets[i] as T).id));
    return owner === -1 ? undefined : targets[owner];
  }
}

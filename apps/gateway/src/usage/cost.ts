// Cost from the price table, in exact decimals (decimal.js through Prisma.Decimal; never binary floating point).
// Price lookup: provider kind + upstream model; an exact model name wins, else the longest price model that is a
// prefix of it at a separator ("gpt-4o-mini" prices "gpt-4o-mini-2024-07-18"); among those rows, the newest whose
// effectiveFrom is not after the request time.

import { Prisma } from "@sluice/db";
import type { PriceEntry, Snapshot } from "../config/snapshot.ts";

type Decimal = Prisma.Decimal;
const Decimal = Prisma.Decimal;
const MILLION = new Decimal(1_000_000);
export const ZERO = new Decimal(0);

export interface TokenCounts {
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
}

const resolved = new WeakMap<Snapshot, Map<string, PriceEntry[] | null>>();

function pricesForModel(snapshot: Snapshot, kind: string, model: string): PriceEntry[] | null {
  let cache = resolved.get(snapshot);
  if (!cache) {
    cache = new Map();
    resolved.set(snapshot, cache);
  }
  const key = `${kind}\u0000${model}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const byModel = snapshot.prices.get(kind);
  let found: PriceEntry[] | null = byModel?.get(model) ?? null;
  if (!found && byModel) {
    let best = "";
    for (const [name, list] of byModel) {
      if (name.length > best.length && model.startsWith(name) && /[-@:._/]/.test(model.charAt(name.length))) {
        best = name;
        found = list;
      }
    }
  }
  if (cache.size > 10_000) cache.clear();
  cache.set(key, found);
  return found;
}

export function findPrice(snapshot: Snapshot, kind: string, model: string, at: number): PriceEntry | null {
  const list = pricesForModel(snapshot, kind, model);
  if (!list) return null;
  for (const p of list) if (p.effectiveFrom <= at) return p;
  return null;
}

/**
 * prompt tokens include cached ones (OpenAI's convention) and completion tokens include reasoning ones; cached and
 * reasoning tokens are billed at their own price when the table has one, else as plain input / output.
 */
export function computeCost(price: PriceEntry, t: TokenCounts): Decimal {
  const cached = Math.min(t.cachedTokens, t.promptTokens);
  const reasoning = Math.min(t.reasoningTokens, t.completionTokens);
  let micro = price.input.mul(t.promptTokens - (price.cached ? cached : 0));
  if (price.cached && cached > 0) micro = micro.add(price.cached.mul(cached));
  micro = micro.add(price.output.mul(t.completionTokens - (price.reasoning ? reasoning : 0)));
  if (price.reasoning && reasoning > 0) micro = micro.add(price.reasoning.mul(reasoning));
  return micro.div(MILLION);
}

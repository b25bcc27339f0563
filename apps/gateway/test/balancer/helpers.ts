// Test helpers: a manual clock, a seeded selection context and target factories.

import { createSeededRng } from "../../src/balancer/random.ts";
import type { BalancerTarget, Clock, SelectionContext } from "../../src/balancer/types.ts";

export class ManualClock implements Clock {
  constructor(public t = 1_700_000_000_000) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface TestTarget extends BalancerTarget {
  model: string;
}

export function target(id: string, weight = 100, priority = 0, description?: string): TestTarget {
  return { id, providerId: `prov_${id}`, weight, priority, description, model: `model-${id}` };
}

export function ctxWith(partial: Partial<SelectionContext> = {}, seed = 42, clock: Clock = new ManualClock()): SelectionContext {
  return { rng: createSeededRng(seed), clock, ...partial };
}

export const NONE: ReadonlySet<string> = new Set();

export function tally(ids: Iterable<string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const id of ids) out[id] = (out[id] ?? 0) + 1;
  return out;
}

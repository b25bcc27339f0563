// Deterministic helpers: a seeded RNG for tests, the system clock, and a fast 32-bit string hash (FNV-1a with the
// murmur3 finaliser for avalanche) used by the hash ring and sticky A/B arms.

import type { Clock, Rng } from "./types.ts";

export const systemClock: Clock = { now: () => Date.now() };

export const systemRng: Rng = Math.random;

/** mulberry32: a small, fast, well-distributed seeded PRNG. Same seed, same sequence. */
export function createSeededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 32-bit unsigned hash of a string. Stable across processes and versions (nodes must agree on the ring). */
export function hash32(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

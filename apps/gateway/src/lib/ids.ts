// Request and usage ids: a type prefix + 20 base62 chars, like every Sluice id (packages/db/src/ids.ts), but drawn
// from a pooled random buffer so the hot path does one small copy instead of a crypto call per id.

import { randomFillSync } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const POOL_SIZE = 8192;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;

function nextByte(): number {
  if (offset >= POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  return pool[offset++] as number;
}

export function randomId(prefix: string, length = 20): string {
  let out = prefix;
  let n = 0;
  while (n < length) {
    const b = nextByte();
    if (b < 248) {
      out += ALPHABET[b % 62];
      n++;
    }
  }
  return out;
}

export const newRequestId = () => randomId("req_");
export const newUsageId = () => randomId("use_");

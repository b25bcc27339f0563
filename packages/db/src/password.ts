// Password hashing (server only): scrypt with a per-password salt, stored as "scrypt$N$r$p$salt$hash" (base64url),
// compared in constant time. Parameters are stored with each hash so they can be raised later.

import { randomBytes, scrypt as scryptCb, timingSafeEqual } from "node:crypto";

const N = 16384;
const R = 8;
const P = 1;
const KEYLEN = 32;

function scrypt(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password.normalize("NFKC"), salt, KEYLEN, { N: n, r, p, maxmem: 128 * n * r * 2 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, N, R, P);
  return `scrypt$${N}$${R}$${P}$${salt.toString("base64url")}$${key.toString("base64url")}`;
}

/** A hash of a random password: verify against it when a user is unknown so the answer takes as long as a real check. */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(18).toString("base64url"));
  return dummyHash;
}

function parseParam(text: string, max: number): number | null {
  if (!/^\d{1,10}$/.test(text)) return null;
  const n = Number(text);
  return n >= 1 && n <= max ? n : null;
}

/** True when `password` matches `stored`. A missing or malformed hash is a mismatch, never an exception. */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  if (!stored) return false;
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [, nText, rText, pText, salt, hash] = parts as [string, string, string, string, string, string];
  const n = parseParam(nText, 1 << 20);
  const r = parseParam(rText, 32);
  const p = parseParam(pText, 16);
  if (n === null || r === null || p === null || (n & (n - 1)) !== 0 || n < 2) return false;
  const expected = Buffer.from(hash, "base64url");
  if (expected.length !== KEYLEN) return false;
  let key: Buffer;
  try {
    key = await scrypt(password, Buffer.from(salt, "base64url"), n, r, p);
  } catch {
    return false;
  }
  return timingSafeEqual(key, expected);
}

// Secrets at rest (server only): AES-256-GCM envelopes under a versioned master key, and sha256 for consumer keys.
//
// Envelope text: "v<version>.<iv>.<tag>.<ciphertext>", each part base64url. The version names which master key
// encrypted it, so keys can rotate: SLUICE_MASTER_KEYS="2:<base64 32 bytes>,1:<old>" decrypts both, encrypts with 2.

import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { randomBase62 } from "./ids.ts";

export interface MasterKeyRing {
  /** version used to encrypt new secrets */
  current: number;
  keys: Map<number, Buffer>;
}

export class MasterKeyError extends Error {
  override name = "MasterKeyError";
}

function decodeKey(text: string): Buffer {
  const t = text.trim();
  const buf = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, "hex") : Buffer.from(t, "base64");
  if (buf.length !== 32) throw new MasterKeyError("master key must be 32 bytes (64 hex chars or base64)");
  return buf;
}

/**
 * Parse a key ring from "version:key,version:key" or a single key (version 1). The highest version encrypts.
 */
export function parseMasterKeys(spec: string): MasterKeyRing {
  const keys = new Map<number, Buffer>();
  for (const part of spec
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^(\d+):(.+)$/.exec(part);
    const version = m ? Number(m[1]) : 1;
    const key = decodeKey(m ? (m[2] as string) : part);
    if (keys.has(version)) throw new MasterKeyError(`master key version ${version} given twice`);
    keys.set(version, key);
  }
  if (keys.size === 0) throw new MasterKeyError("no master key given");
  return { current: Math.max(...keys.keys()), keys };
}

export function generateMasterKey(): string {
  return randomBytes(32).toString("base64");
}

const b64u = (b: Buffer) => b.toString("base64url");

export function encryptSecret(plaintext: string, ring: MasterKeyRing): { ciphertext: string; keyVersion: number } {
  const key = ring.keys.get(ring.current);
  if (!key) throw new MasterKeyError(`master key version ${ring.current} missing`);
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return { ciphertext: `v${ring.current}.${b64u(iv)}.${b64u(tag)}.${b64u(ct)}`, keyVersion: ring.current };
}

export function envelopeKeyVersion(envelope: string): number {
  const m = /^v(\d+)\./.exec(envelope);
  if (!m) throw new MasterKeyError("not a Sluice secret envelope");
  return Number(m[1]);
}

export function decryptSecret(envelope: string, ring: MasterKeyRing): string {
  const parts = envelope.split(".");
  if (parts.length !== 4) throw new MasterKeyError("not a Sluice secret envelope");
  const version = envelopeKeyVersion(envelope);
  const key = ring.keys.get(version);
  if (!key) throw new MasterKeyError(`secret was encrypted with master key version ${version}, which is not configured`);
  const [, iv, tag, ct] = parts as [string, string, string, string];
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  try {
    return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new MasterKeyError("secret could not be decrypted (wrong master key or tampered data)");
  }
}

/** Re-encrypt under the ring's current version (key rotation). Returns null when already current. */
export function reencryptSecret(envelope: string, ring: MasterKeyRing): { ciphertext: string; keyVersion: number } | null {
  if (envelopeKeyVersion(envelope) === ring.current) return null;
  return encryptSecret(decryptSecret(envelope, ring), ring);
}

// ─── consumer keys and admin tokens ───────────────────────────────────────────────────────────────────────────

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export interface GeneratedKey {
  /** shown once, never stored */
  plaintext: string;
  hash: string;
  /** display prefix */
  start: string;
}

/** "sk-sluice-" + 32 base62 chars (≈190 bits). Admin tokens use prefix "sat-sluice-". */
export function generateApiKey(prefix = "sk-sluice-"): GeneratedKey {
  const plaintext = `${prefix}${randomBase62(32)}`;
  return { plaintext, hash: sha256Hex(plaintext), start: plaintext.slice(0, prefix.length + 4) };
}

export function safeEqualHex(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && timingSafeEqual(x, y);
}

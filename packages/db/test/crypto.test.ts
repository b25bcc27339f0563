import { describe, expect, it } from "vitest";
import {
  decryptSecret,
  encryptSecret,
  envelopeKeyVersion,
  generateApiKey,
  generateMasterKey,
  MasterKeyError,
  parseMasterKeys,
  reencryptSecret,
  sha256Hex,
} from "../src/crypto.ts";

describe("provider secrets (AES-256-GCM, versioned master keys)", () => {
  const k1 = generateMasterKey();
  const k2 = generateMasterKey();

  it("round-trips and never contains the plaintext", () => {
    const ring = parseMasterKeys(k1);
    const { ciphertext, keyVersion } = encryptSecret('{"apiKey":"sk-live-123"}', ring);
    expect(keyVersion).toBe(1);
    expect(ciphertext).not.toContain("sk-live-123");
    expect(decryptSecret(ciphertext, ring)).toBe('{"apiKey":"sk-live-123"}');
  });

  it("uses a fresh IV each time", () => {
    const ring = parseMasterKeys(k1);
    expect(encryptSecret("x", ring).ciphertext).not.toBe(encryptSecret("x", ring).ciphertext);
  });

  it("rotates: old envelopes decrypt under a ring that keeps the old version; re-encryption moves them", () => {
    const old = parseMasterKeys(`1:${k1}`);
    const env1 = encryptSecret("secret", old).ciphertext;
    const ring = parseMasterKeys(`2:${k2},1:${k1}`);
    expect(ring.current).toBe(2);
    expect(decryptSecret(env1, ring)).toBe("secret");
    const moved = reencryptSecret(env1, ring);
    expect(moved?.keyVersion).toBe(2);
    expect(envelopeKeyVersion(moved!.ciphertext)).toBe(2);
    expect(reencryptSecret(moved!.ciphertext, ring)).toBeNull();
    expect(() => decryptSecret(moved!.ciphertext, old)).toThrow(/version 2/);
  });

  it("detects tampering and wrong keys", () => {
    const ring = parseMasterKeys(k1);
    const env = encryptSecret("secret", ring).ciphertext;
    const parts = env.split(".");
    parts[3] = Buffer.from("tampered!").toString("base64url");
    expect(() => decryptSecret(parts.join("."), ring)).toThrow(MasterKeyError);
    expect(() => decryptSecret(env, parseMasterKeys(k2))).toThrow(/could not be decrypted/);
  });

  it("refuses malformed master keys", () => {
    expect(() => parseMasterKeys("short")).toThrow(/32 bytes/);
    expect(() => parseMasterKeys("")).toThrow(/no master key/);
    expect(() => parseMasterKeys(`1:${k1},1:${k2}`)).toThrow(/twice/);
  });
});

describe("consumer keys", () => {
  it("are prefixed, random, and stored as sha256 with a display start", () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.plaintext).toMatch(/^sk-sluice-[0-9A-Za-z]{32}$/);
    expect(a.plaintext).not.toBe(b.plaintext);
    expect(a.hash).toBe(sha256Hex(a.plaintext));
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.start).toBe(a.plaintext.slice(0, 14));
  });
});

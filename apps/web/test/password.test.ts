import { hashPassword, verifyPassword } from "@sluice/db";
import { describe, expect, it } from "vitest";

describe("password hashing (scrypt)", () => {
  it("round-trips: the right password verifies, a wrong one does not", async () => {
    const hash = await hashPassword("correct horse battery staple");
    expect(await verifyPassword("correct horse battery staple", hash)).toBe(true);
    expect(await verifyPassword("correct horse battery stapler", hash)).toBe(false);
    expect(await verifyPassword("", hash)).toBe(false);
  });

  it('stores "scrypt$N$r$p$salt$hash" with the parameters and a fresh salt each time', async () => {
    const a = await hashPassword("same password");
    const b = await hashPassword("same password");
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword("same password", b)).toBe(true);
  });

  it("treats Unicode forms of the same password alike (NFKC)", async () => {
    const hash = await hashPassword("caf\u00e9");
    expect(await verifyPassword("cafe\u0301", hash)).toBe(true);
  });

  it("rejects missing, malformed and tampered hashes without throwing", async () => {
    const hash = await hashPassword("pw-123456");
    const parts = hash.split("$");
    const tampered = [...parts.slice(0, 5), Buffer.alloc(32, 1).toString("base64url")].join("$");
    for (const stored of [
      null,
      undefined,
      "",
      "plain-text-password",
      "bcrypt$10$abc",
      hash.replace("scrypt$", "argon2$"),
      hash.replace("$16384$", "$1000$"), // N not a power of two
      hash.replace("$16384$", "$abc$"),
      parts.slice(0, 5).join("$"),
      tampered,
    ]) {
      expect(await verifyPassword("pw-123456", stored)).toBe(false);
    }
  });
});

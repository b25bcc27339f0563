import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bumpConfigVersion, getConfigVersion, writeConfig } from "../src/config-version.ts";
import { newId } from "../src/ids.ts";
import { applyMigrations } from "../src/migrate/index.ts";
import { hashPassword, verifyPassword } from "../src/password.ts";
import { ensureFirstAdmin } from "../src/seed/admin.ts";
import { SEED_PRICES, seedPrices } from "../src/seed/index.ts";
import { createTestDatabase, MIGRATIONS_DIR, type TestDatabase } from "../src/testing.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t?.drop());

describe("migrations and seed against real PostgreSQL", () => {
  it("records migrations like prisma migrate deploy and is idempotent", async () => {
    const rows = await t.db.$queryRaw<Array<{ migration_name: string; finished_at: Date | null }>>`
      SELECT migration_name, finished_at FROM _prisma_migrations`;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.finished_at !== null)).toBe(true);
    expect(await applyMigrations(t.url, MIGRATIONS_DIR)).toEqual([]);
  });

  it("seeds a price for every provider kind and never duplicates", async () => {
    const kinds = (await t.db.price.groupBy({ by: ["providerKind"] })).map((k) => k.providerKind).sort();
    // every kind with public list prices; a generic openai-compatible server has none (admins add their own)
    expect(kinds).toEqual(
      [
        "anthropic",
        "azure",
        "bedrock",
        "cohere",
        "gemini",
        "huggingface",
        "llama",
        "mistral",
        "ollama",
        "openai",
        "vertex",
      ].sort(),
    );
    expect(await t.db.price.count()).toBe(SEED_PRICES.length);
    expect(await seedPrices(t.db)).toBe(0);
    const mini = await t.db.price.findFirstOrThrow({ where: { providerKind: "openai", model: "gpt-4o-mini" } });
    expect(mini.inputPer1M.toString()).toBe("0.15");
    expect(mini.cachedInputPer1M?.toString()).toBe("0.075");
  });

  it("bumps the config version in the same transaction as the write, with an audit entry", async () => {
    const before = await getConfigVersion(t.db);
    const { version } = await writeConfig(
      t.db,
      { actorType: "SYSTEM", action: "team.create", entityType: "team", after: { name: "Data" } },
      (tx) => tx.team.create({ data: { id: newId("team"), name: "Data", slug: "data" } }),
    );
    expect(version).toBe(before + 1n);
    expect(await t.db.auditLog.count({ where: { action: "team.create" } })).toBe(1);
    // a failing write rolls back the bump and the audit entry
    await expect(
      writeConfig(t.db, { actorType: "SYSTEM", action: "team.create", entityType: "team" }, (tx) =>
        tx.team.create({ data: { id: newId("team"), name: "Data", slug: "data-2" } }),
      ),
    ).rejects.toThrow();
    expect(await getConfigVersion(t.db)).toBe(version);
    expect(await t.db.auditLog.count({ where: { action: "team.create" } })).toBe(1);
    await t.db.$transaction((tx) => bumpConfigVersion(tx));
    expect(await getConfigVersion(t.db)).toBe(version + 1n);
  });

  it("creates the first admin once, with a hashed password, and omits the hash by default", async () => {
    const first = await ensureFirstAdmin(t.db, { email: "Root@Example.com" });
    expect(first.created).toBe(true);
    expect(first.generatedPassword).toMatch(/^[\w-]{16}$/);
    const again = await ensureFirstAdmin(t.db, { email: "other@example.com", password: "whatever-long" });
    expect(again).toEqual({ created: false, email: "root@example.com" });
    const user = await t.db.user.findUniqueOrThrow({ where: { email: "root@example.com" } });
    expect("passwordHash" in user).toBe(false);
    const withHash = await t.db.user.findUniqueOrThrow({ where: { email: "root@example.com" }, omit: { passwordHash: false } });
    expect(await verifyPassword(first.generatedPassword!, withHash.passwordHash)).toBe(true);
    expect(await verifyPassword("wrong", withHash.passwordHash)).toBe(false);
    expect(await hashPassword("x")).toMatch(/^scrypt\$16384\$8\$1\$/);
  });
});

import { encryptSecret, parseMasterKeys } from "@sluice/db/crypto";

export { createPrisma, newId, writeConfig } from "@sluice/db";
export { sha256Hex } from "@sluice/db/crypto";
export { migrateDatabase } from "../../../packages/db/src/migrate/index.ts";
export { ensureConfigState, seedPrices } from "../../../packages/db/src/seed/index.ts";
export { MIGRATIONS_DIR } from "../../../packages/db/src/testing.ts";

export function encryptSecretForBench(apiKey: string) {
  const ring = parseMasterKeys(process.env.SLUICE_MASTER_KEY ?? "");
  const { ciphertext, keyVersion } = encryptSecret(JSON.stringify({ apiKey }), ring);
  return { credentialsEncrypted: ciphertext, credentialsKeyVersion: keyVersion };
}

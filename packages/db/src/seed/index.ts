// Idempotent seeding run by the start command and test helpers: the public price table and the config_state row.

import type { Db } from "../client.ts";
import { newId } from "../ids.ts";
import { SEED_PRICES, SEED_PRICES_EFFECTIVE_FROM } from "./prices.ts";

export { SEED_PRICES, SEED_PRICES_EFFECTIVE_FROM };

/** Insert the seed prices that are missing; never overwrites an admin's edits. Returns how many were inserted. */
export async function seedPrices(db: Db): Promise<number> {
  const result = await db.price.createMany({
    data: SEED_PRICES.map((p) => ({
      id: newId("price"),
      providerKind: p.kind === "openai-compatible" ? "openai_compatible" : p.kind,
      model: p.model,
      inputPer1M: p.input,
      outputPer1M: p.output,
      cachedInputPer1M: p.cachedInput ?? null,
      reasoningPer1M: p.reasoning ?? null,
      contextWindow: p.contextWindow ?? null,
      effectiveFrom: SEED_PRICES_EFFECTIVE_FROM,
    })),
    skipDuplicates: true,
  });
  return result.count;
}

export async function ensureConfigState(db: Db): Promise<void> {
  await db.configState.upsert({ where: { id: 1 }, create: { id: 1, version: 1n }, update: {} });
}

// Seeds a database with the config the benchmark harness (../shared/bench) needs, pointed at its mock upstream:
// an OpenAI provider and an Anthropic provider at $MOCK_URL, one chat route at /v1 serving gpt-4o-mini (pass-through)
// and claude-3-5-sonnet-20241022 (translated), a native Anthropic route at /v1/messages, and one consumer key.
// Usage events, metrics and key auth stay on, as in production.
//
//   MOCK_URL=http://127.0.0.1:8900 DATABASE_URL=... tsx bench/seed.ts

import { createPrisma, encryptSecretForBench, newId } from "./seed-deps.ts";

export const BENCH_KEY = "sk-sluice-bench0000000000000000000000000";

async function main() {
  const mock = process.env.MOCK_URL;
  const url = process.env.DATABASE_URL;
  if (!mock || !url) throw new Error("MOCK_URL and DATABASE_URL are required");
  const { migrateDatabase, sha256Hex, writeConfig, ensureConfigState, seedPrices, MIGRATIONS_DIR } = await import("./seed-deps.ts");
  await migrateDatabase(url, MIGRATIONS_DIR);
  const db = createPrisma(url, { max: 2 });
  await ensureConfigState(db);
  await seedPrices(db);
  await writeConfig(db, { actorType: "SYSTEM", action: "bench.seed", entityType: "config" }, async (tx) => {
    await tx.policy.deleteMany({});
    await tx.target.deleteMany({});
    await tx.route.deleteMany({});
    await tx.provider.deleteMany({});
    await tx.apiKey.deleteMany({});
    await tx.consumer.deleteMany({});
    const openai = await tx.provider.create({
      data: { id: newId("provider"), name: "bench-openai", kind: "openai", baseUrl: `${mock}/v1`, ...encryptSecretForBench("sk-upstream-openai") },
    });
    const anthropic = await tx.provider.create({
      data: { id: newId("provider"), name: "bench-anthropic", kind: "anthropic", baseUrl: mock, ...encryptSecretForBench("sk-upstream-anthropic") },
    });
    await tx.route.create({
      data: {
        id: newId("route"),
        name: "bench-chat",
        paths: ["/v1"],
        type: "chat",
        targets: {
          create: [
            { id: newId("target"), providerId: openai.id, model: "gpt-4o-mini", position: 0 },
            { id: newId("target"), providerId: anthropic.id, model: "claude-3-5-sonnet-20241022", position: 1 },
          ],
        },
      },
    });
    await tx.route.create({
      data: {
        id: newId("route"),
        name: "bench-embeddings",
        paths: ["/v1"],
        type: "embeddings",
        targets: { create: [{ id: newId("target"), providerId: openai.id, model: "text-embedding-3-small" }] },
      },
    });
    await tx.route.create({
      data: {
        id: newId("route"),
        name: "bench-anthropic-native",
        paths: ["/anthropic"],
        type: "native",
        nativeFormat: "anthropic",
        targets: { create: [{ id: newId("target"), providerId: anthropic.id, model: "claude-3-5-sonnet-20241022" }] },
      },
    });
    const consumer = await tx.consumer.create({ data: { id: newId("consumer"), name: "bench" } });
    await tx.apiKey.create({
      data: { id: newId("key"), consumerId: consumer.id, name: "bench", hash: sha256Hex(BENCH_KEY), start: BENCH_KEY.slice(0, 14) },
    });
  });
  await db.$disconnect();
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(`bench seed: ${err.message}`);
    process.exit(1);
  },
);

// Seeds a database with the config the benchmark harness (../shared/bench) needs, pointed at its mock upstream:
// an OpenAI provider and an Anthropic provider at $MOCK_URL, one chat route at /v1 serving gpt-4o-mini (pass-through)
// and claude-3-5-sonnet-20241022 (translated), a native Anthropic route at /v1/messages, and one consumer key.
// Usage events, metrics and key auth stay on, as in production.
//
//   MOCK_URL=http://127.0.0.1:8900 DATABASE_URL=... tsx bench/seed.ts

import type { Prisma } from "@sluice/db";
import { createPrisma, encryptSecretForBench, newId } from "./seed-deps.ts";

export const BENCH_KEY = "sk-sluice-bench0000000000000000000000000";

async function main() {
  const mock = process.env.MOCK_URL;
  const url = process.env.DATABASE_URL;
  if (!mock || !url) throw new Error("MOCK_URL and DATABASE_URL are required");
  const { migrateDatabase, sha256Hex, writeConfig, ensureConfigState, seedPrices, MIGRATIONS_DIR } = await import(
    "./seed-deps.ts"
  );
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
      data: {
        id: newId("provider"),
        name: "bench-openai",
        kind: "openai",
        baseUrl: `${mock}/v1`,
        ...encryptSecretForBench("sk-upstream-openai"),
      },
    });
    const anthropic = await tx.provider.create({
      data: {
        id: newId("provider"),
        name: "bench-anthropic",
        kind: "anthropic",
        baseUrl: mock,
        ...encryptSecretForBench("sk-upstream-anthropic"),
      },
    });
    const chatRoute = await tx.route.create({
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
        paths: ["/"],
        type: "native",
        nativeFormat: "anthropic",
        targets: { create: [{ id: newId("target"), providerId: anthropic.id, model: "claude-3-5-sonnet-20241022" }] },
      },
    });
    const consumer = await tx.consumer.create({ data: { id: newId("consumer"), name: "bench" } });
    await tx.apiKey.create({
      data: {
        id: newId("key"),
        consumerId: consumer.id,
        name: "bench",
        hash: sha256Hex(BENCH_KEY),
        start: BENCH_KEY.slice(0, 14),
      },
    });
    await seedPolicies(tx, chatRoute.id, consumer.id);
  });
  await db.$disconnect();
}

/**
 * BENCH_POLICIES (comma list) adds governance to the chat route, sized never to refuse so the numbers measure the
 * cost of checking: "limits" = a request limit and a token limit per consumer plus a monthly money budget (one
 * atomic reservation + one settle per request: Redis when REDIS_URL is set, else in process); "cache" = an exact
 * response cache on the route (the harness repeats one prompt, so after the first request every answer is a hit;
 * add `cache-control: no-cache` to the harness headers to measure lookups that miss instead).
 */
async function seedPolicies(tx: Prisma.TransactionClient, routeId: string, consumerId: string) {
  const wanted = new Set(
    (process.env.BENCH_POLICIES ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );
  await tx.budget.deleteMany({});
  if (wanted.has("limits")) {
    await tx.policy.create({
      data: {
        id: newId("policy"),
        name: "bench requests",
        type: "rate-limit",
        scope: "CONSUMER",
        consumerId,
        config: { metric: "requests", limit: 1_000_000_000, windowMs: 60_000 },
      },
    });
    await tx.policy.create({
      data: {
        id: newId("policy"),
        name: "bench tokens",
        type: "rate-limit",
        scope: "CONSUMER",
        consumerId,
        position: 1,
        config: { metric: "tokens", limit: 1_000_000_000_000, windowMs: 60_000 },
      },
    });
    await tx.budget.create({
      data: {
        id: newId("budget"),
        name: "bench monthly",
        scope: "CONSUMER",
        consumerId,
        metric: "COST",
        limit: "1000000",
        period: "MONTH",
      },
    });
  }
  if (wanted.has("cache")) {
    await tx.policy.create({
      data: {
        id: newId("policy"),
        name: "bench cache",
        type: "cache",
        scope: "ROUTE",
        routeId,
        position: 2,
        config: { mode: "exact", ttlSeconds: 3600, partition: "consumer" },
      },
    });
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(`bench seed: ${err.message}`);
    process.exit(1);
  },
);

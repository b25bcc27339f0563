// sluice-gateway: env -> checks -> buildApp -> listen. `--config file.yaml` (or SLUICE_CONFIG_FILE) runs DB-less.
// Bad configuration is one clear line on stderr and exit code 1. SIGTERM/SIGINT: stop accepting, finish in-flight
// requests, flush usage, the log sinks and the span exporter (app.close() -> onClose in app.ts), exit. SIGHUP re-reads the YAML file in DB-less mode.

import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { buildApp, configSourceFromEnv, reloadConfigFile } from "./app.ts";
import { EnvError, parseEnv } from "./config/env.ts";
import { ConfigFileError } from "./config/yaml.ts";

function fail(message: string): never {
  process.stderr.write(`sluice-gateway: ${message}\n`);
  process.exit(1);
}

async function connectRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, connectTimeout: 3000, enableOfflineQueue: true });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new Error(`REDIS_URL: cannot reach Redis at ${new URL(url).host} (${(err as Error).message})`);
  }
  return redis;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { config: { type: "string", short: "c" }, help: { type: "boolean", short: "h" } },
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write("usage: sluice-gateway [--config sluice.yaml]\n(environment: see apps/gateway/README.md)\n");
    return;
  }
  let env: ReturnType<typeof parseEnv>;
  try {
    env = parseEnv({ ...process.env, ...(values.config ? { SLUICE_CONFIG_FILE: values.config } : {}) });
  } catch (err) {
    if (err instanceof EnvError) fail(err.message);
    throw err;
  }

  const redis = env.REDIS_URL ? await connectRedis(env.REDIS_URL).catch((err: Error) => fail(err.message)) : null;
  const config = configSourceFromEnv(env);
  const app = await buildApp({ env, config, redis });
  try {
    await app.ready();
  } catch (err) {
    if (err instanceof ConfigFileError) fail(err.message);
    fail((err as Error).message);
  }
  try {
    await app.listen({ port: env.GATEWAY_PORT, host: env.GATEWAY_HOST });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") fail(`GATEWAY_PORT: port ${env.GATEWAY_PORT} is already in use`);
    if (code === "EACCES") fail(`GATEWAY_PORT: no permission to listen on port ${env.GATEWAY_PORT}`);
    fail((err as Error).message);
  }
  if (!redis) app.log.info("no REDIS_URL: in-process stores only (single node)");

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, "shutting down: finishing in-flight requests, flushing usage, log sinks and traces");
    const force = setTimeout(() => {
      app.log.error("shutdown took too long; exiting");
      process.exit(1);
    }, 45_000);
    force.unref();
    app
      .close()
      .then(() => process.exit(0))
      .catch((err) => {
        app.log.error({ err }, "shutdown failed");
        process.exit(1);
      });
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  if (config.kind === "file") {
    process.on("SIGHUP", () => {
      void reloadConfigFile(app, config.file);
    });
  }
  process.on("unhandledRejection", (err) => app.log.error({ err }, "unhandled rejection"));
}

main().catch((err) => fail((err as Error).message));

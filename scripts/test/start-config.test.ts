// Bad configuration makes the start command exit non-zero with one clear line, never a stack trace.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

function start(env: Record<string, string>) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "sluice-start-"));
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !["DATABASE_URL", "REDIS_URL", "NODE_ENV", "SLUICE_MASTER_KEY", "NEXTAUTH_SECRET"].includes(k),
    ),
  );
  const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    cwd: root,
    env: { ...clean, SLUICE_DATA_DIR: dataDir, SLUICE_SKIP_BUILD: "1", WEB_PORT: "3971", GATEWAY_PORT: "3972", ...env },
    encoding: "utf8",
    timeout: 30_000,
  });
  const lines = `${r.stdout}${r.stderr}`.split("\n").filter((l) => l.trim() !== "");
  return { status: r.status, lines };
}

function expectOneLineError(r: ReturnType<typeof start>, pattern: RegExp) {
  expect(r.status).not.toBe(0);
  expect(r.status).not.toBeNull();
  const errors = r.lines.filter((l) => l.includes("error"));
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(pattern);
  expect(r.lines.join("\n")).not.toMatch(/\n\s+at /); // no stack trace
}

describe("start command: bad configuration", () => {
  let blocker: net.Server;
  let busyPort = 0;
  beforeAll(async () => {
    blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    busyPort = (blocker.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

  it("malformed DATABASE_URL", () => {
    expectOneLineError(start({ DATABASE_URL: "mysql//nope" }), /^\[sluice\] error: DATABASE_URL must look like postgresql:\/\//);
  });

  it("unreachable PostgreSQL", () => {
    expectOneLineError(
      start({ DATABASE_URL: "postgresql://postgres:pw@127.0.0.1:1/sluice" }),
      /cannot prepare the database at postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/sluice/,
    );
  });

  it("port in use", () => {
    expectOneLineError(start({ WEB_PORT: String(busyPort) }), new RegExp(`port ${busyPort} \\(WEB_PORT\\) is already in use`));
  });

  it("unreachable Redis", () => {
    expectOneLineError(start({ REDIS_URL: "redis://127.0.0.1:1" }), /Redis at redis:\/\/127\.0\.0\.1:1 is unreachable/);
  });

  it("missing master key in production", () => {
    expectOneLineError(
      start({ NODE_ENV: "production", NEXTAUTH_SECRET: "x".repeat(32) }),
      /production mode needs SLUICE_MASTER_KEY/,
    );
  });

  it("missing auth secret in production", () => {
    expectOneLineError(
      start({ NODE_ENV: "production", SLUICE_MASTER_KEY: Buffer.alloc(32, 7).toString("base64") }),
      /production mode needs NEXTAUTH_SECRET/,
    );
  });

  it("bad port number", () => {
    expectOneLineError(start({ GATEWAY_PORT: "99999" }), /GATEWAY_PORT must be between 1 and 65535/);
  });
});

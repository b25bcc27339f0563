// The config-as-code CLI against a stand-in Admin API (node:http): it sends the token, hits the right endpoints,
// prints the plan, and turns API errors into one message and a non-zero exit. The real endpoints are tested in
// apps/web/test/admin-api.int.test.ts and the round trip in packages/db/test/declarative.int.test.ts.

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../sluice.ts";

const seen: Array<{ method: string; url: string; auth: string | undefined; body: string }> = [];
let server: Server;
let url: string;
const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-cli-"));

const plan = {
  changes: [
    { kind: "route", action: "update", id: "rt_1", name: "chat", fields: ["targets"] },
    { kind: "group", action: "delete", id: "grp_x", name: "internal" },
  ],
  counts: { create: 0, update: 1, delete: 1, unchanged: 7 },
  kept: 0,
  version: "42",
};

beforeAll(async () => {
  server = createServer(async (req: IncomingMessage, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
    if (req.headers.authorization !== "Bearer sat-sluice-good") {
      res.writeHead(401, { "content-type": "application/json" });
      return res.end(
        JSON.stringify({
          error: { message: "Invalid, expired or revoked admin API token.", type: "authentication_error", code: "invalid_token" },
        }),
      );
    }
    if (req.url?.startsWith("/api/admin/v1/config/export")) {
      res.writeHead(200, { "content-type": "application/yaml" });
      return res.end("version: 1\nroutes: []\n");
    }
    if (body.includes("bad")) {
      res.writeHead(400, { "content-type": "application/json" });
      return res.end(
        JSON.stringify({
          error: {
            message: "routes.0.targets.0.provider: unknown provider",
            type: "invalid_request_error",
            code: "invalid_value",
            fields: { a: ["x"], b: ["y"] },
          },
        }),
      );
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(plan));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

let out: string[];
beforeEach(() => {
  seen.length = 0;
  out = [];
  vi.spyOn(console, "log").mockImplementation((...a) => void out.push(a.join(" ")));
  vi.spyOn(console, "error").mockImplementation((...a) => void out.push(a.join(" ")));
});

describe("pnpm sluice config", () => {
  it("exports to a file with the token", async () => {
    const file = path.join(dir, "out.yaml");
    expect(await main(["config", "export", "-o", file, "--url", url, "--token", "sat-sluice-good"])).toBe(0);
    expect(readFileSync(file, "utf8")).toBe("version: 1\nroutes: []\n");
    expect(seen[0]).toMatchObject({
      method: "GET",
      url: "/api/admin/v1/config/export?format=yaml",
      auth: "Bearer sat-sluice-good",
    });
  });

  it("diffs and applies a file, printing the plan", async () => {
    const file = path.join(dir, "in.yaml");
    writeFileSync(file, "routes: []\n");
    expect(await main(["config", "diff", file, "--url", url, "--token", "sat-sluice-good"])).toBe(0);
    expect(seen[0]).toMatchObject({ method: "POST", url: "/api/admin/v1/config/diff", body: "routes: []\n" });
    expect(out).toEqual([
      "~ route chat [rt_1] (targets)",
      "- group internal [grp_x]",
      "would apply: 0 to create, 1 to update, 1 to delete, 7 unchanged",
    ]);
    out.length = 0;
    expect(await main(["config", "apply", file, "--url", url, "--token", "sat-sluice-good"])).toBe(0);
    expect(seen[1]).toMatchObject({ method: "POST", url: "/api/admin/v1/config/apply" });
    expect(out.slice(-2)).toEqual(["applied: 0 to create, 1 to update, 1 to delete, 7 unchanged", "config version is now 42"]);
    await main(["config", "apply", file, "--dry-run", "--url", url, "--token", "sat-sluice-good"]);
    expect(seen[2]?.url).toBe("/api/admin/v1/config/diff");
  });

  it("reports API errors and bad usage with exit codes", async () => {
    const file = path.join(dir, "bad.yaml");
    writeFileSync(file, "bad: true\n");
    await expect(main(["config", "apply", file, "--url", url, "--token", "sat-sluice-good"])).rejects.toThrow(
      "400: routes.0.targets.0.provider: unknown provider\n  b: y",
    );
    await expect(main(["config", "export", "--url", url, "--token", "sat-sluice-nope"])).rejects.toThrow("401: Invalid, expired");
    await expect(main(["config", "apply", path.join(dir, "missing.yaml"), "--url", url, "--token", "t"])).rejects.toThrow(
      "cannot read",
    );
    await expect(main(["config", "export", "--url", url])).rejects.toMatchObject({ exitCode: 2 });
    expect(await main(["nothing"])).toBe(2);
  });
});

// Issue 7's admin journey, all through the browser: sign in, create a provider pointed at a mock upstream, create a
// route and a policy (an invalid regex is caught inline first), create a consumer and issue a key (shown once), call
// the gateway with the official `openai` SDK and get the mock's answer, edit the route and see the gateway follow
// within a second, and find every step in the audit log.

import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, type Page, test } from "@playwright/test";
import OpenAI from "openai";
import { e2eEnv, gatewayUrl, webUrl } from "../env.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** `pnpm sluice …` as a user runs it (node + tsx, from the repository root). */
function sluice(args: string[], token: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "scripts/sluice.ts", ...args, "--url", webUrl],
      { cwd: root, env: { ...process.env, SLUICE_ADMIN_TOKEN: token }, timeout: 30_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const run = Date.now().toString(36);
const PROVIDER = `mock-upstream-${run}`;
const ROUTE = `e2e-chat-${run}`;
const ROUTE_PATH = `/e2e-${run}/v1`;
const ALIAS = `e2e-model-${run}`;
const CONSUMER = `e2e-app-${run}`;
const POLICY = `e2e-guard-${run}`;
const GROUP = `e2e-group-${run}`;

let mock: http.Server;
let mockUrl = "";
const upstreamCalls: Array<{ model: string; authorization: string | undefined }> = [];

/** A tiny OpenAI-compatible upstream: the answer names the upstream model it was asked for. */
function startMockUpstream(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      if (req.method === "GET" && req.url?.endsWith("/models")) {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ object: "list", data: [] }));
        return;
      }
      if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "not found" } }));
        return;
      }
      const parsed = JSON.parse(body || "{}") as { model?: string };
      upstreamCalls.push({ model: parsed.model ?? "", authorization: req.headers.authorization });
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          id: `chatcmpl-${Date.now()}`,
          object: "chat.completion",
          created: Math.floor(Date.now() / 1000),
          model: parsed.model,
          choices: [{ index: 0, message: { role: "assistant", content: `answer from ${parsed.model}` }, finish_reason: "stop" }],
          usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 },
        }),
      );
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function signIn(page: Page) {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(e2eEnv.adminEmail);
  await page.getByLabel("Password").fill(e2eEnv.adminPassword);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/manager$/);
}

/** Full-page screenshots for reviewing the pages (e2e/test-results is not committed). */
async function shot(page: Page, name: string) {
  await page.screenshot({ path: path.join(root, "e2e/test-results/manager-screens", `${name}.png`), fullPage: true });
}

async function ask(client: OpenAI): Promise<string> {
  const answer = await client.chat.completions.create({ model: ALIAS, messages: [{ role: "user", content: "Hello" }] });
  return answer.choices[0]?.message.content ?? "";
}

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  mock = await startMockUpstream();
  mockUrl = `http://127.0.0.1:${(mock.address() as AddressInfo).port}/v1`;
});

test.afterAll(async () => {
  await new Promise<void>((resolve) => mock?.close(() => resolve()));
});

let plaintextKey = "";

test("every manager page and its create form renders for an admin", async ({ page }) => {
  await signIn(page);
  const pages: Array<[string, string]> = [
    ["/manager/providers?new=1", "Providers"],
    ["/manager/routes/new", "Create route"],
    ["/manager/policies?new=1", "Policies"],
    ["/manager/consumers?new=1", "Consumers"],
    ["/manager/groups?new=1", "Consumer groups"],
    ["/manager/teams?new=1", "Teams"],
    ["/manager/keys?new=1", "API keys"],
    ["/manager/templates?new=1", "Prompt templates"],
    ["/manager/prices?new=1", "Prices"],
    ["/manager/budgets?new=1", "Budgets"],
    ["/manager/nodes", "Gateway nodes"],
    ["/manager/cache", "Cache"],
    ["/manager/audit", "Audit log"],
    ["/manager/users?new=1", "Users"],
    ["/manager/admin-tokens?new=1", "Admin API tokens"],
  ];
  for (const [url, heading] of pages) {
    const res = await page.goto(url);
    expect(res?.status(), url).toBe(200);
    await expect(page.getByRole("heading", { level: 1, name: heading }), url).toBeVisible();
  }
  // the gateway this stack started has reported in
  await page.goto("/manager/nodes");
  await expect(page.getByTestId("nodes-list")).toContainText("up to date");
  await expect(page.getByText("Not available yet")).toHaveCount(0);
  // the cache page works: start handed the web app and the gateway the same admin token
  await page.goto("/manager/cache");
  await expect(page.getByTestId("cache-purge-form")).toBeVisible();
  await expect(page.getByText("gateway admin token is not configured")).toHaveCount(0);
});

test("an admin configures a provider, a route, a policy and a key in the browser", async ({ page }) => {
  await signIn(page);
  const nav = page.getByRole("navigation", { name: "Section" });
  await expect(nav.getByRole("link", { name: "Providers" })).toBeVisible();

  // provider, credential stored encrypted (write-only)
  await nav.getByRole("link", { name: "Providers" }).click();
  await page.getByRole("link", { name: "Add provider" }).click();
  await page.locator("#provider-name").fill(PROVIDER);
  await page.locator("#provider-kind").selectOption("openai-compatible");
  await page.locator("#provider-base-url").fill(mockUrl);
  await page.locator("#cred-apiKey").fill("sk-mock-upstream-secret");
  await page.getByRole("button", { name: "Create provider" }).click();
  await expect(page.getByText("Provider created.").first()).toBeVisible();
  const providerRow = page.getByTestId("providers-table").getByRole("row", { name: new RegExp(PROVIDER) });
  await expect(providerRow).toContainText("stored, encrypted");
  await expect(page.locator("body")).not.toContainText("sk-mock-upstream-secret");

  // a consumer group: the route is open to it only (other consumers of this instance do not see the route)
  await nav.getByRole("link", { name: "Groups" }).click();
  await page.getByRole("link", { name: "Add group" }).click();
  await page.locator("#f-name").fill(GROUP);
  await page.getByRole("button", { name: "Create group" }).click();
  await expect(page.getByTestId("groups-table")).toContainText(GROUP);

  // route with one target, allowed to the group
  await nav.getByRole("link", { name: "Routes" }).click();
  await page.getByRole("link", { name: "Create route" }).click();
  await page.locator("#route-name").fill(ROUTE);
  await page.locator("#route-paths").fill(ROUTE_PATH);
  await page.getByRole("button", { name: "Add target" }).click();
  const target = page.getByTestId("target-row").first();
  await target.getByLabel("Provider").selectOption({ label: `${PROVIDER} (openai-compatible)` });
  await target.getByLabel("Upstream model").fill("mock-model-a");
  await target.getByLabel("Alias").fill(ALIAS);
  await page.getByLabel(GROUP).check();
  await expect(page.getByTestId("route-preview")).toContainText('"algorithm": "round-robin"');
  await shot(page, "route-new");
  await expect(page.getByTestId("snippet-sdk")).toContainText(`${gatewayUrl}${ROUTE_PATH}`);
  await page.getByRole("button", { name: "Create route" }).click();
  await expect(page.getByText("Route created.").first()).toBeVisible();
  await expect(page).toHaveURL(/\/manager\/routes\/rt_/);

  // policy: an invalid regex is refused inline, before anything is sent
  await nav.getByRole("link", { name: "Policies" }).click();
  await page.getByRole("link", { name: "Add policy" }).click();
  await page.locator("#policy-name").fill(POLICY);
  await page.locator("#policy-type").selectOption("prompt-guard");
  await page.locator("#policy-config-deny").fill("(unclosed");
  await expect(page.getByTestId("schema-form")).toContainText("invalid regular expression");
  await page.getByRole("button", { name: "Create policy" }).click();
  await expect(page.getByText("Fix the highlighted fields.")).toBeVisible();
  await page.locator("#policy-config-deny").fill("forbidden\\s+topic");
  await expect(page.getByTestId("schema-form")).not.toContainText("invalid regular expression");
  await page.getByRole("button", { name: "Create policy" }).click();
  await expect(page.getByText("Policy created.").first()).toBeVisible();
  await expect(page.getByTestId("policies-table")).toContainText(POLICY);

  // consumer and its key, shown once
  await nav.getByRole("link", { name: "Consumers" }).click();
  await page.getByRole("link", { name: "Add consumer" }).click();
  await page.locator("#consumer-name").fill(CONSUMER);
  await page.getByLabel(GROUP).check();
  await page.getByRole("button", { name: "Create consumer" }).click();
  await expect(page.getByText("Consumer created.").first()).toBeVisible();
  await page
    .getByTestId("consumers-table")
    .getByRole("row", { name: new RegExp(CONSUMER) })
    .getByRole("link", { name: "Issue key" })
    .click();
  await expect(page.locator("#key-consumer")).toHaveValue(/^cons_/);
  await page.locator("#key-name").fill("e2e");
  await page.getByRole("button", { name: "Issue key" }).click();
  await expect(page.getByTestId("one-time-secret")).toBeVisible();
  plaintextKey = (await page.getByTestId("secret-value").textContent())?.trim() ?? "";
  expect(plaintextKey).toMatch(/^sk-sluice-[0-9A-Za-z]{32}$/);
  await page.reload();
  await expect(page.locator("body")).not.toContainText(plaintextKey);
  await expect(page.getByTestId("keys-table")).toContainText(plaintextKey.slice(0, 14));
  await page.goto("/manager/providers");
  await shot(page, "providers");
});

test("the gateway answers with the new key and follows a route edit within a second", async ({ page }) => {
  expect(plaintextKey, "the previous test issues the key").not.toBe("");
  const client = new OpenAI({ baseURL: `${gatewayUrl}${ROUTE_PATH}`, apiKey: plaintextKey, maxRetries: 0, timeout: 10_000 });

  // the gateway learns of new config at once (NOTIFY); allow a moment for the first load
  await expect
    .poll(() => ask(client).catch((e: Error) => `error: ${e.message}`), { timeout: 10_000 })
    .toBe("answer from mock-model-a");
  expect(upstreamCalls.at(-1)).toEqual({ model: "mock-model-a", authorization: "Bearer sk-mock-upstream-secret" });

  // edit the route's target in the browser
  await signIn(page);
  await page.goto("/manager/routes");
  await page.getByTestId("routes-table").getByRole("link", { name: ROUTE }).click();
  await page.getByTestId("target-row").first().getByLabel("Upstream model").fill("mock-model-b");
  await page.getByRole("button", { name: "Save route" }).click();
  await expect(page.getByText("Route saved.").first()).toBeVisible();
  const savedAt = Date.now();
  await expect
    .poll(() => ask(client).catch((e: Error) => `error: ${e.message}`), { timeout: 1_000, intervals: [50] })
    .toBe("answer from mock-model-b");
  expect(Date.now() - savedAt).toBeLessThan(1_000);
});

test("an admin tests the provider's connection and purges the cache from the manager", async ({ page }) => {
  await signIn(page);
  await page.goto("/manager/providers");
  const providerRow = page.getByTestId("providers-table").getByRole("row", { name: new RegExp(PROVIDER) });
  await providerRow.getByRole("button", { name: `Test connection to ${PROVIDER}` }).click();
  // the gateway ran GET /models on the mock with the stored credential; the answer never carries it
  await expect(providerRow.getByTestId("connection-test-result")).toContainText("✓ 200");
  await expect(page.locator("body")).not.toContainText("sk-mock-upstream-secret");

  await page.goto("/manager/cache");
  await expect(page.getByText("in-process (memory) cache is per node")).toBeVisible();
  await page.locator("#scope").selectOption("route");
  await page.locator("#routeId").selectOption({ label: ROUTE });
  await page.getByRole("button", { name: "Purge", exact: true }).click();
  await expect(page.getByText(/Purged \d+ cached answers? .*on http/)).toBeVisible();
  page.once("dialog", (d) => void d.accept());
  await page.locator("#scope").selectOption("all");
  await page.getByRole("button", { name: "Purge everything" }).click();
  await expect(page.getByText(/Purged \d+ cached answers?/)).toBeVisible();

  await page.goto("/manager/audit?action=cache.purge");
  await expect(page.getByTestId("audit-table").getByRole("row").filter({ hasText: "cache.purge" }).first()).toContainText(
    e2eEnv.adminEmail,
  );
  await page.goto("/manager/audit?action=provider.test_connection");
  await expect(
    page.getByTestId("audit-table").getByRole("row").filter({ hasText: "provider.test_connection" }).first(),
  ).toContainText(e2eEnv.adminEmail);
});

test("the audit log shows each step with the admin as actor", async ({ page }) => {
  await signIn(page);
  await page.goto("/manager/audit");
  const table = page.getByTestId("audit-table");
  for (const action of ["provider.create", "route.create", "policy.create", "consumer.create", "key.issue", "route.update"]) {
    await expect(table.getByRole("row").filter({ hasText: action }).first()).toContainText(e2eEnv.adminEmail);
  }
  // the route edit's diff names the changed model, and no secret is in the log
  await page.goto(`/manager/audit?action=route.update`);
  const row = page.getByTestId("audit-row").first();
  await row.locator("summary").click();
  await expect(row).toContainText("mock-model-b");
  await shot(page, "audit");
  await page.goto("/manager/audit?pageSize=200");
  await expect(page.locator("body")).not.toContainText("sk-mock-upstream-secret");
  await expect(page.locator("body")).not.toContainText(plaintextKey);
});

test("config as code: an admin API token from the browser drives `pnpm sluice config export|diff|apply`", async ({ page }) => {
  await signIn(page);
  await page.goto("/manager/admin-tokens?new=1");
  await page.locator("#token-name").fill(`cli-${run}`);
  await page.getByLabel("config:write").check();
  await page.getByRole("button", { name: "Create token" }).click();
  const token = ((await page.getByTestId("secret-value").textContent()) ?? "").trim();
  expect(token).toMatch(/^sat-sluice-/);

  const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-cli-e2e-"));
  const file = path.join(dir, "sluice.yaml");
  const exported = await sluice(["config", "export", "-o", file], token);
  expect(exported.code, exported.stderr).toBe(0);
  const yaml = readFileSync(file, "utf8");
  expect(yaml).toContain(`name: ${ROUTE}`);
  expect(yaml).toContain("SLUICE_CRED_MOCK_UPSTREAM_"); // the stored credential as an env reference
  expect(yaml).not.toContain("sk-mock-upstream-secret");
  expect(yaml).not.toContain(plaintextKey);

  const unchanged = await sluice(["config", "diff", file], token);
  expect(unchanged.stdout).toContain("no changes");

  writeFileSync(file, yaml.replace("model: mock-model-b", "model: mock-model-c"));
  const diff = await sluice(["config", "diff", file], token);
  expect(diff.stdout).toContain(`~ route ${ROUTE}`);
  const applied = await sluice(["config", "apply", file], token);
  expect(applied.code, applied.stderr).toBe(0);
  expect(applied.stdout).toMatch(/applied: 0 to create, 1 to update, 0 to delete/);

  const client = new OpenAI({ baseURL: `${gatewayUrl}${ROUTE_PATH}`, apiKey: plaintextKey, maxRetries: 0, timeout: 10_000 });
  await expect
    .poll(() => ask(client).catch((e: Error) => `error: ${e.message}`), { timeout: 2_000, intervals: [50] })
    .toBe("answer from mock-model-c");
  // the stored upstream credential survived the round trip through YAML
  expect(upstreamCalls.at(-1)?.authorization).toBe("Bearer sk-mock-upstream-secret");

  await page.goto("/manager/audit?action=config.apply");
  await expect(page.getByTestId("audit-row").first()).toContainText(`cli-${run}`);

  // leave the instance as other journeys expect it: delete the route in the browser, and the gateway stops serving it
  await page.goto(`/manager/routes?q=${ROUTE}`);
  page.once("dialog", (d) => void d.accept());
  await page.getByTestId("routes-table").getByRole("button", { name: "Delete" }).click();
  await expect(page.getByText("No routes")).toBeVisible();
  await expect
    .poll(
      () =>
        ask(client).then(
          () => 200,
          (e: { status?: number }) => e.status ?? 0,
        ),
      { timeout: 2_000, intervals: [50] },
    )
    .toBe(404);
});

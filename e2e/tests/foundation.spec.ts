// Issue 2's first user flow: the embedded start comes up on a fresh machine, an admin signs in through the browser
// form and lands on the manager home, a wrong password is refused with a message, and the gateway reports that its
// database is connected and which config version it serves.

import { expect, type Page, test } from "@playwright/test";
import { e2eEnv, gatewayUrl } from "../env.ts";

async function signIn(page: Page, email: string, password: string) {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

test("the embedded start serves the web app with its database connected", async ({ request }) => {
  const res = await request.get("/api/health");
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(body).toMatchObject({ ok: true, db: "connected" });
  expect(typeof body.configVersion).toBe("number");
  expect(body.configVersion).toBeGreaterThanOrEqual(1);
});

test("a visitor who is not signed in is sent to the sign-in page", async ({ page, request }) => {
  await page.goto("/manager");
  await expect(page).toHaveURL(/\/signin$/);
  await expect(page.getByRole("heading", { name: "Sign in to Sluice" })).toBeVisible();
  // route handlers answer 401 instead of redirecting
  expect((await request.get("/api/manager/overview")).status()).toBe(401);
});

test("a wrong password shows an error and keeps the user on the sign-in page", async ({ page }) => {
  await signIn(page, e2eEnv.adminEmail, "not-the-password");
  await expect(page.getByTestId("signin-error")).toHaveText("Wrong email or password.");
  await expect(page).toHaveURL(/\/signin$/);
  await page.goto("/manager");
  await expect(page).toHaveURL(/\/signin$/);
});

test("an admin signs in through the form, sees the manager home, and signs out", async ({ page }) => {
  await signIn(page, e2eEnv.adminEmail, e2eEnv.adminPassword);
  await expect(page).toHaveURL(/\/manager$/);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();

  const navUser = page.getByTestId("nav-user");
  await expect(navUser).toContainText(e2eEnv.adminEmail);
  await expect(navUser).toContainText("ADMIN");

  // a fresh install: nothing configured, and the page says what to do first
  const counts = page.getByTestId("overview-counts");
  for (const label of ["Providers", "Routes", "Consumers", "Active keys", "Config version"]) {
    await expect(counts.getByText(label, { exact: true })).toBeVisible();
  }
  await expect(page.getByText("Nothing is configured yet")).toBeVisible();
  await expect(page.getByText("add a provider", { exact: true })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Gateway nodes" })).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
  await page.goto("/manager");
  await expect(page).toHaveURL(/\/signin$/);
});

test("the gateway reports its database connected and the config version it serves", async ({ request }) => {
  const res = await request.get(`${gatewayUrl}/health`);
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(body.database).toBe("connected");
  expect(typeof body.configVersion).toBe("number");
  // nothing was configured since start, so the gateway serves the database's current version
  const web = await (await request.get("/api/health")).json();
  expect(body.configVersion).toBe(web.configVersion);
});

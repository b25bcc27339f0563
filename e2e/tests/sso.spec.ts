// Single sign-on through the browser against a stand-in OIDC provider (support/stand-in-idp.ts, started by the
// global setup with SLUICE_OIDC_* pointing at it): the admin signs in with SSO and lands in the manager with their
// roles; an e-mail without an account is refused with a clear message (self sign-up is off).

import { expect, test } from "@playwright/test";
import { e2eEnv } from "../env.ts";

test("an existing admin signs in with SSO; an unknown e-mail is refused", async ({ page }) => {
  await page.goto("/signin");
  await page.getByRole("button", { name: "Sign in with SSO" }).click();
  await expect(page.getByRole("heading", { name: "Stand-in IdP" })).toBeVisible();
  await page.getByLabel("E-mail").fill(e2eEnv.adminEmail.toUpperCase());
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page).toHaveURL(/\/manager/);
  await expect(page.getByRole("navigation", { name: "Section" }).getByRole("link", { name: "Providers" })).toBeVisible();

  await page.context().clearCookies();
  await page.goto("/signin");
  await page.getByRole("button", { name: "Sign in with SSO" }).click();
  await page.getByLabel("E-mail").fill("stranger@elsewhere.test");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page).toHaveURL(/\/signin\?error=OidcNoAccount/);
  await expect(page.getByText("There is no Sluice account for this e-mail.")).toBeVisible();
});

// The Cloud pages against the real server (fixture.ts): an organisation and
// an AWS account created through the forms (a wrong account id refused next
// to its field), the account's effective rules with RTM-011 badged "needs
// configuration", an RTM-011 pattern row refused without columns, tried on a
// sample event and saved, and the badge changing to "configured"; the
// sources section saying it is not available yet. Its organisation has a
// name of its own, so no other spec's data is touched.
import { expect, test } from "@playwright/test";
import { checkPage, failOnDialogs, logIn } from "./helpers";

test.describe.configure({ mode: "serial" });

test("create an organisation and an account, configure RTM-011, see the badge change", async ({ page }) => {
  failOnDialogs(page);
  await logIn(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Cloud" }).click();
  await expect(page.getByRole("heading", { name: "Cloud", level: 1 })).toBeVisible();
  await expect(page.getByText("Not available yet.")).toBeVisible();
  await checkPage(page, "cloud-01-organisations");

  await page.getByRole("button", { name: "New organisation" }).click();
  await page.getByLabel("Name", { exact: true }).fill("acme-browser");
  await page.getByLabel("Description", { exact: true }).fill("the browser suite's organisation");
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page.getByRole("heading", { name: "acme-browser", level: 1 })).toBeVisible();
  await expect(page.getByText("No account in this organisation yet.")).toBeVisible();

  await page.getByRole("button", { name: "Add account" }).click();
  const form = page.getByRole("form", { name: /Add an account/ });
  await form.getByLabel("AWS account id").fill("1234");
  await form.getByLabel("Name", { exact: true }).fill("prod");
  await form.getByRole("button", { name: "Add account" }).click();
  await expect(form.locator("#acct-identifier-err")).toContainText("12 digits");
  await checkPage(page, "cloud-02-account-form");
  await form.getByLabel("AWS account id").fill("123456789012");
  await form.getByRole("button", { name: "Add account" }).click();

  // The account's page: RTM-011 needs its rows.
  await expect(page.getByRole("heading", { name: "prod", level: 1 })).toBeVisible();
  const rtm = page.getByRole("row").filter({ has: page.getByText("RTM-011", { exact: true }) });
  await expect(rtm.locator(".badge.needs-config")).toContainText("needs configuration: pattern rows");
  await expect(page.getByRole("status").filter({ hasText: "need configuration" })).toContainText("RTM-011");
  await checkPage(page, "cloud-03-account");

  await rtm.getByRole("button", { name: "Edit this account's RTM-011 settings" }).click();
  const editor = page.getByRole("form", { name: /RTM-011/ });
  await editor.getByRole("button", { name: "Save RTM-011" }).click();
  await expect(editor.getByRole("alert")).toContainText("1 row is wrong");
  await expect(editor.getByRole("cell", { name: /no columns/ })).toBeVisible();
  await editor.getByLabel("Row 1 eventName").fill("^Delete");
  await editor.getByLabel("Row 1 eventSource").fill("^(?!ec2)");
  await editor.getByLabel("Sample eventName").fill("DeleteBucket");
  await editor.getByLabel("Sample eventSource").fill("s3.amazonaws.com");
  await expect(editor.getByRole("cell", { name: "matches", exact: true })).toBeVisible();
  await editor.getByLabel("Sample eventSource").fill("ec2.amazonaws.com");
  await expect(editor.getByRole("cell", { name: "no match (eventSource)" })).toBeVisible();
  await editor.getByLabel("Enabled").selectOption("true");
  await checkPage(page, "cloud-04-rtm-editor");
  await editor.getByRole("button", { name: "Save RTM-011" }).click();

  await expect(page.getByRole("status").filter({ hasText: "Saved RTM-011 for this account." })).toBeVisible();
  await expect(rtm.locator(".badge.configured")).toHaveText("configured");
  await expect(rtm.locator(".badge.needs-config")).toHaveCount(0);
  await expect(rtm).toContainText("1 pattern row");
  await expect(rtm.getByRole("cell").nth(2)).toHaveText("on account");
  await expect(rtm.locator(".badge.source-account").first()).toBeVisible();

  // The organisation lists the account with its own rules.
  await page.getByRole("link", { name: "acme-browser" }).click();
  const account = page.getByRole("row").filter({ hasText: "123456789012" });
  await expect(account).toContainText("RTM-011");
  await expect(account.getByRole("link", { name: "Problems of prod" })).toHaveAttribute("href", "/problems?q=prod");
  await checkPage(page, "cloud-05-organisation");

  // Dark theme and a phone's width.
  await page.getByRole("button", { name: /Switch to dark theme/ }).click();
  await account.getByRole("link", { name: "prod", exact: true }).click();
  await expect(page.getByRole("heading", { name: "prod", level: 1 })).toBeVisible();
  await checkPage(page, "cloud-06-account-dark");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/cloud");
  await expect(page.getByRole("link", { name: "acme-browser" })).toBeVisible();
  await checkPage(page, "cloud-07-390px");
});

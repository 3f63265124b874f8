// The Cloud pages against the real server (fixture.ts): an organisation and
// an AWS account created through the forms (a wrong account id refused next
// to its field), the account's effective rules with RTM-011 badged "needs
// configuration", an RTM-011 pattern row refused without columns, tried on a
// sample event and saved, and the badge changing to "configured"; a
// directory source the server follows, its health counting the file and
// the finding, and the finding's CloudTrail field holding a script shown
// as text on the Problems page. Its organisation has a name of its own, so
// no other spec's data is touched.
import { expect, test } from "@playwright/test";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { checkPage, failOnDialogs, logIn } from "./helpers";

const SCRIPT = "<script>alert(document.domain)</script>";

test.describe.configure({ mode: "serial" });

test("create an organisation and an account, configure RTM-011, see the badge change", async ({ page }) => {
  failOnDialogs(page);
  await logIn(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Cloud" }).click();
  await expect(page.getByRole("heading", { name: "Cloud", level: 1 })).toBeVisible();
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

  // A directory source: one CloudTrail file whose DeleteBucket matches the
  // row; the server reads it, the health counts it, the finding is a
  // problem whose bucket name (a script) shows as text.
  const trail = path.join(process.env.WARDEN_TEST_DIR!, "cloud-trail");
  mkdirSync(trail, { recursive: true });
  const event = {
    eventVersion: "1.08",
    eventTime: "2024-05-01T12:00:00Z",
    eventSource: "s3.amazonaws.com",
    eventName: "DeleteBucket",
    awsRegion: "eu-west-1",
    recipientAccountId: "123456789012",
    userIdentity: { type: "IAMUser", arn: "arn:aws:iam::123456789012:user/mallory" },
    requestParameters: { bucketName: SCRIPT },
  };
  writeFileSync(path.join(trail, "events.json"), JSON.stringify({ Records: [event] }));
  await page.getByRole("button", { name: "Add source" }).click();
  const sourceForm = page.getByRole("form", { name: "Add a source" });
  await sourceForm.getByLabel("Name").fill("trail");
  await sourceForm.getByLabel("Directory on the server").fill("relative/dir");
  await sourceForm.getByRole("button", { name: "Add source" }).click();
  await expect(sourceForm.locator("#source-path-err")).toContainText("absolute");
  await sourceForm.getByLabel("Directory on the server").fill(trail);
  await sourceForm.getByRole("button", { name: "Add source" }).click();
  const source = page.getByRole("row").filter({ hasText: "cloud-trail" });
  await expect(source).toContainText("following");
  // The list shows what the server stored; it is read again on a reload.
  await expect(async () => {
    await page.reload();
    await expect(source.getByRole("cell").nth(4)).toHaveText("1", { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await expect(source.getByRole("cell").nth(6)).toHaveText(/^[1-9]/);
  await checkPage(page, "cloud-04b-sources");
  await source.getByRole("button", { name: "Pause source trail" }).click();
  await expect(source).toContainText("paused");
  const accountUrl = page.url();
  await page.goto("/problems?q=RTM-011");
  await expect(page.getByRole("button", { name: "Unintended AWS API calls" }).first()).toBeVisible();
  await page.getByRole("button", { name: "Unintended AWS API calls" }).first().click();
  await expect(page.getByRole("dialog").locator("pre.evidence")).toContainText(SCRIPT);
  expect(await page.locator("script", { hasText: "document.domain" }).count()).toBe(0);
  await page.getByRole("dialog").getByRole("button", { name: "Close" }).click();
  await page.goto(accountUrl);

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

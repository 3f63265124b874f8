// Settings in a real browser against the suite's server (fixture.ts): an API
// token is shown once (a reload does not bring it back), works, and is
// refused once revoked; an enrol
// secret comes with the enrol command and the server's real CA fingerprint;
// the audit log has the token's creation, filters to it, opens it and
// exports it; users are added with a one-time password shown once and their
// role changed; a viewer sees only their own tokens and no admin controls.
import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { checkPage, failOnDialogs, logIn } from "./helpers";
import { createUser, logInAs } from "./adminApi";

// Each test checks several states with axe-core; on a loaded 2-core machine
// that alone can take a minute.
test.describe.configure({ mode: "serial", timeout: 240_000 });

const TOKEN_NAME = `settings-spec-${Date.now()}`;
let tokenId = "";
let tokenSecret = "";

test("API token: created with an expiry, shown once, works, gone after a reload", async ({ page, request }) => {
  failOnDialogs(page);
  await logIn(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
  await expect(page).toHaveURL(/\/settings\/users$/);
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "API tokens" }).click();
  await expect(page).toHaveURL(/\/settings\/tokens$/);

  await page.getByRole("button", { name: "Create token" }).click();
  const form = page.getByRole("dialog", { name: "Create an API token" });
  await form.getByLabel("Token name").fill(TOKEN_NAME);
  await form.getByLabel("Expires").selectOption({ label: "in 7 days" });
  await checkPage(page, "settings-01-token-create");
  await form.getByRole("button", { name: "Create token" }).click();

  const once = page.getByRole("dialog", { name: `Your new API token “${TOKEN_NAME}”` });
  await expect(once.getByText("only time it is shown")).toBeVisible();
  const token = (await once.getByLabel("Token", { exact: true }).inputValue()).trim();
  expect(token).toMatch(/^wdn_pat_/);
  tokenSecret = token;
  await expect(once.getByRole("button", { name: "Copy token" })).toBeVisible();
  await checkPage(page, "settings-02-token-once");

  // The token is real: without the page's cookie, the API answers it as the suite user.
  const who = await request.get("/api/v1/session", { headers: { Authorization: `Bearer ${token}` } });
  expect(who.status()).toBe(200);
  expect(await who.json()).toMatchObject({ credential: "token", user: { name: "e2e" } });

  await once.getByRole("button", { name: /I have copied it/ }).click();
  await expect(once).toBeHidden();
  const row = page.getByRole("row").filter({ hasText: TOKEN_NAME });
  await expect(row).toContainText("wdn_pat_…");
  await expect(row).toContainText("active");
  await page.reload();
  await expect(page.getByRole("row").filter({ hasText: TOKEN_NAME })).toBeVisible();
  expect(await page.content()).not.toContain(token);
  await checkPage(page, "settings-03-tokens");

  // Its id, for the audit log test.
  const list = await request.get("/api/v1/tokens?sort=-created_at&limit=10", { headers: { Authorization: `Bearer ${token}` } });
  tokenId = (await list.json()).items.find((t: { name: string }) => t.name === TOKEN_NAME).id;
  expect(tokenId).toBeTruthy();

  // Revoke: the API refuses it at once.
  await page.getByRole("button", { name: `Revoke ${TOKEN_NAME}` }).click();
  const confirm = page.getByRole("dialog", { name: `Revoke the token “${TOKEN_NAME}”?` });
  await checkPage(page, "settings-03b-token-revoke");
  await confirm.getByRole("button", { name: "Revoke token" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Revoked ${TOKEN_NAME}` })).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: TOKEN_NAME })).toContainText("revoked");
  expect((await request.get("/api/v1/session", { headers: { Authorization: `Bearer ${token}` } })).status()).toBe(401);
});

test("enrol secret: created with labels, the enrol command has the server and its CA fingerprint", async ({ page }) => {
  failOnDialogs(page);
  await logIn(page);
  await page.goto("/settings/enroll");
  await page.getByRole("button", { name: "Create enrol secret" }).click();
  const form = page.getByRole("dialog", { name: "Create an enrol secret" });
  await form.getByLabel("Secret name").fill("settings-spec-fleet");
  await form.getByLabel("Labels for the hosts (optional)").fill("env=test, team=web");
  await form.getByRole("button", { name: "Create secret" }).click();

  const once = page.getByRole("dialog", { name: "New enrol secret “settings-spec-fleet”" });
  const secret = (await once.getByLabel("Secret", { exact: true }).inputValue()).trim();
  expect(secret).toMatch(/^wdn_enr_/);
  const ca = await page.request.get("/api/v1/agent/ca");
  const fingerprint = ca.headers()["x-warden-ca-fingerprint"];
  expect(fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
  await expect(once.getByLabel("Enrol command")).toHaveValue(
    `warden agent enroll --server ${process.env.WARDEN_CONSOLE_URL} --secret ${secret} --ca-fingerprint ${fingerprint}`,
  );
  const pin = ca.headers()["x-warden-server-key-pin"];
  expect(pin).toMatch(/^sha256\/\/[A-Za-z0-9+/]{43}=$/);
  await expect(once.getByLabel("Install command")).toHaveValue(
    `curl -fsS --insecure --pinnedpubkey ${pin} ${process.env.WARDEN_CONSOLE_URL}/api/v1/agent/install.sh | sudo sh -s -- --server ${process.env.WARDEN_CONSOLE_URL} --ca-fingerprint ${fingerprint} --secret ${secret}`,
  );
  await checkPage(page, "settings-04-enrol-once");
  await once.getByRole("button", { name: /I have copied it/ }).click();
  await expect(once).toBeHidden();

  const row = page.getByRole("row").filter({ hasText: "settings-spec-fleet" });
  await expect(row).toContainText("env=test, team=web");
  await expect(row).toContainText("active");
  expect(await page.content()).not.toContain(secret);

  // Rotate with no grace: a new secret, shown once, the old one revoked.
  await row.getByRole("button", { name: "Rotate settings-spec-fleet" }).click();
  const rotate = page.getByRole("dialog", { name: "Rotate “settings-spec-fleet”" });
  await rotate.getByLabel("The old secret keeps working for").selectOption({ label: "none: revoke the old one now" });
  await rotate.getByRole("button", { name: "Rotate secret" }).click();
  const again = page.getByRole("dialog", { name: "New secret for “settings-spec-fleet”" });
  const rotated = (await again.getByLabel("Secret", { exact: true }).inputValue()).trim();
  expect(rotated).toMatch(/^wdn_enr_/);
  expect(rotated).not.toBe(secret);
  await again.getByRole("button", { name: /I have copied it/ }).click();
  await page.getByRole("checkbox", { name: "revoked" }).check();
  await expect(page).toHaveURL(/state=revoked/);
  await expect(page.getByRole("row").filter({ hasText: "settings-spec-fleet" })).toHaveCount(1);
  await checkPage(page, "settings-05-enrol-revoked");
});

test("audit log: the token's creation, filtered to it, its detail, exported", async ({ page }) => {
  failOnDialogs(page);
  await logIn(page);
  await page.goto("/settings/audit");
  await expect(page.getByRole("row").filter({ hasText: "createToken" }).first()).toBeVisible();
  await checkPage(page, "settings-06-audit");

  await page.getByLabel("Action", { exact: true }).fill("createToken");
  await page.getByLabel("Object id").fill(tokenId);
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/action=createToken/);
  await expect(page).toHaveURL(new RegExp(`target_id=${tokenId}`));
  await expect(page.getByText("1 matching", { exact: true })).toBeVisible();
  const row = page.locator("tbody tr");
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("user e2e");

  // The entry's detail: the new token's name in "after", never the secret.
  await row.getByRole("button", { name: "createToken" }).click();
  await expect(page).toHaveURL(/event=/);
  const detail = page.getByRole("dialog", { name: "createToken by user e2e" });
  await expect(detail.locator("pre").last()).toContainText(TOKEN_NAME);
  expect(await detail.textContent()).not.toContain(tokenSecret);
  await checkPage(page, "settings-07-audit-entry");
  await detail.getByRole("button", { name: "Close" }).click();
  await expect(page).not.toHaveURL(/event=/);

  // The export is exactly the filtered list.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).click()]);
  const lines = readFileSync((await download.path())!, "utf8").trim().split(/\r?\n/);
  expect(lines.length).toBe(2);
  expect(lines[1]).toContain("createToken");
  const [json] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export JSON lines" }).click()]);
  const entries = readFileSync((await json.path())!, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  expect(entries.map((e) => [e.action, e.target?.id])).toEqual([["createToken", tokenId]]);

  // A link keeps the filter: opening it again gives the same list.
  await page.goto(page.url());
  await expect(page.getByText("1 matching", { exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Clear", exact: true }).click();
  await expect(page).toHaveURL(/\/settings\/audit$/);
});

test("users: add one with a one-time password shown once, change a role", async ({ page }) => {
  failOnDialogs(page);
  await logIn(page);
  await page.goto("/settings/users");
  await page.getByRole("button", { name: "Add user" }).click();
  const form = page.getByRole("dialog", { name: "Add a user" });
  await form.getByLabel("Name").fill("settings-analyst");
  await form.getByLabel("Role").selectOption("analyst");
  await form.getByRole("button", { name: "Add user" }).click();
  const once = page.getByRole("dialog", { name: "One-time password of settings-analyst" });
  const password = (await once.getByLabel("Password", { exact: true }).inputValue()).trim();
  expect(password.length).toBeGreaterThanOrEqual(12);
  await checkPage(page, "settings-08-user-password");
  await once.getByRole("button", { name: /I have copied it/ }).click();

  const row = page.getByRole("row").filter({ hasText: "settings-analyst" });
  await expect(row).toContainText("must change password");
  await row.getByLabel("Role of settings-analyst").selectOption("viewer");
  await expect(page.getByRole("status").filter({ hasText: "settings-analyst is now viewer." })).toBeVisible();
  await page.getByRole("checkbox", { name: "viewer" }).check();
  await expect(page).toHaveURL(/role=viewer/);
  await expect(page.getByRole("row").filter({ hasText: "settings-analyst" })).toBeVisible();
  await checkPage(page, "settings-09-users");

  // The one-time password is real: it logs in and must be changed.
  const other = await page.context().browser()!.newPage();
  await other.goto("/login");
  await other.getByLabel("Name").fill("settings-analyst");
  await other.getByLabel("Password").fill(password);
  await other.getByRole("button", { name: "Log in" }).click();
  await expect(other.getByRole("heading", { name: "Choose your password" })).toBeVisible();
  await other.close();

  // Disable: the row says so.
  await page.getByRole("row").filter({ hasText: "settings-analyst" }).getByRole("button", { name: "Disable settings-analyst" }).click();
  await expect(page.getByRole("row").filter({ hasText: "settings-analyst" })).toContainText("disabled");
});

test("a viewer sees only their own tokens, no admin tabs or controls", async ({ page }) => {
  failOnDialogs(page);
  await logIn(page);
  await createUser(page, "settings-viewer", "viewer", "viewer's long password");
  await page.context().clearCookies();
  await logInAs(page, "settings-viewer", "viewer's long password");
  await page.goto("/settings");
  await expect(page).toHaveURL(/\/settings\/tokens$/);
  const tabs = page.getByRole("navigation", { name: "Settings" }).getByRole("link");
  await expect(tabs).toHaveText(["API tokens"]);
  await expect(page.getByText("You have no API tokens.")).toBeVisible();
  await expect(page.getByLabel("User")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Create token" })).toBeVisible();
  await checkPage(page, "settings-10-viewer-tokens");

  await page.goto("/settings/users");
  await expect(page.getByText("“Users and roles” is for admins")).toBeVisible();
  await expect(page.getByRole("button", { name: "Add user" })).toHaveCount(0);
  await page.goto("/settings/audit");
  await expect(page.getByText("“Audit log” is for admins")).toBeVisible();
  await expect(page.getByRole("link", { name: "Export CSV" })).toHaveCount(0);
});

test("the viewer's Settings in dark theme and at 390 px", async ({ page }) => {
  failOnDialogs(page);
  await logInAs(page, "settings-viewer", "viewer's long password");
  await page.getByRole("button", { name: /Switch to dark theme/ }).click();
  await page.goto("/settings/tokens");
  await expect(page.getByText("You have no API tokens.")).toBeVisible();
  await checkPage(page, "settings-11-viewer-dark");
  await page.setViewportSize({ width: 390, height: 844 });
  await checkPage(page, "settings-12-viewer-390px");
});

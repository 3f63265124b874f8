// Channels in a real browser against the suite's server (fixture.ts): a
// signed webhook channel pointing at an HTTP receiver this spec runs on
// 127.0.0.1 is created with triggers, Send test reaches the receiver (signed,
// with a JSON body) and the console shows the receiver's status and body;
// the delivery status follows; a failing receiver's answer is shown too; a
// viewer sees the channel but no controls and no secret; the channel is
// edited and deleted, leaving nothing for later specs.
import { expect, test } from "@playwright/test";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { checkPage, failOnDialogs, logIn } from "./helpers";
import { createUser, logInAs } from "./adminApi";

// Each test checks several states with axe-core; on a loaded 2-core machine
// that alone can take a minute.
test.describe.configure({ mode: "serial", timeout: 240_000 });

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}
const received: Received[] = [];
let answer = { status: 202, body: "accepted by the channels spec receiver" };
let receiver: Server;
let url = "";

test.beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.writeHead(answer.status, { "Content-Type": "text/plain" });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/warden-hook`;
});

test.afterAll(async () => {
  await new Promise((resolve) => receiver.close(resolve));
});

const NAME = "channels-spec-webhook";

test("create a webhook channel with triggers; Send test reaches the receiver and shows its answer", async ({ page }) => {
  failOnDialogs(page);
  await logIn(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Channels" }).click();
  await expect(page.getByRole("heading", { name: "Channels" })).toBeVisible();
  // Before it exists, a search for it finds nothing and says so.
  await page.getByLabel("Search channels").fill(NAME);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/q=channels-spec-webhook/);
  await expect(page.getByText("No channel matches these filters.")).toBeVisible();
  await checkPage(page, "channels-01-empty");
  await page.getByRole("button", { name: "Clear the filters" }).click();
  await expect(page).not.toHaveURL(/q=/);

  await page.getByRole("button", { name: "New channel" }).click();
  const form = page.getByRole("dialog", { name: "New channel" });
  await form.getByLabel("Kind").selectOption("webhook");
  await form.getByLabel("Channel name").fill(NAME);
  await form.getByLabel("URL").fill(url);
  // Without the signing key the form refuses.
  await form.getByRole("button", { name: "Create channel" }).click();
  await expect(form.getByRole("alert")).toContainText("signing key is required");
  await form.getByRole("button", { name: "Generate a key" }).click();
  await form.getByLabel("Lowest risk").selectOption("high");
  await form.getByLabel("Host labels (any of; empty: all)").fill("env=prod");
  await form.getByRole("checkbox", { name: "opened", exact: true }).check();
  await form.getByRole("checkbox", { name: "Audit log entries" }).check();
  await checkPage(page, "channels-02-form");
  await form.getByRole("button", { name: "Create channel" }).click();

  // Created: the drawer opens on it.
  await expect(page).toHaveURL(/channel=/);
  const drawer = page.getByRole("dialog", { name: NAME });
  await expect(drawer.getByText("set (write-only: never shown)")).toBeVisible();
  await expect(drawer.getByText("problems, risk ≥ high, labels env=prod, on opened; audit log")).toBeVisible();
  await expect(drawer.getByText(url)).toBeVisible();

  const before = received.length;
  await drawer.getByRole("button", { name: "Send test" }).click();
  const result = drawer.getByRole("status", { name: "Test result" });
  await expect(result).toContainText("Delivered");
  await expect(result).toContainText("HTTP 202");
  await expect(result.locator("pre")).toHaveText("accepted by the channels spec receiver");
  // The receiver really got one signed POST with a JSON body.
  const got = received.slice(before).filter((r) => r.headers["webhook-signature"]);
  expect(got.length).toBeGreaterThanOrEqual(1);
  expect(got[0].headers["webhook-id"]).toBeTruthy();
  expect(() => JSON.parse(got[0].body)).not.toThrow();
  // The delivery status follows.
  await expect(drawer.getByText("ok", { exact: true })).toBeVisible();
  await checkPage(page, "channels-03-test-ok");

  // The receiver now refuses: the console shows its status and body.
  answer = { status: 503, body: "receiver down for maintenance" };
  await drawer.getByRole("button", { name: "Send test" }).click();
  await expect(result).toContainText("Not delivered");
  await expect(result).toContainText("HTTP 503");
  await expect(result.locator("pre")).toHaveText("receiver down for maintenance");
  await drawer.getByRole("button", { name: "Refresh status" }).click();
  await expect(drawer.getByText("failing", { exact: true })).toBeVisible();
  await checkPage(page, "channels-04-test-failed");

  await drawer.getByRole("button", { name: "Close" }).click();
  const row = page.getByRole("row").filter({ hasText: NAME });
  await expect(row).toContainText("Signed webhook");
  await expect(row).toContainText("failing");
  await expect(row).toContainText("HTTP 503");
  await checkPage(page, "channels-05-list");
  answer = { status: 202, body: "accepted by the channels spec receiver" };
});

test("a viewer sees the channel and its status, but no controls and no secret", async ({ page }) => {
  failOnDialogs(page);
  await logIn(page);
  await createUser(page, "channels-viewer", "viewer", "viewer's long password");
  await page.context().clearCookies();
  await logInAs(page, "channels-viewer", "viewer's long password");
  await page.goto("/channels");
  await expect(page.getByRole("row").filter({ hasText: NAME })).toBeVisible();
  await expect(page.getByRole("button", { name: "New channel" })).toHaveCount(0);
  await page.getByRole("button", { name: NAME }).click();
  const drawer = page.getByRole("dialog", { name: NAME });
  await expect(drawer.getByText("Delivery status")).toBeVisible();
  await expect(drawer.getByRole("button", { name: "Send test" })).toHaveCount(0);
  await expect(drawer.getByRole("button", { name: "Edit" })).toHaveCount(0);
  await expect(drawer.getByRole("button", { name: "Delete" })).toHaveCount(0);
  expect(await page.content()).not.toContain("whsec_");
  await checkPage(page, "channels-06-viewer");
});

test("edit keeps the secret unless replaced; filters in the URL; delete", async ({ page }) => {
  failOnDialogs(page);
  await logIn(page);
  await page.goto("/channels");
  await page.getByLabel("Kind").selectOption("slack");
  await expect(page).toHaveURL(/type=slack/);
  await expect(page.getByText("No channel matches these filters.")).toBeVisible();
  await page.goto("/channels?type=webhook");
  await expect(page.getByLabel("Kind")).toHaveValue("webhook");
  await page.getByRole("button", { name: NAME }).click();
  const drawer = page.getByRole("dialog", { name: NAME });
  await drawer.getByRole("button", { name: "Edit" }).click();
  const form = page.getByRole("dialog", { name: `Edit “${NAME}”` });
  await expect(form.getByLabel(/Signing key/)).toHaveValue("");
  await form.getByLabel("Lowest risk").selectOption("medium");
  await checkPage(page, "channels-07-edit");
  await form.getByRole("button", { name: "Save channel" }).click();
  await expect(form).toBeHidden();
  await expect(drawer.getByText("problems, risk ≥ medium, labels env=prod, on opened; audit log")).toBeVisible();
  // The stored key still signs.
  const before = received.length;
  await drawer.getByRole("button", { name: "Send test" }).click();
  await expect(drawer.getByRole("status", { name: "Test result" })).toContainText("HTTP 202");
  expect(received.slice(before).some((r) => r.headers["webhook-signature"])).toBe(true);

  // 390 px: the drawer and the list stay usable.
  await page.setViewportSize({ width: 390, height: 844 });
  await checkPage(page, "channels-08-drawer-390px");

  await drawer.getByRole("button", { name: "Delete" }).click();
  const confirm = page.getByRole("dialog", { name: `Delete the channel “${NAME}”?` });
  await confirm.getByRole("button", { name: "Delete channel" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Deleted ${NAME}.` })).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: NAME })).toHaveCount(0);
});

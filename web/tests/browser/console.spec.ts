// The console in a real browser against a real server and agent
// (fixture.ts): login, hosts, a host page with the agent's open port, the
// problems triage (filters in the URL, bulk dismiss with a comment seen in
// the history, CSV export checked line by line), XSS cases, logout and a
// lost session, axe-core on every page, a screenshot of every page.
import { expect, test } from "@playwright/test";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PASSWORD, XSS } from "./fixture";
import { checkPage, failOnDialogs, logIn, shots } from "./helpers";

test.describe.configure({ mode: "serial" });

test("login: a wrong password is refused with a message, the right one gets in", async ({ page }) => {
  failOnDialogs(page);
  await page.goto("/problems?risk=high");
  await expect(page).toHaveURL(/\/login\?next=/);
  await checkPage(page, "01-login");
  await page.getByLabel("Name").fill("e2e");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("alert")).toContainText("Wrong name or password");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  // Back where the user wanted to go, filter kept.
  await expect(page).toHaveURL(/\/problems\?risk=high$/);
  await expect(page.getByRole("heading", { name: "Problems" })).toBeVisible();
});

test("the first admin logs in with the one-time password and must choose a new one", async ({ page }) => {
  failOnDialogs(page);
  await page.goto("/login");
  await page.getByLabel("Name").fill("admin");
  await page.getByLabel("Password").fill(process.env.WARDEN_ADMIN_OTP!);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("heading", { name: "Choose your password" })).toBeVisible();
  await checkPage(page, "01-change-password");
  await page.getByLabel("One-time password").fill(process.env.WARDEN_ADMIN_OTP!);
  await page.getByLabel("New password", { exact: true }).fill("admin's own password");
  await page.getByLabel("New password again").fill("admin's own password");
  await page.getByRole("button", { name: "Set password" }).click();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await expect(page.getByText("admin (admin)")).toBeVisible();
});

test("hosts: both hosts listed, HTML in a host name is text, search narrows", async ({ page }) => {
  failOnDialogs(page);
  await logIn(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Hosts" }).click();
  await expect(page.getByRole("link", { name: XSS })).toBeVisible();
  await expect(page.locator("tbody tr")).toHaveCount(2, { timeout: 30_000 });
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  await checkPage(page, "02-hosts");
  await page.getByLabel("Search").fill("xss-machine-none");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/\/hosts\?q=xss-machine-none/);
  await expect(page.getByText("No host matches")).toBeVisible();
});

test("host page: the real agent's open port and problem, Run now", async ({ page }) => {
  failOnDialogs(page);
  await logIn(page);
  await page.goto("/hosts");
  const real = page.locator("tbody tr").filter({ hasNot: page.getByRole("link", { name: XSS }) }).getByRole("link");
  await real.click();
  await expect(page).toHaveURL(/\/hosts\/[^/]+$/);
  const port = process.env.WARDEN_LISTENER_PORT!;
  // The agent reports its ports within a few detector runs.
  await expect(async () => {
    await page.reload();
    await expect(page.getByRole("region", { name: "Open ports" }).getByRole("cell", { name: port, exact: true })).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 60_000 });
  await expect(page.getByRole("region", { name: "Problems" }).getByText(`port ${port}`, { exact: false }).first()).toBeVisible();
  await page.getByRole("button", { name: "Run now" }).click();
  await expect(page.getByText(/Requested \(scan/)).toBeVisible();
  await checkPage(page, "03-host");
});

test("problems: filters in the URL, XSS fields as text, bulk dismiss with a comment in the history", async ({ page }) => {
  failOnDialogs(page);
  await logIn(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Problems" }).click();
  await expect(page.getByRole("button", { name: XSS })).toBeVisible();
  await checkPage(page, "04-problems");

  // Filter to the XSS host: its three problems.
  await page.getByLabel("Host").selectOption({ label: XSS });
  await expect(page).toHaveURL(/host=/);
  await expect(page.getByText("3 matching")).toBeVisible();
  await page.getByRole("checkbox", { name: "Medium" }).check();
  await expect(page).toHaveURL(/risk=medium/);
  await expect(page.getByText("2 matching")).toBeVisible();
  const shared = page.url();
  await page.getByRole("checkbox", { name: "Medium" }).uncheck();
  await expect(page.getByText("3 matching")).toBeVisible();
  await page.goto(shared);
  await expect(page.getByText("2 matching")).toBeVisible();
  await page.getByRole("checkbox", { name: "Medium" }).uncheck();
  await expect(page.getByText("3 matching")).toBeVisible();

  // The detail drawer: title, evidence and resource are text.
  await page.getByRole("button", { name: XSS }).click();
  const drawer = page.getByRole("dialog");
  await expect(drawer.getByRole("heading", { name: XSS })).toBeVisible();
  await expect(drawer.locator("pre.evidence")).toContainText("<script>alert(document.cookie)</script>");
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  await checkPage(page, "05-problem-drawer");
  await drawer.getByRole("button", { name: "Close" }).click();

  // Bulk dismiss of everything the filter matches; the count is confirmed.
  await page.getByRole("button", { name: "Dismiss all matching", exact: true }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByText("This dismisses 3 problems.")).toBeVisible();
  await checkPage(page, "06-bulk-dismiss");
  // No comment: the form is not sent (empty: the browser's required check;
  // blanks: the dialog's own).
  const comment = dialog.getByLabel("Comment (required)");
  await dialog.getByRole("button", { name: /Confirm/ }).click();
  expect(await comment.evaluate((e) => (e as HTMLTextAreaElement).validity.valueMissing)).toBe(true);
  await comment.fill("   ");
  await dialog.getByRole("button", { name: /Confirm/ }).click();
  await expect(dialog.getByRole("alert")).toContainText("comment is required");
  await dialog.getByLabel("Comment (required)").fill("accepted risk: lab host <b>only</b>");
  await dialog.getByRole("button", { name: "Confirm: dismiss 3" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Dismissed 3 problems." })).toBeVisible();
  await expect(page.locator("tbody .badge.status-dismissed")).toHaveCount(3);

  // The history of one of them has the dismissal, comment as text.
  await page.getByRole("button", { name: XSS }).click();
  const history = page.getByRole("dialog").locator("table.history");
  await expect(history.getByRole("row").filter({ hasText: "dismissed" })).toContainText("accepted risk: lab host <b>only</b>");
  await expect(history.getByRole("row").filter({ hasText: "dismissed" })).toContainText("e2e");
});

test("export: CSV of exactly the filtered list", async ({ page }) => {
  failOnDialogs(page);
  await logIn(page);
  await page.goto("/problems?status=dismissed");
  await expect(page.getByText("3 matching")).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).click()]);
  const file = await download.path();
  const text = readFileSync(file!, "utf8");
  const lines = text.trim().split(/\r?\n/);
  expect(lines.length).toBe(4); // header + the 3 dismissed problems
  expect(lines[0]).toContain("title");
  expect(lines.slice(1).every((l) => l.includes("dismissed"))).toBe(true);
  expect(text).toContain("<script>alert(1)</script>");
});

test("an unknown address says so; dark theme", async ({ page }) => {
  failOnDialogs(page);
  await logIn(page);
  await page.goto("/no-such-page");
  await expect(page.getByText("There is no page at this address.")).toBeVisible();
  await checkPage(page, "07-not-found");
  await page.getByRole("button", { name: /Switch to dark theme/ }).click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Problems" }).click();
  await expect(page.getByRole("button", { name: XSS })).toBeVisible();
  await checkPage(page, "08-problems-dark");
  // A phone's width: the same page, nothing cut off that cannot be scrolled to.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByRole("button", { name: XSS })).toBeVisible();
  await checkPage(page, "09-problems-390px");
});

test("load time of the Problems page on loopback", async ({ page }) => {
  await logIn(page);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = Date.now();
    await page.goto("/problems", { waitUntil: "commit" });
    await page.locator("tbody tr").first().waitFor();
    times.push(Date.now() - start);
  }
  const nav = await page.evaluate(() => {
    const n = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
    return { domContentLoaded: Math.round(n.domContentLoadedEventEnd), load: Math.round(n.loadEventEnd) };
  });
  times.sort((a, b) => a - b);
  const median = times[2];
  writeFileSync(path.join(shots, "../console-load.json"), JSON.stringify({ first_rows_ms: times, median_ms: median, ...nav }) + "\n");
  console.log(`Problems page, logged in: first rows after ${median} ms (median of 5: ${times.join(", ")}); DOMContentLoaded ${nav.domContentLoaded} ms, load ${nav.load} ms`);
  // The target is 1 s; the bound leaves room for a loaded CI machine.
  expect(median).toBeLessThan(3000);
});

test("logout, and a lost session sends you back to the login page", async ({ page }) => {
  failOnDialogs(page);
  await logIn(page);
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page.getByText("You logged out.")).toBeVisible();
  await page.goto("/hosts");
  await expect(page).toHaveURL(/\/login/);

  // The session ends elsewhere (another tab logs out): the next action
  // gets a 401 and the console goes back to its login page.
  await logIn(page);
  await page.goto("/problems");
  await expect(page.locator("tbody tr").first()).toBeVisible();
  const session = await (await page.request.get("/api/v1/session")).json();
  const ended = await page.request.delete("/api/v1/session", {
    headers: { "X-CSRF-Token": session.csrf_token, Origin: process.env.WARDEN_CONSOLE_URL! },
  });
  expect(ended.status()).toBe(204);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Hosts" }).click();
  await expect(page).toHaveURL(/\/login\?next=%2Fhosts/);
  await expect(page.getByRole("status")).toContainText("Log in again");
});

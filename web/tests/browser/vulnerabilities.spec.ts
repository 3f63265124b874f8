// The Vulnerabilities pages against the suite's real server: first with no
// feed (the page says how to import one), then after importing the feed
// fixture (tests/fixtures/vuln/feeds/tracker-bookworm.json) through the API:
// the XSS host's packages (fixture-vulnerabilities.ts) show by CVE, by host,
// by package and as fix-first upgrades; filters and sort in the URL; the
// export holds exactly the filtered list; a CVE's page with its NVD link,
// affected host, installed → fixed version and upgrade command; the Columns
// choice kept per user across a reload. axe-core and screenshots throughout.
import { expect, test, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { XSS } from "./fixture";
import { FEED_FILE } from "./fixture-vulnerabilities";
import { checkPage, failOnDialogs, logIn } from "./helpers";

test.describe.configure({ mode: "serial" });

async function feedCount(page: Page): Promise<number> {
  return ((await (await page.request.get("/api/v1/feeds")).json()).feeds as unknown[]).length;
}

test("no feed imported: the page says so and names the command", async ({ page }) => {
  failOnDialogs(page);
  await logIn(page);
  test.skip((await feedCount(page)) > 0, "a feed is already imported on this server");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Vulnerabilities" }).click();
  await expect(page.getByRole("heading", { name: "Vulnerabilities", level: 1 })).toBeVisible();
  const empty = page.getByRole("status").filter({ hasText: "No vulnerability feed imported, so no host can be matched" });
  await expect(empty).toBeVisible();
  await expect(empty.locator("code").first()).toContainText("warden feed import");
  await expect(page.getByText("No CVE: no vulnerability feed imported yet")).toBeVisible();
  await checkPage(page, "vuln-01-no-feed");
});

test("after a feed import: by CVE, filtered and sorted in the URL, exported exactly", async ({ page }) => {
  failOnDialogs(page);
  await logIn(page);
  if ((await feedCount(page)) === 0) {
    const session = await (await page.request.get("/api/v1/session")).json();
    const imported = await page.request.post("/api/v1/feeds?name=tracker-bookworm.json", {
      data: readFileSync(FEED_FILE),
      headers: { "Content-Type": "application/octet-stream", "X-CSRF-Token": session.csrf_token, Origin: process.env.WARDEN_CONSOLE_URL! },
    });
    expect(imported.status(), await imported.text()).toBe(200);
  }
  await page.goto("/vulnerabilities");
  // Matching runs after the import on its own thread.
  await expect(async () => {
    await page.reload();
    await expect(page.getByRole("link", { name: "CVE-2024-0727", exact: true })).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 60_000 });
  await expect(page.getByText(/Feeds: debian-tracker/)).toBeVisible();
  for (const cve of ["CVE-2023-5678", "CVE-2023-45853"]) await expect(page.getByRole("link", { name: cve, exact: true })).toBeVisible();
  // openssl fixed before the installed version: not a finding.
  await expect(page.getByRole("link", { name: "CVE-2023-2650", exact: true })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "By CVE" })).toHaveAttribute("aria-current", "page");
  await checkPage(page, "vuln-02-by-cve");

  // Sort by CVE: the header says so, the URL keeps it, the rows follow.
  await page.getByRole("button", { name: "CVE", exact: true }).click();
  await expect(page).toHaveURL(/sort=cve/);
  await expect(page.getByRole("columnheader", { name: "CVE" })).toHaveAttribute("aria-sort", "ascending");
  const cves = await page.locator("tbody tr td:first-child").allTextContents();
  expect(cves).toEqual([...cves].sort());

  // Filter by package (exact, binary or source name): only zlib's CVE.
  await page.getByLabel("Package").fill("zlib");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/package=zlib/);
  await expect(page.getByText("1 matching")).toBeVisible();
  await expect(page.getByRole("link", { name: "CVE-2023-45853", exact: true })).toBeVisible();
  const shared = page.url();
  await page.goto("/vulnerabilities");
  await page.goto(shared);
  await expect(page.getByText("1 matching")).toBeVisible();
  await expect(page.getByLabel("Package")).toHaveValue("zlib");

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).click()]);
  const lines = readFileSync((await download.path())!, "utf8").trim().split(/\r?\n/);
  expect(lines.length).toBe(2);
  expect(lines[1]).toContain("CVE-2023-45853");
});

test("by host, by package and fix first", async ({ page }) => {
  failOnDialogs(page);
  await logIn(page);
  await page.goto("/vulnerabilities");
  await page.getByRole("link", { name: "By host" }).click();
  await expect(page).toHaveURL(/view=host/);
  // The host name holds HTML: it is a link's text, nothing more.
  await expect(page.getByRole("link", { name: XSS }).first()).toBeVisible();
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  await expect(page.getByRole("row").filter({ hasText: "CVE-2024-0727" }).filter({ hasText: "libssl3" })).toContainText("3.0.11-1~deb12u1 → 3.0.13-1~deb12u1");
  await checkPage(page, "vuln-03-by-host");

  await page.getByRole("link", { name: "By package" }).click();
  await expect(page).toHaveURL(/view=package/);
  const zlib = page.getByRole("row", { name: /^zlib1g \(source zlib\)/ });
  await expect(zlib).toContainText("no fix yet");
  await checkPage(page, "vuln-04-by-package");

  await page.getByRole("link", { name: "Fix first" }).click();
  await expect(page).toHaveURL(/view=fix-first/);
  const openssl = page.getByRole("row").filter({ hasText: "upgrade openssl to 3.0.13-1~deb12u1" });
  await expect(openssl).toContainText("clears 2 CVEs on 1 host");
  await expect(openssl.locator("code")).toContainText("apt-get install --only-upgrade");
  await checkPage(page, "vuln-05-fix-first");
});

test("a CVE's page: description, NVD link, the affected host with installed → fixed and the command", async ({ page }) => {
  failOnDialogs(page);
  await logIn(page);
  await page.goto("/vulnerabilities");
  await page.getByRole("link", { name: "CVE-2024-0727", exact: true }).click();
  await expect(page).toHaveURL(/\/vulnerabilities\/CVE-2024-0727$/);
  await expect(page.getByRole("heading", { name: "CVE-2024-0727", level: 1 })).toBeVisible();
  await expect(page.getByText("Processing a maliciously formatted PKCS12 file")).toBeVisible();
  await expect(page.getByRole("link", { name: "NVD: CVE-2024-0727" })).toHaveAttribute("href", "https://nvd.nist.gov/vuln/detail/CVE-2024-0727");
  const row = page.getByRole("table", { name: /Hosts affected by CVE-2024-0727/ }).getByRole("row").filter({ hasText: "libssl3" });
  await expect(row).toContainText("3.0.11-1~deb12u1 → 3.0.13-1~deb12u1");
  await expect(row.locator("code")).toContainText("apt-get install --only-upgrade");
  await expect(row.getByRole("link", { name: XSS })).toBeVisible();
  await checkPage(page, "vuln-06-cve");

  await page.goto("/vulnerabilities/CVE-1999-0001");
  await expect(page.getByText("is not in the server's feed database")).toBeVisible();
  await checkPage(page, "vuln-07-cve-unknown");
});

test("columns: hide and reorder, kept per user across a reload; dark theme and 390 px", async ({ page }) => {
  failOnDialogs(page);
  await logIn(page);
  await page.goto("/vulnerabilities?view=cve");
  await expect(page.getByRole("link", { name: "CVE-2024-0727", exact: true })).toBeVisible();
  const headers = page.locator("thead th");
  await expect(headers).toHaveText([/^CVE/, /^Severity/, /^CVSS/, /^Hosts affected/, /^Packages/, /^Fixed\?/]);
  // Keyboard: open the control, hide CVSS, move "Fixed?" up once.
  await page.getByText("Columns", { exact: true }).focus();
  await page.keyboard.press("Enter");
  const panel = page.getByRole("list", { name: "Columns of CVEs" });
  await panel.getByRole("checkbox", { name: "CVSS" }).press("Space");
  await panel.getByRole("button", { name: "Move Fixed? up" }).press("Enter");
  await expect(headers).toHaveText([/^CVE/, /^Severity/, /^Hosts affected/, /^Fixed\?/, /^Packages/]);
  await checkPage(page, "vuln-08-columns");
  await page.reload();
  await expect(headers).toHaveText([/^CVE/, /^Severity/, /^Hosts affected/, /^Fixed\?/, /^Packages/]);
  const session = await (await page.request.get("/api/v1/session")).json();
  const keys = await page.evaluate(() => Object.keys(localStorage));
  expect(keys).toContain(`warden.columns.${session.user.id}.vulnerabilities-cve`);

  await page.getByRole("button", { name: /Switch to dark theme/ }).click();
  await checkPage(page, "vuln-09-dark");
  await page.setViewportSize({ width: 390, height: 844 });
  await checkPage(page, "vuln-10-390px");
  // Reset brings the defaults back.
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByText("Columns", { exact: true }).click();
  await page.getByRole("button", { name: "Reset columns" }).click();
  await expect(headers).toHaveText([/^CVE/, /^Severity/, /^CVSS/, /^Hosts affected/, /^Packages/, /^Fixed\?/]);
});
